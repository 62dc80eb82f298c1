"""Writing the patient access log."""

from __future__ import annotations

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
