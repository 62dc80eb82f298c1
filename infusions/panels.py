"""Sections infusions adds to the patient page (registered in InfusionsConfig.ready)."""

from __future__ import annotations

from typing import Any

from infusions.selectors_stock import unreconciled_sessions
from patients.panels import Panel

SIDE_EFFECTS_SHOWN = 10
UNRECONCILED_SHOWN = 10


def side_effects_panel(patient: Any, user: Any) -> Panel | None:
    """The patient's latest side effects, for roles that may read them (front desk may not)."""
    if not user.has_perm("infusions.view_adverseevent"):
        return None
    events = list(patient.adverse_events.active().select_related("term").order_by("-onset_at")[:SIDE_EFFECTS_SHOWN])
    return Panel("infusions/_patient_side_effects.html", {"events": events, "patient": patient})


def unreconciled_stock_panel(patient: Any, user: Any) -> Panel | None:
    """A flag under the header when a session of this patient drew ketamine that is not yet recorded as given,
    wasted or returned (drawn ≠ administered + wasted + returned, clinical.md 6 [R63]); for the staff who
    reconcile it. Nothing is shown when every draw is accounted for."""
    if not user.has_perm("infusions.record_stock"):
        return None
    sessions = list(unreconciled_sessions().filter(patient=patient)[:UNRECONCILED_SHOWN])
    if not sessions:
        return None
    return Panel("infusions/stock/_patient_unreconciled.html", {"sessions": sessions}, placement="alert")
