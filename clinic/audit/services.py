"""Writing the patient access log."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from clinic.audit.middleware import client_address
from clinic.audit.models import AccessAction, PatientAccessEvent


def patient_access_log(
    *, request: Any, patient: Any, category: str, action: str = AccessAction.VIEW
) -> PatientAccessEvent:
    """Record that ``request.user`` was shown ``category`` of ``patient``'s record."""
    return PatientAccessEvent.objects.create(
        user=request.user,
        patient=patient,
        category=category,
        action=action,
        path=request.path[:300],
        ip_address=client_address(request),
    )


def patient_access_log_many(*, request: Any, patients: Iterable[Any], category: str, action: str) -> None:
    """One access-log row per distinct patient, written in one INSERT (lists, reports and exports)."""
    unique = {patient.pk: patient for patient in patients}
    address = client_address(request)
    PatientAccessEvent.objects.bulk_create(
        PatientAccessEvent(
            user=request.user,
            patient=patient,
            category=category,
            action=action,
            path=request.path[:300],
            ip_address=address,
        )
        for patient in unique.values()
    )
