"""Rows that wait on the worklists (issue #18), one filler per kind, shared by the worklist tests and the access-log
sweep (tests/security/test_access_log_coverage.py LIST_PAGES). Times are computed from the clinic's today, so each
row is where it belongs at any hour the suite runs."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from infusions.choices import SessionStatus
from infusions.models import InfusionSession, VitalSign
from patients.models import Consent
from side_effects.models import ExternalReport, SideEffect
from tests.infusions.factories import SessionFactory
from tests.patients.factories import ConsentFactory
from tests.side_effects.factories import SideEffectFactory

GOOD_VITALS = {"systolic": 122, "diastolic": 78, "heart_rate": 72, "spo2": 98}


def at_today(hour: int, days: int = 0) -> dt.datetime:
    """``hour`` o'clock on the clinic's today (plus ``days``), so "today" holds at any hour the suite runs."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def session_on_day(status: str, days: int = 0, **fields: object) -> InfusionSession:
    """A session at noon ``days`` from today in ``status``."""
    return SessionFactory(status=status, scheduled_for=at_today(12, days=days), **fields)


def missed_session(days: int = -2, **fields: object) -> InfusionSession:
    """An appointment at noon ``days`` from today that the patient did not come to."""
    return session_on_day(SessionStatus.NO_SHOW, days=days, cancel_reason="Did not come to the appointment.", **fields)


def cancelled_session(days: int, **fields: object) -> InfusionSession:
    return session_on_day(SessionStatus.CANCELLED, days=days, cancel_reason="Patient asked to move it.", **fields)


def questionnaire_due_session(days: int = 2, **fields: object) -> InfusionSession:
    """Booked at noon ``days`` ahead for a depression patient (PatientFactory's indication) who has never answered
    the PHQ-9 or GAD-7: both are due before the visit."""
    return session_on_day(SessionStatus.SCHEDULED, days=days, **fields)


def vitals_due_session() -> InfusionSession:
    """Infusing today, started half an hour ago, its last vitals 25 minutes ago: the next set is due."""
    now = timezone.now()
    session = session_on_day(SessionStatus.INFUSING, started_at=now - dt.timedelta(minutes=30))
    VitalSign.objects.create(session=session, taken_at=now - dt.timedelta(minutes=25), **GOOD_VITALS)
    return session


def consent_expiring(days: int = 10, **fields: object) -> Consent:
    """A consent signed 350 days ago that lapses ``days`` from today."""
    today = timezone.localdate()
    lapses_on = today + dt.timedelta(days=days)
    return ConsentFactory(signed_on=today - dt.timedelta(days=350), expires_on=lapses_on, **fields)


def overdue_report(event: SideEffect | None = None) -> ExternalReport:
    """A MedWatch report that was due yesterday and has not been sent."""
    event = event or SideEffectFactory()
    return ExternalReport.objects.create(
        event=event, destination="medwatch", due_on=timezone.localdate() - dt.timedelta(days=1)
    )
