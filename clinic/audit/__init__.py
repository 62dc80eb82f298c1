"""Audit: change history (django-pghistory triggers), the patient access log (``PatientAccessEvent``), sign-in and
refusal events (``AuthEvent``, django-axes lockouts), the hash chain over all of them (``chain``) and the admins'
reports (``reports``, ``views``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pghistory


def track_changes(*, exclude: list[str] | None = None) -> Callable[[Any], Any]:
    """Class decorator: record every insert, update and delete of the model in an append-only event table.

    Triggers capture ORM saves, bulk updates and raw SQL alike; the request context (user, URL, client address)
    comes from ``clinic.audit.middleware.AuditContextMiddleware`` (security.md 6, requirement E1/E2).
    """
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        exclude=exclude,
    )
