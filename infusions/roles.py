"""What each role may do with courses, sessions, side effects and the ketamine stock ledger (granted from apps.py
through ``clinic.accounts.roles.grant``). (Side effects and stock take theirs along when they become apps of their
own: issue #15.)"""

from clinic.accounts.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK, NURSE

_SESSION_CHARTING = [
    "infusions.view_treatmentcourse",
    "infusions.view_infusionsession",
    "infusions.add_infusionsession",
    "infusions.change_infusionsession",
    *[
        f"infusions.{action}_{model}"
        for model in ("vitalsign", "ratechange", "sessionmedication")
        for action in ("view", "add")
    ],
    "infusions.view_addendum",
    "infusions.add_addendum",
    *[
        f"infusions.{action}_{model}"
        for model in ("adverseevent", "externalreport")
        for action in ("view", "add", "change")
    ],
]

# The ketamine stock ledger (issue #9): nurses and clinicians receive, draw, waste, count; clinicians and the clinic
# admin read the DEA reports and record a DEA Form 106 as filed (the registrant's report of a loss or theft);
# front desk has no access to controlled-substance records.
_STOCK_READ = [
    *[
        f"infusions.view_{model}"
        for model in ("stockproduct", "stockreceipt", "vial", "stockmovement", "stockcount", "form106filing")
    ],
]
_STOCK_RECORDING = [
    *_STOCK_READ,
    "infusions.add_stockreceipt",
    "infusions.add_stockcount",
    "infusions.record_stock",
]

PERMISSIONS: dict[str, list[str]] = {
    FRONT_DESK: [
        "infusions.view_treatmentcourse",
        "infusions.view_infusionsession",
        "infusions.add_infusionsession",
    ],
    NURSE: [*_SESSION_CHARTING, *_STOCK_RECORDING],
    CLINICIAN: [
        *_SESSION_CHARTING,
        "infusions.add_treatmentcourse",
        "infusions.change_treatmentcourse",
        "infusions.sign_session",
        "infusions.override_baseline",
        "infusions.review_adverseevent",
        "infusions.view_patient_history",
        "infusions.view_reports",
        *_STOCK_RECORDING,
        "infusions.view_stock_reports",
        "infusions.add_form106filing",
    ],
    CLINIC_ADMIN: [
        "infusions.view_reports",
        *[
            f"infusions.{action}_{model}"
            for model in ("protocol", "drugpreparation", "vitalthresholdsettings")
            for action in ("view", "change")
        ],
        "infusions.add_protocol",
        "infusions.add_drugpreparation",
        *[f"infusions.{action}_adverseeventterm" for action in ("view", "add", "change")],
        *_STOCK_READ,
        "infusions.add_stockproduct",
        "infusions.change_stockproduct",
        "infusions.view_stock_reports",
        "infusions.add_form106filing",
    ],
}
