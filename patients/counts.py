"""What waits on the dashboard from patient records (``clinic.navigation.register``, issue #18): screenings to
clear, consents about to lapse, emergency accesses to review. Each count is one query on the same selector as the
list it links to (patients.selectors), so the number and the list never disagree."""

from __future__ import annotations

from clinic.navigation import CountOf
from patients.models import EmergencyAccessGrant
from patients.selectors import consents_expiring, screenings_to_clear

WAITING = [
    CountOf("screenings awaiting clearance", "patients:screening_worklist", screenings_to_clear,
            permissions=("patients.review_screening",), order=22, icon="clipboard-check"),
    # For those who register patients and take their consent (front desk, clinicians).
    CountOf("consents expiring within 30 days", "patients:consent_worklist", consents_expiring,
            permissions=("patients.add_consent", "patients.add_patient"), order=40, icon="file-earmark-text"),
    # Break-the-glass accesses not yet reviewed (the review queue's default list, ``pending()``).
    CountOf("emergency accesses to review", "patients:emergency_access_list",
            lambda _user: EmergencyAccessGrant.objects.pending(),
            permissions=("patients.review_emergencyaccessgrant",), order=91, icon="unlock"),
]  # fmt: skip
