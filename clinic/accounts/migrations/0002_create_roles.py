"""Create the four roles with their permission sets (clinic.accounts.roles.ROLE_PERMISSIONS).

Permissions of apps migrated later are added by the post_migrate sync, which runs the same function.
"""

from django.db import migrations


def create_roles(apps, schema_editor):
    from clinic.accounts.roles import sync_roles

    sync_roles(apps)


def remove_roles(apps, schema_editor):
    from clinic.accounts.roles import ROLE_PERMISSIONS

    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLE_PERMISSIONS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
