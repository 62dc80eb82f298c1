"""The sessions' worklists (issue #18): each the one rule behind a dashboard count (infusions/counts.py) and the list
that count opens (infusions/views/worklists.py), so the number and the rows never disagree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import DateTimeField, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.dates import local_day_bounds
from infusions.chair import RECHECK_MINUTES
from infusions.choices import SessionStatus
from infusions.lifecycle import IN_CHAIR_STATUSES
from infusions.models import InfusionSession, InfusionSettings, VitalSign

MINUTE = dt.timedelta(minutes=1)
#: Today's sessions a nurse still has to see through: booked, checked in, in the chair.
NOT_YET_DISCHARGED = [SessionStatus.SCHEDULED, SessionStatus.CHECKED_IN, *IN_CHAIR_STATUSES]
#: Begun but not discharged: left open on an earlier day, they fall off the today board.
BEGUN_NOT_DISCHARGED = [SessionStatus.CHECKED_IN, *IN_CHAIR_STATUSES]


def _sessions(user: Any) -> Any:
    return InfusionSession.objects.visible_to(user).active()


def sessions_to_sign(user: Any) -> Any:
    """Discharged sessions not yet signed, of any day, oldest first (a session from last week still waits)."""
    return _sessions(user).filter(status=SessionStatus.DISCHARGED).order_by("scheduled_for", "pk")


def sessions_to_check_in(user: Any) -> Any:
    """Today's bookings not yet checked in, by time."""
    return (
        _sessions(user)
        .on_day(timezone.localdate())
        .filter(status=SessionStatus.SCHEDULED)
        .order_by("scheduled_for", "chair", "pk")
    )


def todays_chairs(user: Any) -> Any:
    """Today's sessions not yet discharged (booked, checked in, infusing, observing), by chair and time."""
    return (
        _sessions(user)
        .on_day(timezone.localdate())
        .filter(status__in=NOT_YET_DISCHARGED)
        .order_by("chair", "scheduled_for", "pk")
    )


def sessions_vitals_due(user: Any) -> Any:
    """Sessions in the chair whose next set of vitals is due now: one protocol interval after the last set (or the
    start), or the clinic's recheck time after a set with an alert (infusions.chair.next_vitals_due,
    docs/clinical.md §4.1), the most overdue first. The rule in SQL, so the count is one query."""
    now = timezone.now()
    latest = VitalSign.objects.filter(session=OuterRef("pk"), voided_at__isnull=True).order_by("-taken_at", "-id")
    recheck = Coalesce(
        Subquery(InfusionSettings.objects.filter(pk=1).values("vitals_recheck_minutes")[:1]), Value(RECHECK_MINUTES)
    )
    return (
        _sessions(user)
        .filter(status__in=IN_CHAIR_STATUSES, started_at__isnull=False)
        .annotate(last_vitals_at=Subquery(latest.values("taken_at")[:1]))
        .annotate(
            vitals_due_at=ExpressionWrapper(
                Coalesce("last_vitals_at", "started_at")
                + ExpressionWrapper(F("course__protocol__vitals_interval_minutes") * MINUTE, DurationField()),
                DateTimeField(),
            ),
            recheck_due_at=ExpressionWrapper(
                F("last_vitals_at") + ExpressionWrapper(recheck * MINUTE, DurationField()), DateTimeField()
            ),
            last_had_alert=Exists(latest.filter(taken_at=OuterRef("last_vitals_at")).exclude(alerts=[])),
        )
        .filter(Q(vitals_due_at__lte=now) | Q(last_had_alert=True, recheck_due_at__lte=now))
        .order_by("vitals_due_at", "pk")
    )


def sessions_to_complete(user: Any) -> Any:
    """Sessions of an earlier day checked in or in the chair but never discharged, oldest first: the chart is open
    and the session can be neither signed nor counted as given until a nurse completes it."""
    start_of_today, _ = local_day_bounds(timezone.localdate(), timezone.localdate())
    return (
        _sessions(user)
        .filter(status__in=BEGUN_NOT_DISCHARGED, scheduled_for__lt=start_of_today)
        .order_by("scheduled_for", "pk")
    )


@dataclass(frozen=True)
class SessionWorklist:
    """One list of sessions waiting for someone, and the dashboard count of it."""

    key: str  # URL: infusions:worklist_<key>
    title: str  # the list page's heading
    label: str  # the dashboard's count
    description: str
    permission: str
    select: Callable[[Any], Any]
    order: int
    icon: str


SESSION_WORKLISTS = {
    worklist.key: worklist
    for worklist in [
        SessionWorklist("to_sign", "Sessions to sign", "sessions awaiting signature",
                        "Discharged sessions not yet signed, from any day, oldest first.",
                        "infusions.sign_session", sessions_to_sign, 30, "pen"),
        SessionWorklist("check_in", "Booked today, not yet checked in", "booked today, not yet checked in",
                        "Today's bookings whose patient has not been checked in yet, by time.",
                        "infusions.view_infusionsession", sessions_to_check_in, 10, "calendar-check"),
        SessionWorklist("todays_chairs", "Today's chairs", "today's sessions not yet discharged",
                        "Today's sessions booked, checked in, infusing or observing, by chair and time.",
                        "infusions.add_vitalsign", todays_chairs, 11, "grid-3x3-gap"),
        SessionWorklist("vitals_due", "Vitals due", "vitals due now",
                        "Sessions in the chair whose next set of vitals is due, the most overdue first.",
                        "infusions.add_vitalsign", sessions_vitals_due, 12, "heart-pulse"),
        SessionWorklist("to_complete", "Sessions to complete", "sessions left open on an earlier day",
                        "Sessions of an earlier day checked in or in the chair but never discharged, oldest first.",
                        "infusions.add_vitalsign", sessions_to_complete, 13, "hourglass-split"),
    ]
}  # fmt: skip
