"""Seed the side-effect term pick-list (the list as it stood then, frozen below)."""

from django.db import migrations

# The pick-list as it stood when this migration was written (frozen here when side effects became an app of their
# own, issue #15; side_effects.reference keeps the list from then on).
TERMS = [
    ("Dissociation", "psychiatric"), ("Sedation", "neurological"), ("Nausea", "gastrointestinal"),
    ("Vomiting", "gastrointestinal"), ("Dizziness", "neurological"), ("Drowsiness", "neurological"),
    ("Hypertension", "cardiovascular"), ("Tachycardia", "cardiovascular"),
    ("Hallucinations or emergence reaction", "psychiatric"), ("Anxiety", "psychiatric"),
    ("Headache", "neurological"), ("Blurred vision", "neurological"), ("Hypersalivation", "gastrointestinal"),
    ("Respiratory depression", "respiratory"), ("Suicidal ideation", "psychiatric"),
    ("Bladder symptoms", "urological"), ("Other", "other"),
]  # fmt: skip


def ensure_adverse_event_terms(apps):
    term_model = apps.get_model("infusions", "AdverseEventTerm")
    for order, (name, category) in enumerate(TERMS, start=1):
        term_model.objects.get_or_create(name=name, defaults={"category": category, "display_order": order})


def seed(apps, schema_editor):
    ensure_adverse_event_terms(apps)


class Migration(migrations.Migration):
    dependencies = [("infusions", "0003_adverse_events")]

    # Reverse is a no-op: terms may be referenced by recorded side effects (PROTECT).
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
