"""Reference data infusions ships with: protocols and drug preparations (docs/clinical.md §3.3, §4.1, §5.2).

``ensure_reference_data`` creates whatever is missing by name and never overwrites a row, so the clinic admin's
edits stand. It runs from the data migration and after every migrate (also after a test flush).

Choices made where the sources leave room (see the closing note of issue #4):
- Depression: usual range 0.4–0.75 mg/kg (Andrade 2017: usual 0.5, some respond to 0.1, some need up to 0.75 [R20])
  with the hard maximum at 1.0 mg/kg, the highest dose in the Fava 2018 dose-ranging trial [R21]; doses from 0.1 to
  0.4 are given with a second staff member's confirmation.
- Continuous protocols: the usual range tops out at the "low-dose" ceiling of 1 mg/kg/h [R18]; above it needs a
  second check, up to the protocol's hard maximum.
- Observation: at least 60 min after the infusion (ED low-dose protocol: ≥60 min after the last dose [R30]).
"""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

PROTOCOLS = [
    {
        "name": "Depression: 0.5 mg/kg over 40 min",
        "indication": "trd",
        "dosing_mode": "dose_over_time",
        "default_dose": D("0.5"), "usual_min": D("0.4"), "usual_max": D("0.75"), "hard_max": D("1.0"),
        "infusion_minutes": 40, "titration_step": None, "vitals_interval_minutes": 10,
        "min_observation_minutes": 60, "planned_induction_sessions": 6, "usual_volume_ml": D("40"),
        "source": "Fava 2018 RCT (0.1–1.0 mg/kg over 40 min) [R21]; Andrade 2017 review [R20]; induction 4–8 "
        "infusions over 7–28 days (ORKA-1) [R26]; BP every 10 min during (Emory) [R29]",
    },
    {
        "name": "Chronic pain: 0.5–2 mg/kg/h",
        "indication": "neuropathic_pain",
        "dosing_mode": "continuous",
        "default_dose": D("0.5"), "usual_min": D("0.5"), "usual_max": D("1.0"), "hard_max": D("2.0"),
        "infusion_minutes": 240, "titration_step": D("0.1"), "vitals_interval_minutes": 15,
        "min_observation_minutes": 60, "planned_induction_sessions": 5, "usual_volume_ml": None,
        "usual_rate_ml_h": D(40),
        "source": "ASRA/AAPM/ASA 2018: infusion 0.5–2 mg/kg/h, ≥80 mg over >2 h [R15]; "
        "low-dose ceiling 1 mg/kg/h [R18]",
    },
    {
        "name": "CRPS: 0.35 mg/kg/h over 4 h",
        "indication": "crps",
        "dosing_mode": "continuous",
        "default_dose": D("0.35"), "usual_min": D("0.25"), "usual_max": D("0.5"), "hard_max": D("1.0"),
        "infusion_minutes": 240, "titration_step": D("0.05"), "vitals_interval_minutes": 15,
        "min_observation_minutes": 60, "planned_induction_sessions": 10, "usual_volume_ml": None,
        "usual_rate_ml_h": D(25),
        "source": "ASRA 2018: CRPS 0.35 mg/kg/h x 4 h daily x 10 days (moderate evidence) [R15b]",
    },
    {
        "name": "Refractory migraine: continuous from 0.1 mg/kg/h",
        "indication": "chronic_migraine",
        "dosing_mode": "continuous",
        "default_dose": D("0.1"), "usual_min": D("0.1"), "usual_max": D("1.0"), "hard_max": D("1.5"),
        "infusion_minutes": None, "titration_step": D("0.1"), "vitals_interval_minutes": 15,
        "min_observation_minutes": 60, "planned_induction_sessions": 5, "usual_volume_ml": None,
        "usual_rate_ml_h": D(8),
        "source": "Lauritsen 2016: start 0.1 mg/kg/h, +0.1 every 3–4 h to pain ≤3 [R25]; Schwenk 2018: soft cap "
        "1 mg/kg/h, attending may exceed [R23]",
    },
]  # fmt: skip

PREPARATIONS = [
    {"name": "Ketamine 0.5 mg/mL bag from 50 mg/mL vial", "vial_mg_ml": D(50), "final_mg_ml": D("0.5"),
     "preparation_note": "50 mg (1 mL of 50 mg/mL) in 100 mL 0.9% sodium chloride"},
    {"name": "Ketamine 0.5 mg/mL bag from 10 mg/mL vials", "vial_mg_ml": D(10), "final_mg_ml": D("0.5"),
     "preparation_note": "50 mg (5 mL of 10 mg/mL) in 100 mL 0.9% sodium chloride"},
    {"name": "Ketamine 1 mg/mL bag from 50 mg/mL vial", "vial_mg_ml": D(50), "final_mg_ml": D(1),
     "preparation_note": "100 mg (2 mL of 50 mg/mL) in 100 mL 0.9% sodium chloride"},
    {"name": "Ketamine 1 mg/mL bag from 100 mg/mL vial", "vial_mg_ml": D(100), "final_mg_ml": D(1),
     "preparation_note": "100 mg (1 mL of 100 mg/mL) in 100 mL 0.9% sodium chloride"},
    {"name": "Ketamine 2 mg/mL bag from 50 mg/mL vial", "vial_mg_ml": D(50), "final_mg_ml": D(2),
     "preparation_note": "200 mg (4 mL of 50 mg/mL) in 100 mL 0.9% sodium chloride"},
    {"name": "Ketamine 1 mg/mL bag from 10 mg/mL vials", "vial_mg_ml": D(10), "final_mg_ml": D(1),
     "preparation_note": "100 mg (10 mL of 10 mg/mL) in 100 mL 0.9% sodium chloride"},
    {"name": "Ketamine 10 mg/mL syringe, undiluted", "vial_mg_ml": D(10), "final_mg_ml": D(10),
     "preparation_note": "10 mg/mL vial drawn up undiluted for a syringe pump"},
]  # fmt: skip


def _known(model: Any, row: dict[str, Any]) -> dict[str, Any]:
    """The row's values for the fields ``model`` has: an early migration's model lacks the fields added since."""
    names = {field.name for field in model._meta.get_fields()}
    return {key: value for key, value in row.items() if key in names}


def ensure_reference_data(apps: Any) -> None:
    protocol_model = apps.get_model("infusions", "Protocol")
    for row in PROTOCOLS:
        protocol_model.objects.get_or_create(name=row["name"], defaults=_known(protocol_model, row))
    preparation_model = apps.get_model("infusions", "DrugPreparation")
    for row in PREPARATIONS:
        preparation_model.objects.get_or_create(name=row["name"], defaults=_known(preparation_model, row))
    apps.get_model("infusions", "VitalThresholdSettings").objects.get_or_create(pk=1)


def ensure_reference_data_after_migrate(sender: Any, **kwargs: Any) -> None:
    from django.apps import apps as global_apps

    if sender.name == "infusions":
        apps = kwargs.get("apps") or global_apps
        ensure_reference_data(apps)
