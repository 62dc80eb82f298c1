"""Reads for the chart page and the today board, each with a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone

from infusions.choices import SessionStatus
from infusions.lifecycle import IN_CHAIR_STATUSES, OPEN_FOR_VITALS
from infusions.models import InfusionSession, InfusionSettings, VitalSign
from infusions.timing import is_late_entry


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

    @property
    def latest_vitals(self) -> Any:
        return self.vitals[-1] if self.vitals else None

    @property
    def open_alerts(self) -> list[dict]:
        """The alerts of the latest set of vitals: they stay in view until a new set is in range."""
        latest = self.latest_vitals
        return latest.alerts if latest is not None and self.session.status in OPEN_FOR_VITALS else []

    @property
    def current_rate(self) -> Any:
        return self.rate_changes[-1] if self.rate_changes else None

    @property
    def next_vitals_due(self) -> dt.datetime | None:
        return next_vitals_due(self.session, self.latest_vitals.taken_at if self.latest_vitals else None)

    @property
    def elapsed_minutes(self) -> int | None:
        started = self.session.started_at
        return int((self.now - started).total_seconds() // 60) if started else None


def next_vitals_due(session: InfusionSession, last_taken: dt.datetime | None) -> dt.datetime | None:
    """While in the chair, the next set is due one protocol interval after the last one (docs/clinical.md §4.1)."""
    if session.status not in IN_CHAIR_STATUSES:
        return None
    interval = dt.timedelta(minutes=session.course.protocol.vitals_interval_minutes)
    return (last_taken or session.started_at or timezone.now()) + interval


def session_chart(session: InfusionSession) -> Chart:
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
    # What the lifecycle asks (is the pump paused?) is read from the rows already loaded.
    session.__dict__["pump_paused"] = bool(
        session.state.infusing and chart.rate_changes and chart.rate_changes[-1].rate_ml_h == 0
    )
    mark_late_entries(chart)
    if session.status == SessionStatus.CHECKED_IN:
        chart.start_problems = start_problems(session)
    if session.state.observing:
        chart.discharge = discharge_vitals(session, chart.vitals, now)
    if session.status == SessionStatus.INFUSING:
        chart.given_mg = administered_mg(session, until=now, changes=chart.rate_changes)  # in time order (Meta)
    return chart


def mark_late_entries(chart: Chart) -> None:
    """Set ``late_entry`` on each timeline row charted longer after the time it records than the clinic's limit
    (infusions.timing, docs/clinical.md §12)."""
    limit = InfusionSettings.current().late_entry_minutes
    for rows, when in ((chart.vitals, "taken_at"), (chart.rate_changes, "at"), (chart.medications, "given_at")):
        for row in rows:
            row.late_entry = is_late_entry(getattr(row, when), row.created_at, limit)


def board_sessions(day: dt.date, queryset: Any) -> list[InfusionSession]:
    """The day's sessions by chair, each with the time of its last vitals and that set's alerts."""
    latest = VitalSign.objects.filter(session=OuterRef("pk"), voided_at__isnull=True).order_by("-taken_at", "-id")
    sessions = list(
        queryset.active()
        .on_day(day)
        .for_board()
        .annotate(
            last_vitals_at=Max("vitals__taken_at", filter=Q(vitals__voided_at__isnull=True)),
            latest_alerts=Subquery(latest.values("alerts")[:1]),
        )
    )
    for session in sessions:
        session.next_due = next_vitals_due(session, session.last_vitals_at)
        session.board_alerts = (session.latest_alerts or []) if session.status in OPEN_FOR_VITALS else []
    return sessions
