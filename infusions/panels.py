"""Sections infusions adds to the patient page (registered in InfusionsConfig.ready)."""

from __future__ import annotations

from typing import Any

from patients.panels import Panel

SIDE_EFFECTS_SHOWN = 10


def side_effects_panel(patient: Any, user: Any) -> Panel | None:
    """The patient's latest side effects, for roles that may read them (front desk may not)."""
    if not user.has_perm("infusions.view_adverseevent"):
        return None
    events = list(patient.adverse_events.active().select_related("term").order_by("-onset_at")[:SIDE_EFFECTS_SHOWN])
    return Panel("infusions/_patient_side_effects.html", {"events": events, "patient": patient})
