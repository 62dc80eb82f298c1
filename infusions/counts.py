"""What waits on the dashboard for the roles at the chair and the front desk (``clinic.navigation.register``): each
count one query, scoped to the patients the user may see (issue #17)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from clinic.navigation import WaitingCount
from infusions.choices import SessionStatus
from infusions.models import InfusionSession
from patients.models import QuestionnaireResponse


def todays_chairs(user: Any) -> list[WaitingCount] | None:
    """Today's sessions by where they stand: booked and not yet checked in (everyone who sees the board), and for
    those who chart, checked in, running and awaiting discharge (observing)."""
    if not user.has_perm("infusions.view_infusionsession"):
        return None
    by_status = (
        InfusionSession.objects.visible_to(user)
        .on_day(timezone.localdate())
        .aggregate(**{status: Count("pk", filter=Q(status=status)) for status in WAITING_TODAY})
    )
    counts = [WaitingCount("booked today, not yet checked in", by_status[SessionStatus.SCHEDULED],
                           "infusions:today_board", order=10, icon="calendar-check")]  # fmt: skip
    if user.has_perm("infusions.add_vitalsign"):
        counts += [
            WaitingCount(label, by_status[status], "infusions:today_board", order=order, icon="heart-pulse")
            for status, label, order in CHARTING_TODAY
        ]
    return counts


def awaiting_signature(user: Any) -> list[WaitingCount] | None:
    """Discharged sessions not yet signed, of any date (a session from last week still waits)."""
    if not user.has_perm("infusions.sign_session"):
        return None
    count = InfusionSession.objects.visible_to(user).active().filter(status=SessionStatus.DISCHARGED).count()
    return [WaitingCount("sessions awaiting signature", count, "infusions:today_board", order=30, icon="pen")]


def open_risk_alerts(user: Any) -> list[WaitingCount] | None:
    """Suicide-risk alerts no clinician has acknowledged yet (patients.QuestionnaireResponse.open_risk_alerts)."""
    if not user.has_perm("patients.acknowledge_risk_alert"):
        return None
    count = QuestionnaireResponse.objects.visible_to(user).open_risk_alerts().count()
    return [WaitingCount("suicide-risk alerts to acknowledge", count, "patients:clinician_queue", order=20,
                         icon="exclamation-octagon")]  # fmt: skip


WAITING_TODAY = [SessionStatus.SCHEDULED, SessionStatus.CHECKED_IN, SessionStatus.INFUSING, SessionStatus.OBSERVING]
CHARTING_TODAY = [
    (SessionStatus.CHECKED_IN, "checked in today", 11),
    (SessionStatus.INFUSING, "infusing now", 12),
    (SessionStatus.OBSERVING, "awaiting discharge", 13),
]
WAITING = [todays_chairs, open_risk_alerts, awaiting_signature]
