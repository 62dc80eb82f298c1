"""What infusions adds to the patient page, and the stock ledger to the chart (registered in InfusionsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from infusions.hooks import ChartLink
from infusions.selectors_stock import unreconciled_sessions
from patients.panels import Panel, PatientAction

UNRECONCILED_SHOWN = 10


def unreconciled_stock_panel(patient: Any, user: Any) -> Panel | None:
    """A flag under the header when a session of this patient drew ketamine that is not yet recorded as given,
    wasted or returned (drawn ≠ administered + wasted + returned, docs/clinical.md §11.4 [R63]); for the staff who
    reconcile it. Nothing is shown when every draw is accounted for."""
    if not user.has_perm("infusions.record_stock"):
        return None
    sessions = list(unreconciled_sessions().filter(patient=patient)[:UNRECONCILED_SHOWN])
    if not sessions:
        return None
    return Panel("infusions/stock/_patient_unreconciled.html", {"sessions": sessions}, placement="alert")


def history_action(patient: Any, user: Any) -> PatientAction | None:
    if not user.has_perm("infusions.view_patient_history"):
        return None
    url = reverse("infusions:patient_history", args=[patient.pk])
    return PatientAction("History and outcomes", url, icon="bi-graph-down", style="btn-primary")


def courses_action(patient: Any, user: Any) -> PatientAction | None:
    if not user.has_perm("infusions.view_treatmentcourse"):
        return None
    return PatientAction("Courses and sessions", reverse("infusions:course_list", args=[patient.pk]), icon="bi-droplet")


def session_stock_link(session: Any, user: Any, chart: Any) -> ChartLink | None:
    """Under the dose: the session's page of the stock ledger (draw, given, waste), for the staff who record it."""
    if not user.has_perm("infusions.record_stock"):
        return None
    url = reverse("infusions:session_stock", args=[session.pk])
    return ChartLink("Ketamine stock: draw, given, waste", url, "dose", icon="bi-safe", style="btn-outline-primary",
                     testid="session-stock-link")  # fmt: skip
