"""Writing the audit tables: the patient access log and authentication events."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import connection

from clinic.audit.middleware import client_address
from clinic.audit.models import AccessAction, AuthEvent, PatientAccessEvent


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


# The access log's table (clinic.audit.models.PatientAccessEvent), one row per patient of the array.
_LOG_MANY = (
    'INSERT INTO "audit_patientaccessevent" (user_id, patient_id, category, action, path, ip_address) '
    "SELECT %s, unnest(%s::bigint[]), %s, %s, %s, %s::inet"
)


def patient_access_log_many(*, request: Any, patients: Iterable[Any], category: str, action: str) -> None:
    """One access-log row per distinct patient, written in one INSERT (lists, reports and exports).

    The patients travel as one array, unnested by PostgreSQL: a full week of the schedule names hundreds of patients,
    and building and sending a model instance and seven parameters per row cost more than the page itself (make
    bench, issue #18)."""
    ids = list(dict.fromkeys(patient.pk for patient in patients))
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(_LOG_MANY, [request.user.pk, ids, category, action, request.path[:300], client_address(request)])


def auth_event_record(
    *, kind: str, request: Any = None, user: Any = None, username: str = "", detail: str = ""
) -> AuthEvent:
    """Record an authentication or authorisation event (security.md A9, C7).

    ``user`` defaults to the request's signed-in user; ``username`` to that user's username. Address, path, URL name
    and the patient id in the URL (when the URL names a patient) come from ``request``. The time is the database's.
    """
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
    if not username and user is not None:
        username = user.get_username()
    match = getattr(request, "resolver_match", None) if request is not None else None
    return AuthEvent.objects.create(
        kind=kind,
        user=user,
        username=username[:150],
        ip_address=client_address(request) if request is not None else None,
        path=request.path[:300] if request is not None else "",
        route=(match.view_name or "")[:100] if match is not None else "",
        target_patient_id=patient_id_in_url(match),
        detail=detail,
    )


# URL shapes whose key is a patient's: /patients/<pk>/..., /infusions/patients/<pk>/..., and the admin's patient page.
_PATIENT_ROUTES = (
    (re.compile(r"(^|/)patients/<int:pk>(/|$)"), "pk"),
    (re.compile(r"(^|/)patients/patient/<path:object_id>(/|$)"), "object_id"),
)


def patient_id_in_url(match: Any) -> int | None:
    """The patient id a URL names, when it names one (by its route), else None."""
    if match is None or not match.route:
        return None
    for pattern, kwarg in _PATIENT_ROUTES:
        if pattern.search(match.route):
            value = str(match.kwargs.get(kwarg, ""))
            return int(value) if value.isdigit() else None
    return None


def patient_access_log_ids(*, request: Any, patient_ids: Iterable[int], category: str, action: str) -> None:
    """Like ``patient_access_log_many`` for pages that hold patient ids rather than patients (audit reports)."""
    address = client_address(request)
    PatientAccessEvent.objects.bulk_create(
        PatientAccessEvent(
            user=request.user,
            patient_id=patient_id,
            category=category,
            action=action,
            path=request.path[:300],
            ip_address=address,
        )
        for patient_id in sorted(set(patient_ids))
    )
