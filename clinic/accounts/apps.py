from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    """Staff accounts and the four roles (front desk, nurse, clinician, clinic admin)."""

    name = "clinic.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from clinic.accounts.roles import sync_roles_after_migrate

        # Roles are code-defined; after every migrate each role holds at least its listed permissions, so a
        # permission added by a later migration reaches its roles without a hand-written data migration.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="clinic.accounts.sync_roles")

        from clinic.accounts import navigation
        from clinic.navigation import register

        register(shortcuts=navigation.SHORTCUTS)
