"""Seed the contraindication checklist (clinical.md 2.2). The clinic admin may edit wording or add items later."""

from django.db import migrations

from patients.reference import ITEMS, ensure_contraindication_items

def seed(apps, schema_editor):
    ensure_contraindication_items(apps)


def unseed(apps, schema_editor):
    # Reversing removes only the seeded rows; answers referencing them (PROTECT) make this fail loudly, on purpose.
    apps.get_model("patients", "ContraindicationItem").objects.filter(code__in=[i[0] for i in ITEMS]).delete()


class Migration(migrations.Migration):
    dependencies = [("patients", "0002_initial")]

    operations = [migrations.RunPython(seed, unseed)]
