"""What each role may do with courses and sessions (granted from apps.py through ``clinic.accounts.roles.grant``)."""

from clinic.accounts.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK, NURSE, codenames

#: See doses on the course pages and the today board: the ordered dose and maximum, the protocol's dose line, each
#: session's mg/kg and total, and who signed. Front desk books chairs and calls patients, so it does not hold it
#: (HIPAA minimum necessary, 164.502(b); security.md "Minimum necessary"). Pages ask
#: ``infusions.selectors.board.shows_dosing``.
VIEW_DOSING = "infusions.view_dosing"

_SESSION_CHARTING = [
    VIEW_DOSING,
    "infusions.view_treatmentcourse",
    "infusions.view_infusionsession",
    "infusions.add_infusionsession",
    "infusions.change_infusionsession",
    *codenames("infusions", ["vitalsign", "ratechange", "sessionmedication"], "view", "add"),
    "infusions.view_addendum",
    "infusions.add_addendum",
]

PERMISSIONS: dict[str, list[str]] = {
    FRONT_DESK: [
        "infusions.view_treatmentcourse",
        "infusions.view_infusionsession",
        "infusions.add_infusionsession",
    ],
    NURSE: _SESSION_CHARTING,
    CLINICIAN: [
        *_SESSION_CHARTING,
        "infusions.add_treatmentcourse",
        "infusions.change_treatmentcourse",
        "infusions.sign_session",
        "infusions.override_baseline",
        "infusions.override_discharge",
        "infusions.view_patient_history",
        "infusions.view_reports",
    ],
    CLINIC_ADMIN: [
        "infusions.view_reports",
        *codenames(
            "infusions", ["protocol", "drugpreparation", "vitalthresholdsettings", "infusionsettings"], "view", "change"
        ),
        "infusions.add_protocol",
        "infusions.add_drugpreparation",
    ],
}
