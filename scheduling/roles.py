"""What each role may do with the schedule (granted from apps.py through ``clinic.accounts.roles.grant``): front
desk, nurses and clinicians book, move, cancel and mark no-shows; the clinic admin keeps the rooms, chairs, opening
hours and closure days (reference data, in the admin) and reads no bookings, which name patients."""

from clinic.accounts.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK, NURSE, codenames

REFERENCE = ["room", "chair", "openinghours", "closure"]

_BOOKING = [*codenames("scheduling", ["booking"], "view", "add", "change"), *codenames("scheduling", REFERENCE, "view")]

PERMISSIONS: dict[str, list[str]] = {
    FRONT_DESK: _BOOKING,
    NURSE: _BOOKING,
    CLINICIAN: _BOOKING,
    CLINIC_ADMIN: [
        *codenames("scheduling", REFERENCE, "view", "add", "change"),
        "scheduling.delete_closure",
        *codenames("scheduling", ["schedulingsettings"], "view", "change"),
    ],
}
