"""Factories and a standard week for the schedule's tests. Fake data only."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from scheduling.models import Chair, Closure, OpeningHours, Room
from tests.clock import t0


class RoomFactory(DjangoModelFactory):
    class Meta:
        model = Room

    name = factory.Sequence(lambda n: f"Room {n}")


class ChairFactory(DjangoModelFactory):
    class Meta:
        model = Chair

    name = factory.Sequence(lambda n: f"C{n}")
    room = factory.SubFactory(RoomFactory)


def open_week() -> None:
    """The demo's hours: Monday to Friday 08:00–18:00, Saturday 09:00–13:00, closed on Sunday."""
    for weekday in range(5):
        OpeningHours.objects.create(weekday=weekday, opens=dt.time(8), closes=dt.time(18))
    OpeningHours.objects.create(weekday=5, opens=dt.time(9), closes=dt.time(13))


def next_monday(weeks_ahead: int = 2) -> dt.date:
    """A Monday at least ``weeks_ahead`` weeks after the test started, whatever day that is."""
    today = timezone.localtime(t0()).date()
    return today + dt.timedelta(days=7 * weeks_ahead - today.weekday())


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """``day`` at a wall-clock time in the clinic's zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def close(day: dt.date, reason: str = "Clinic holiday") -> Closure:
    return Closure.objects.create(date=day, reason=reason)


# What booking warns of for a factory patient (infusions.selectors.courses.booking_cautions)
NOT_READY = [  # the factory's patient: no screening, no consent, no questionnaire, never treated
    "No contraindication screening on file: complete one and have a clinician review it.",
    "No signed treatment consent on file: record the patient's signed consent.",
]
BASELINES = "No baseline PHQ-9 and GAD-7 before the first infusion: ask the patient to complete them before they start."
