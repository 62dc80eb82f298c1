"""What each role may do with patient records (granted from apps.py through ``clinic.accounts.roles.grant``).

Minimum necessary access (HIPAA 164.502(b)): front desk sees identity and consent but no clinical background;
clinicians screen, restrict records, answer risk alerts, disclosures and amendment requests; the clinic admin keeps
the reference data, reviews emergency access and reads the accountings in the admin.
"""

from clinic.accounts.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK, NURSE, codenames

_CLINICAL_RECORDS = ["allergy", "medication", "priortreatment", "bodymeasurement", "headachediaryentry"]


def _crud(model: str, *actions: str) -> list[str]:
    return codenames("patients", [model], *actions)


_NURSE_CHARTING = [
    "patients.view_patient",
    "patients.view_clinical_background",
    "patients.change_clinical_background",
    *codenames("patients", _CLINICAL_RECORDS, "view", "add", "change"),
    *_crud("consent", "view", "add", "change"),
    *_crud("screening", "view", "add"),
    *_crud("questionnaireresponse", "view", "add", "change"),
]

# The accounting of disclosures (security.md H6) and amendment requests (H5): clinicians answer the patient.
_DISCLOSURES = ["patients.view_disclosure", "patients.add_disclosure"]
_AMENDMENTS = [*_crud("amendmentrequest", "view", "add"), "patients.decide_amendmentrequest"]

PERMISSIONS: dict[str, list[str]] = {
    FRONT_DESK: [
        "patients.view_patient",
        "patients.add_patient",
        "patients.change_patient",
        *_crud("consent", "view", "add", "change"),
    ],
    NURSE: [*_NURSE_CHARTING],
    CLINICIAN: [
        *_NURSE_CHARTING,
        "patients.add_patient",
        "patients.change_patient",
        "patients.change_screening",
        "patients.review_screening",
        # Restricted records (security.md D1): clinicians restrict a record and name its care team. Emergency
        # access itself (patients.break_glass) is given to named people by the clinic admin, never to a role.
        "patients.restrict_patient",
        "patients.acknowledge_risk_alert",
        "patients.rate_clinician_instrument",
        *_DISCLOSURES,
        *_AMENDMENTS,
    ],
    CLINIC_ADMIN: [
        # The emergency-access review queue (security.md D2) and the care teams of restricted records.
        "patients.view_emergencyaccessgrant",
        "patients.review_emergencyaccessgrant",
        "patients.view_careteammember",
        "patients.view_contraindicationitem",
        "patients.add_contraindicationitem",
        "patients.change_contraindicationitem",
        *codenames("patients", ["patientsettings"], "view", "change"),
        "patients.view_disclosure",  # in the Django admin: the accounting of every patient
        "patients.view_amendmentrequest",  # in the Django admin
    ],
}
