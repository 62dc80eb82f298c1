"""Two front-desk clerks book the same slot at the same second, each from their own database connection: the
database lets one win and refuses the other, who gets the message and the next free time; one booking is held
(issue #18 "Done when")."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from scheduling import services
from scheduling.models import Booking
from tests.factories import UserFactory
from tests.infusions.factories import CourseFactory
from tests.scheduling.factories import ChairFactory, at, next_monday, open_week

pytestmark = pytest.mark.django_db(transaction=True)


def book_at_once(requests: list[dict]) -> list[object]:
    """Run each booking in its own thread, connection and transaction; both have checked their input and are about
    to INSERT before either does (the barrier), so neither could have seen the other's booking. Returns each
    thread's booking or ValidationError."""
    barrier = threading.Barrier(len(requests), timeout=30)
    results: list[object] = [None] * len(requests)
    full_clean = Booking.full_clean

    def checked_then_wait(self, *args, **kwargs):
        full_clean(self, *args, **kwargs)
        barrier.wait()

    def run(index: int, request: dict) -> None:
        try:
            results[index] = services.booking_book(**request)
        except ValidationError as exc:
            results[index] = exc
        finally:
            connection.close()

    Booking.full_clean = checked_then_wait
    try:
        threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        Booking.full_clean = full_clean
    return results


def test_the_same_chair_booked_from_two_connections_at_once_is_held_once():
    open_week()
    monday = next_monday()
    chair, desk = ChairFactory(), UserFactory()
    courses = [CourseFactory(), CourseFactory()]
    results = book_at_once([{"course": c, "start": at(monday, 9), "chair": chair, "by": desk} for c in courses])

    won = [r for r in results if isinstance(r, Booking)]
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert (len(won), len(lost)) == (1, 1)
    assert lost[0].message_dict["scheduled_for"] == [
        f"This chair is already booked at that time. The next free time in {chair}: {at(monday, 10, 40):%a %-d %b} "
        "10:40."
    ]
    assert list(Booking.objects.values_list("session__course", flat=True)) == [won[0].session.course_id]
    loser = next(c for c in courses if c.pk != won[0].session.course_id)
    assert not loser.sessions.exists()  # the loser's session went with its refused booking


def test_the_same_patient_booked_into_two_chairs_at_once_is_held_once():
    open_week()
    monday = next_monday()
    course, desk = CourseFactory(), UserFactory()
    results = book_at_once(
        [{"course": course, "start": at(monday, 9), "chair": ChairFactory(), "by": desk} for _ in range(2)]
    )
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert len(lost) == 1
    assert lost[0].message_dict["scheduled_for"][0].startswith("This patient already has a session booked")
    assert Booking.objects.count() == 1
    assert course.sessions.count() == 1
