"""What each role may do with side effects (granted from apps.py through ``clinic.accounts.roles.grant``): nurses
and clinicians report and correct them, clinicians review them, the clinic admin keeps the pick-list of terms; front
desk reads none."""

from clinic.accounts.roles import CLINIC_ADMIN, CLINICIAN, NURSE, codenames

_REPORTING = codenames("side_effects", ["sideeffect", "externalreport"], "view", "add", "change")

PERMISSIONS: dict[str, list[str]] = {
    NURSE: _REPORTING,
    CLINICIAN: [*_REPORTING, "side_effects.review_sideeffect"],
    CLINIC_ADMIN: codenames("side_effects", ["sideeffectterm"], "view", "add", "change"),
}
