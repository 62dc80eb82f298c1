"""Trigger names that survive a model's move to another app.

django-pgtrigger names each trigger ``pgtrigger_<name>_<hash>`` with the hash taken from the model's label
(``app.Model``), so moving a model to another app (issue #15: side effects and the stock ledger left ``infusions``)
would rename every trigger on its table. A model that moved says so with ``@moved_from("old_app.Model")``; the
triggers here hash that label instead, so the database keeps the same trigger names and no DDL runs. Any other model
gets exactly the names pgtrigger would give it.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pghistory
import pgtrigger
from pghistory.trigger import Event


def pgid_for(label: str, name: str) -> str:
    """pgtrigger's identifier for trigger ``name`` on the model labelled ``label`` (``get_pgid``'s formula)."""
    digest = hashlib.sha1(f"{label}:{name}".encode(), usedforsecurity=False).hexdigest()[:5]
    return f"pgtrigger_{name}_{digest}".lower()


# Model label now → the label its triggers were named under. Keyed by label, not read from the class, because
# migrations compile triggers against historical models, which carry no class attributes.
_PINNED: dict[str, str] = {}


def pin(label: str, old_label: str) -> None:
    """Name the triggers of the model ``label`` as if it were still ``old_label``."""
    _PINNED[label] = old_label


def moved_from(old_label: str) -> Any:
    """Class decorator for a model that moved from another app (put it under ``track_changes``): its triggers keep
    the names they had under ``old_label``, and ``track_changes`` keeps its event table's name and triggers too."""

    def mark(model: Any) -> Any:
        model.pgid_label = old_label
        pin(model._meta.label, old_label)
        return model

    return mark


class PinnedPgid:
    """Mixin for a pgtrigger trigger: the identifier follows the model's pinned label when it has one."""

    name: str

    def get_pgid(self, model: Any) -> str:
        label = _PINNED.get(model._meta.label)
        if label is None:
            return super().get_pgid(model)  # type: ignore[misc]
        return pgid_for(label, self.name)


class Protect(PinnedPgid, pgtrigger.Protect):
    pass


class Trigger(PinnedPgid, pgtrigger.Trigger):
    pass


class PinnedEvent(PinnedPgid, Event):
    pass


class _PinnedRowEvent:
    """pghistory's row trackers, registering their trigger as a ``PinnedEvent``."""

    label: str
    trigger_name: str
    row: str
    operation: Any
    condition: Any
    level: Any

    def add_event_trigger(self, event_model: Any) -> None:
        pgtrigger.register(
            PinnedEvent(
                event_model=event_model,
                label=self.label,
                name=self.trigger_name,
                row=self.row,
                operation=self.operation,
                condition=self.condition,
                level=self.level,
            )
        )(event_model.pgh_tracked_model)


class InsertEvent(_PinnedRowEvent, pghistory.InsertEvent):
    pass


class UpdateEvent(_PinnedRowEvent, pghistory.UpdateEvent):
    pass


class DeleteEvent(_PinnedRowEvent, pghistory.DeleteEvent):
    pass
