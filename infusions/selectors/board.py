"""Reads for today's board (each session with its vitals due and alerts, in a fixed number of queries) and what the
course pages and the board show of doses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone

from clinic.accounts.models import User
from infusions.choices import SessionStatus
from infusions.lifecycle import OPEN_FOR_VITALS
from infusions.models import InfusionSession, InfusionSettings, RateChange, VitalSign
from infusions.roles import VIEW_DOSING
from infusions.selectors.chart import clock_of, next_vitals_due


def shows_dosing(user: User | AnonymousUser) -> bool:
    """Whether the course pages and the today board show ``user`` the doses: the ordered dose and maximum, the
    protocol's dose line, each session's mg/kg and total, and who signed. The one place this is decided (minimum
    necessary, HIPAA 164.502(b); security.md "Minimum necessary"): front desk sees the schedule, the chair, the status
    and who to call."""
    return user.has_perm(VIEW_DOSING)


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
    from infusions.services import administered_mg

    recheck = InfusionSettings.current().vitals_recheck_minutes
    running = [session for session in sessions if session.status == SessionStatus.INFUSING]
    changes: dict[int, list[Any]] = {session.pk: [] for session in running}
    for change in RateChange.objects.active().filter(session__in=running).order_by("at", "id"):  # one query
        changes[change.session_id].append(change)
    now = timezone.now()
    for session in sessions:
        session.next_due = next_vitals_due(session, session.last_vitals_at, bool(session.latest_alerts), recheck)
        session.board_alerts = (session.latest_alerts or []) if session.status in OPEN_FOR_VITALS else []
        session.running_alerts = []
        if session.pk in changes:
            given = administered_mg(session, until=now, changes=changes[session.pk])
            session.running_alerts = clock_of(session, changes[session.pk], given, now).alerts
    return sessions
