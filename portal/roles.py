"""Who may hand the tablet over (granted from apps.py through ``clinic.accounts.roles.grant``): those who check
patients in or chart (front desk, nurses, clinicians). The clinic admin keeps the kiosk's settings (idle time, the
crisis text) and reads the log of kiosk visits in the admin."""

from clinic.accounts.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK, NURSE, codenames

_HAND_OVER = ["portal.add_kioskvisit"]

PERMISSIONS: dict[str, list[str]] = {
    FRONT_DESK: _HAND_OVER,
    NURSE: _HAND_OVER,
    CLINICIAN: _HAND_OVER,
    CLINIC_ADMIN: [
        *codenames("portal", ["kioskvisit"], "view"),
        *codenames("portal", ["portalsettings"], "view", "change"),
    ],
}
