"""Sections other apps add to the patient page, without ``patients`` importing them (dependencies point one way:
infusions → patients). An app registers a function ``(patient, user) -> Panel | None`` in its AppConfig.ready()."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clinic.registry import Providers


@dataclass(frozen=True)
class Panel:
    """A section of the patient page: its template and context. ``placement`` "alert" puts it under the header,
    before the sections, for something staff must act on; "section" (the default) adds it after the sections."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    placement: str = "section"


_panels: Providers[Panel] = Providers()  # fn(patient, user) -> Panel | None, each checking its own permission
register_panel = _panels.register


def panels_for(patient: Any, user: Any) -> list[Panel]:
    """The extra sections ``user`` may see on ``patient``'s page."""
    return _panels.collect(patient, user)


@dataclass(frozen=True)
class PatientAction:
    """A button in the patient page's action row that another app adds (history, courses, report a side effect)."""

    label: str
    url: str
    icon: str = ""
    style: str = "btn-outline-primary"


# fn(patient, user) -> PatientAction | None, each checking its own permission. Buttons show in the order the apps
# register them (INSTALLED_APPS), before the patient page's own.
_actions: Providers[PatientAction] = Providers()
register_patient_action = _actions.register


def patient_actions_for(patient: Any, user: Any) -> list[PatientAction]:
    return _actions.collect(patient, user)
