"""Sections other apps add to the patient page, without ``patients`` importing them (dependencies point one way:
infusions → patients). An app registers a function ``(patient, user) -> Panel | None`` in its AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Panel:
    """A section of the patient page: its template and context. ``placement`` "alert" puts it under the header,
    before the sections, for something staff must act on; "section" (the default) adds it after the sections."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    placement: str = "section"


PanelProvider = Callable[[Any, Any], "Panel | None"]
_providers: list[PanelProvider] = []


def register_panel(provider: PanelProvider) -> PanelProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def panels_for(patient: Any, user: Any) -> list[Panel]:
    """The extra sections ``user`` may see on ``patient``'s page (each provider checks its own permission)."""
    return [panel for provider in _providers if (panel := provider(patient, user)) is not None]


@dataclass(frozen=True)
class PatientAction:
    """A button in the patient page's action row that another app adds (history, courses, report a side effect)."""

    label: str
    url: str
    icon: str = ""
    style: str = "btn-outline-primary"


ActionProvider = Callable[[Any, Any], "PatientAction | None"]
_action_providers: list[ActionProvider] = []


def register_patient_action(provider: ActionProvider) -> ActionProvider:
    """``provider(patient, user) -> PatientAction | None``; it checks its own permission. Buttons show in the order
    the apps register them (INSTALLED_APPS), before the patient page's own."""
    if provider not in _action_providers:
        _action_providers.append(provider)
    return provider


def patient_actions_for(patient: Any, user: Any) -> list[PatientAction]:
    return [action for provider in _action_providers if (action := provider(patient, user)) is not None]
