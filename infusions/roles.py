"""What each role may do with courses, sessions and the ketamine stock ledger (granted from apps.py through
``clinic.accounts.roles.grant``). (Stock takes its own along when it becomes an app of its own: issue #15.)"""

from clinic.accounts.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK, NURSE, codenames

_SESSION_CHARTING = [
    "infusions.view_treatmentcourse",
    "infusions.view_infusionsession",
    "infusions.add_infusionsession",
    "infusions.change_infusionsession",
    *codenames("infusions", ["vitalsign", "ratechange", "sessionmedication"], "view", "add"),
    "infusions.view_addendum",
    "infusions.add_addendum",
]

# The ketamine stock ledger (issue #9): nurses and clinicians receive, draw, waste, count; clinicians and the clinic
# admin read the DEA reports and record a DEA Form 106 as filed (the registrant's report of a loss or theft);
# front desk has no access to controlled-substance records.
_STOCK_READ = codenames(
    "infusions", ["stockproduct", "stockreceipt", "vial", "stockmovement", "stockcount", "form106filing"], "view"
)
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
        "infusions.view_patient_history",
        "infusions.view_reports",
        *_STOCK_RECORDING,
        "infusions.view_stock_reports",
        "infusions.add_form106filing",
    ],
    CLINIC_ADMIN: [
        "infusions.view_reports",
        *codenames("infusions", ["protocol", "drugpreparation", "vitalthresholdsettings"], "view", "change"),
        "infusions.add_protocol",
        "infusions.add_drugpreparation",
        *_STOCK_READ,
        "infusions.add_stockproduct",
        "infusions.change_stockproduct",
        "infusions.view_stock_reports",
        "infusions.add_form106filing",
    ],
}
