"""Audit: change history (django-pghistory triggers), the patient access log (``PatientAccessEvent``), sign-in and
refusal events (``AuthEvent``, django-axes lockouts), the hash chain over all of them (``chain``) and the admins'
reports (``reports``, ``views``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pghistory
import pgtrigger


def track_changes(*, exclude: list[str] | None = None) -> Callable[[Any], Any]:
    """Class decorator: record every insert, update and delete of the model in an append-only event table.

    Triggers capture ORM saves, bulk updates and raw SQL alike; the request context (user, URL, client address)
    comes from ``clinic.audit.middleware.AuditContextMiddleware`` (security.md 6, requirement E1/E2).

    A model that moved from another app (``clinic.triggers.moved_from``, applied first) keeps the name of its event
    table and of every trigger.
    """
    from clinic import triggers

    def track(model: Any) -> Any:
        label = getattr(model, "pgid_label", None)
        meta: dict[str, Any] = {
            "triggers": [triggers.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]
        }
        if label is not None:
            app_label, model_name = label.split(".")
            meta["db_table"] = f"{app_label}_{model_name.lower()}event"
            triggers.pin(f"{model._meta.label}Event", f"{label}Event")
        return pghistory.track(
            triggers.InsertEvent(),
            triggers.UpdateEvent(),
            triggers.DeleteEvent(),
            exclude=exclude,
            append_only=False,  # the same trigger pghistory would add (PGHISTORY_APPEND_ONLY), pinned as above
            meta=meta,
        )(model)

    return track
