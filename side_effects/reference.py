"""The side-effect pick-list (reference data an admin extends), kept in the database after every migrate."""

from __future__ import annotations

from typing import Any

# Side-effect pick-list: the ketamine-specific terms of issue #5 (docs/clinical.md §7.6: Spravato trials, community IV
# cohort, consent-form lists, label), each with the category it usually belongs to.
SIDE_EFFECT_TERMS = [
    ("Dissociation", "psychiatric"), ("Sedation", "neurological"), ("Nausea", "gastrointestinal"),
    ("Vomiting", "gastrointestinal"), ("Dizziness", "neurological"), ("Drowsiness", "neurological"),
    ("Hypertension", "cardiovascular"), ("Tachycardia", "cardiovascular"),
    ("Hallucinations or emergence reaction", "psychiatric"), ("Anxiety", "psychiatric"),
    ("Headache", "neurological"), ("Blurred vision", "neurological"), ("Hypersalivation", "gastrointestinal"),
    ("Respiratory depression", "respiratory"), ("Suicidal ideation", "psychiatric"),
    ("Bladder symptoms", "urological"), ("Other", "other"),
]  # fmt: skip


def ensure_side_effect_terms(apps: Any) -> None:
    term_model = apps.get_model("side_effects", "SideEffectTerm")
    for order, (name, category) in enumerate(SIDE_EFFECT_TERMS, start=1):
        term_model.objects.get_or_create(name=name, defaults={"category": category, "display_order": order})


def ensure_side_effect_terms_after_migrate(sender: Any, **kwargs: Any) -> None:
    from django.apps import apps as global_apps

    ensure_side_effect_terms(kwargs.get("apps") or global_apps)
