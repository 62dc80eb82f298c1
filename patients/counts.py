"""What waits on the dashboard from patient records (``clinic.navigation.register``, issue #18): screenings to
clear, consents about to lapse, emergency accesses to review. Each count is one query on the same selector as the
list it links to (patients.selectors), so the number and the list never disagree."""

from __future__ import annotations

from typing import Any

from clinic.navigation import WaitingCount
from patients.models import EmergencyAccessGrant
from patients.selectors import consents_expiring, screenings_to_clear


def screenings_awaiting_clearance(user: Any) -> list[WaitingCount] | None:
    if not user.has_perm("patients.review_screening"):
        return None
    return [WaitingCount("screenings awaiting clearance", screenings_to_clear(user).count(),
                         "patients:screening_worklist", order=22, icon="clipboard-check")]  # fmt: skip


def consents_expiring_soon(user: Any) -> list[WaitingCount] | None:
    """For those who register patients and take their consent (front desk, clinicians)."""
    if not (user.has_perm("patients.add_consent") and user.has_perm("patients.add_patient")):
        return None
    return [WaitingCount("consents expiring within 30 days", consents_expiring(user).count(),
                         "patients:consent_worklist", order=40, icon="file-earmark-text")]  # fmt: skip


def emergency_accesses_to_review(user: Any) -> list[WaitingCount] | None:
    """Break-the-glass accesses not yet reviewed (the review queue's default list, ``pending()``)."""
    if not user.has_perm("patients.review_emergencyaccessgrant"):
        return None
    return [WaitingCount("emergency accesses to review", EmergencyAccessGrant.objects.pending().count(),
                         "patients:emergency_access_list", order=91, icon="unlock")]  # fmt: skip


WAITING = [screenings_awaiting_clearance, consents_expiring_soon, emergency_accesses_to_review]
