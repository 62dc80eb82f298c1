"""Seed the side-effect term pick-list (infusions/reference.py ADVERSE_EVENT_TERMS)."""

from django.db import migrations

from infusions.reference import ensure_adverse_event_terms


def seed(apps, schema_editor):
    ensure_adverse_event_terms(apps)


class Migration(migrations.Migration):
    dependencies = [("infusions", "0003_adverse_events")]

    # Reverse is a no-op: terms may be referenced by recorded side effects (PROTECT).
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
