"""Reference data the patients app ships with: the contraindication checklist (docs/clinical.md §1.1).

``ensure_contraindication_items`` creates any missing item by code and never overwrites one, so a clinic admin's
edits (wording, order, retiring an item) survive; it runs from the data migration and after every migrate.
"""

from __future__ import annotations

from typing import Any

R15 = "ASRA/AAPM/ASA 2018 IV ketamine consensus guideline (Cohen et al., Reg Anesth Pain Med 43:521)"
SPRAVATO = "Spravato (esketamine) prescribing information, Contraindications"

ITEMS = [
    (
        "uncontrolled_hypertension_cvd",
        "Uncontrolled hypertension or poorly controlled cardiovascular disease",
        "relative",
        "Ketamine raises blood pressure and heart rate; control blood pressure first.",
        f"{R15}, grade B",
    ),
    (
        "aneurysm_avm_ich",
        "Aneurysmal vascular disease (aortic, intracranial or peripheral), arteriovenous "
        "malformation, or history of intracerebral haemorrhage",
        "absolute",
        "A blood-pressure rise could rupture the vessel.",
        SPRAVATO,
    ),
    ("ketamine_hypersensitivity", "Prior hypersensitivity to ketamine or esketamine", "absolute", "", SPRAVATO),
    (
        "pregnancy",
        "Pregnancy, or possible pregnancy",
        "relative",
        "Avoid; esketamine may cause fetal harm. Offer a pregnancy test where applicable.",
        f"{R15}; {SPRAVATO}",
    ),
    (
        "active_psychosis",
        "Active or poorly controlled psychosis",
        "relative",
        "Assess benefit and risk; dissociation may worsen psychosis.",
        f"{R15}; {SPRAVATO}",
    ),
    (
        "severe_hepatic_disease",
        "Severe hepatic disease",
        "relative",
        "Avoid in severe disease; caution and monitoring in moderate disease; check liver tests if at risk.",
        R15,
    ),
    (
        "raised_icp_iop",
        "Raised intracranial or intraocular pressure",
        "relative",
        "Avoid, or low dose with extreme caution.",
        f"{R15}, grade C",
    ),
    (
        "active_sud",
        "Active substance use disorder",
        "relative",
        "No serial infusions; universal precautions and monitoring for misuse.",
        f"{R15}; {SPRAVATO}",
    ),
    (
        "bipolar_no_mood_stabiliser",
        "Bipolar disorder without a mood stabiliser",
        "relative",
        "Risk of switching to mania; a mood stabiliser should be in place.",
        "Osmind ketamine intake guide (docs/clinical.md §1.1 [R17])",
    ),
]


def ensure_contraindication_items(apps: Any) -> None:
    item_model = apps.get_model("patients", "ContraindicationItem")
    for order, (code, label, level, guidance, source) in enumerate(ITEMS, start=1):
        item_model.objects.get_or_create(
            code=code,
            defaults={"label": label, "level": level, "guidance": guidance, "source": source, "display_order": order},
        )


def ensure_reference_data_after_migrate(sender: Any, **kwargs: Any) -> None:
    """post_migrate receiver (also fires after a test flush, which empties every table)."""
    from django.apps import apps as global_apps

    if sender.name == "patients":
        ensure_contraindication_items(kwargs.get("apps") or global_apps)
