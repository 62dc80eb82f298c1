"""What side effects add to other apps' pages (registered in SideEffectsConfig.ready): the patient page's section
and button, the chart's "Report a side effect" buttons, and the session's side effects on its chart and printed
record."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from infusions.hooks import ChartLink, SessionSection
from patients.panels import Panel, PatientAction

SIDE_EFFECTS_SHOWN = 10
REPORT = "side_effects.add_sideeffect"


def side_effects_panel(patient: Any, user: Any) -> Panel | None:
    """The patient's latest side effects, for roles that may read them (front desk may not). Voided ones stay on the
    record, struck through, with the reason (issue #16)."""
    if not user.has_perm("side_effects.view_sideeffect"):
        return None
    events = list(patient.side_effects.select_related("term").order_by("-onset_at", "-pk")[:SIDE_EFFECTS_SHOWN])
    return Panel("side_effects/_patient_side_effects.html", {"events": events, "patient": patient})


def report_from_patient(patient: Any, user: Any) -> PatientAction | None:
    if not user.has_perm(REPORT):
        return None
    url = reverse("side_effects:patient_side_effect_create", args=[patient.pk])
    return PatientAction("Report a side effect", url, icon="bi-exclamation-triangle")


def report_from_chart(session: Any, user: Any, chart: Any) -> ChartLink | None:
    """Once the patient is in the clinic, the chart's status line offers to report a side effect."""
    if not session.state.has_begun or not user.has_perm(REPORT):
        return None
    url = reverse("side_effects:session_side_effect_create", args=[session.pk])
    return ChartLink("Report a side effect", url, icon="bi-exclamation-triangle")


def report_open_alert(session: Any, user: Any, chart: Any) -> ChartLink | None:
    """In the open-alert box: report the first out-of-range reading as a side effect, its term filled in and its
    onset the reading's time (issue #17). The reading goes by its row id, never by a time or a value."""
    if not chart.open_alerts or not user.has_perm(REPORT):
        return None
    url = reverse("side_effects:session_side_effect_create", args=[session.pk])
    query = f"alert={chart.open_alerts[0]['field']}&vitals={chart.latest_vitals.pk}"
    return ChartLink("Report as a side effect", f"{url}?{query}", "alert", style="btn-danger",
                     testid="report-alert")  # fmt: skip


def session_side_effects(session: Any, user: Any) -> SessionSection | None:
    """The session's side effects, oldest first, voided ones struck through with the reason: on the chart where the
    signer reviews the record, and on the printed record (issue #17). One query."""
    if not user.has_perm("side_effects.view_sideeffect"):
        return None
    events = list(session.side_effects.select_related("term").order_by("onset_at", "pk"))
    day = timezone.localdate(session.checked_in_at or session.scheduled_for)
    return SessionSection("Side effects", "side_effects/_session_side_effects.html", {"events": events, "day": day},
                          testid="session-side-effects")  # fmt: skip
