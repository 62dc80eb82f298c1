"""What each role may do with side effects (granted from apps.py through ``clinic.accounts.roles.grant``): nurses
and clinicians report and correct them, clinicians review them and void one entered in error, the clinic admin keeps
the pick-list of terms and voids a side effect entered in error from the admin, by its number (issue #16); front desk
reads none."""

from clinic.accounts.roles import CLINIC_ADMIN, CLINICIAN, NURSE, codenames

#: Void a side effect entered in error (wrong patient, duplicate): it then leaves every count, rate and queue.
VOID = "side_effects.void_sideeffect"

_REPORTING = codenames("side_effects", ["sideeffect", "externalreport"], "view", "add", "change")

PERMISSIONS: dict[str, list[str]] = {
    NURSE: _REPORTING,
    CLINICIAN: [*_REPORTING, "side_effects.review_sideeffect", VOID],
    CLINIC_ADMIN: [*codenames("side_effects", ["sideeffectterm"], "view", "add", "change"), VOID],
}
