"""Reads for the session chart, with a fixed number of queries whatever the length of the session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from infusions.chair import RECHECK_MINUTES, InfusionClock, infusion_clock
from infusions.chair import next_vitals_due as chair_next_vitals_due
from infusions.choices import SessionStatus
from infusions.dosing import rate_segments
from infusions.hooks import SessionSection, session_sections
from infusions.lifecycle import IN_CHAIR_STATUSES, OPEN_FOR_VITALS
from infusions.models import InfusionSession, InfusionSettings
from infusions.models.session import PADSS_ITEMS
from infusions.timing import is_late_entry
from patients.models import QuestionnaireResponse


@dataclass
class Chart:
    """Everything the session chart shows."""

    session: InfusionSession
    vitals: list[Any]
    rate_changes: list[Any]
    medications: list[Any]
    addenda: list[Any]
    now: dt.datetime
    start_problems: list[str] = field(default_factory=list)
    given_mg: Decimal | None = None
    discharge: Any = None  # services.DischargeVitals while observing
    clock: InfusionClock | None = None  # while infusing: planned end, time left, overrun alerts
    recheck_minutes: int = RECHECK_MINUTES
    risk_alerts: list[Any] = field(default_factory=list)  # unacknowledged suicide-risk answers of the patient
    sections: list[SessionSection] = field(default_factory=list)  # other apps' parts of the record (side effects)

    @property
    def padss_items(self) -> list[tuple[str, int | None]]:
        """The discharge score's items as scored (modified PADSS, docs/clinical.md §5.1), for the signer's review."""
        return [(PADSS_ITEM_NAMES[item], getattr(self.session, item)) for item in PADSS_ITEMS]

    @property
    def latest_vitals(self) -> Any:
        return self.vitals[-1] if self.vitals else None

    @property
    def open_alerts(self) -> list[dict[str, Any]]:
        """The alerts of the latest set of vitals: they stay in view until a new set is in range."""
        latest = self.latest_vitals
        return latest.alerts if latest is not None and self.session.status in OPEN_FOR_VITALS else []

    @property
    def current_rate(self) -> Any:
        return self.rate_changes[-1] if self.rate_changes else None

    @property
    def next_vitals_due(self) -> dt.datetime | None:
        latest = self.latest_vitals
        return next_vitals_due(self.session, latest.taken_at if latest else None, bool(latest and latest.alerts),
                               self.recheck_minutes)  # fmt: skip

    @property
    def rate_per_kg_h(self) -> Decimal | None:
        """What the running pump gives in mg/kg/h (one source of truth on screen, after any change)."""
        rate, weight = self.current_rate, self.session.weight_kg
        if rate is None or not weight:
            return None
        per_kg: Decimal | None = rate.rate_mg_per_kg_h
        if per_kg is not None:
            return per_kg
        per_hour: Decimal = rate.rate_mg_h
        return (per_hour / weight).quantize(Decimal("0.001"))

    @property
    def elapsed_minutes(self) -> int | None:
        started = self.session.started_at
        return int((self.now - started).total_seconds() // 60) if started else None


def next_vitals_due(
    session: InfusionSession,
    last_taken: dt.datetime | None,
    last_had_alert: bool = False,
    recheck_minutes: int = RECHECK_MINUTES,
) -> dt.datetime | None:
    """While in the chair, the next set is due one protocol interval after the last one, or sooner after a set with
    an alert (infusions.chair.next_vitals_due, docs/clinical.md §4.1)."""
    if session.status not in IN_CHAIR_STATUSES:
        return None
    return chair_next_vitals_due(last_taken=last_taken, last_had_alert=last_had_alert,
                                 since=session.started_at or timezone.now(),
                                 interval=session.course.protocol.vitals_interval_minutes,
                                 recheck=recheck_minutes)  # fmt: skip


def clock_of(session: InfusionSession, changes: list[Any], given_mg: Decimal, now: dt.datetime) -> InfusionClock:
    """The running infusion's planned end and overrun alerts (infusions.chair.infusion_clock)."""
    segments = rate_segments(changes, None)
    protocol = session.course.protocol
    return infusion_clock(segments=segments, fixed_dose=not protocol.is_continuous,
                          planned_minutes=protocol.infusion_minutes, planned_mg=session.planned_dose_mg,
                          given_mg=given_mg, now=now)  # fmt: skip


# The modified PADSS items by their short names (Chung 1995; the discharge form gives each score's meaning).
PADSS_ITEM_NAMES = {
    "padss_vitals": "vital signs",
    "padss_activity": "activity",
    "padss_nausea": "nausea and vomiting",
    "padss_pain": "pain",
    "padss_bleeding": "bleeding",
}


def session_chart(session: InfusionSession, user: Any = None) -> Chart:
    """What the chart shows; with ``user``, also the other apps' parts of the record that user may read (the side
    effects the signer reviews, issue #17)."""
    from infusions.services import administered_mg, discharge_vitals, start_problems

    now = timezone.now()
    chart = Chart(
        session=session,
        vitals=list(session.vitals.active().select_related("created_by")),
        rate_changes=list(session.rate_changes.active().select_related("created_by")),
        medications=list(session.medications.active().select_related("created_by")),
        addenda=list(session.addenda.active().select_related("created_by")),
        now=now,
    )
    session.read_pump_from(chart.rate_changes)  # what the lifecycle asks (is the pump paused?), from these rows
    settings = mark_late_entries(chart)
    chart.recheck_minutes = settings.vitals_recheck_minutes
    chart.risk_alerts = list(
        QuestionnaireResponse.objects.filter(patient_id=session.patient_id).open_risk_alerts().order_by("completed_at")
    )
    if session.status == SessionStatus.CHECKED_IN:
        chart.start_problems = start_problems(session, risk_alerts=chart.risk_alerts)
    if session.state.observing:
        chart.discharge = discharge_vitals(session, chart.vitals, now)
    if user is not None and session.state.has_begun:
        chart.sections = session_sections(session, user)
    if session.status == SessionStatus.INFUSING:
        chart.given_mg = administered_mg(session, until=now, changes=chart.rate_changes)  # in time order (Meta)
        chart.clock = clock_of(session, chart.rate_changes, chart.given_mg, now)
    return chart


def mark_late_entries(chart: Chart) -> InfusionSettings:
    """Set ``late_entry`` on each timeline row charted longer after the time it records than the clinic's limit
    (infusions.timing, docs/clinical.md §12). Returns the settings row it read."""
    settings = InfusionSettings.current()
    for rows, when in ((chart.vitals, "taken_at"), (chart.rate_changes, "at"), (chart.medications, "given_at")):
        for row in rows:
            row.late_entry = is_late_entry(getattr(row, when), row.created_at, settings.late_entry_minutes)
    return settings
