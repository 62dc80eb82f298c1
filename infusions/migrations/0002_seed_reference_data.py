"""Seed protocols, drug preparations and the vital-sign threshold row (infusions/reference.py)."""

from django.db import migrations

from infusions.reference import ensure_reference_data


def seed(apps, schema_editor):
    ensure_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [("infusions", "0001_initial")]

    # Reverse is a no-op: reference rows may already be referenced by courses (PROTECT), and leaving them is harmless.
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
