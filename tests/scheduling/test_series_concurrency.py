"""Booking a course is all or nothing under a real race: while the series is being booked on one connection,
another clerk books the fourth session's chair on another and commits first; the series books none of its six
sessions (issue #18, "Book a course")."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from infusions.models import InfusionSession
from scheduling import services
from scheduling.models import CHAIR_TAKEN, Booking
from tests.factories import UserFactory
from tests.infusions.factories import CourseFactory
from tests.scheduling.factories import ChairFactory, at, next_monday, open_week

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_fourth_slot_taken_by_another_clerk_mid_series_books_nothing():
    open_week()
    chair, desk, course, other = ChairFactory(), UserFactory(), CourseFactory(), CourseFactory()
    proposal = services.series_propose(course=course, first=at(next_monday(), 10), chair=chair)
    rows = [(slot.start, chair) for slot in proposal.slots]
    reached, taken = threading.Event(), threading.Event()
    results: dict[str, object] = {}
    full_clean = Booking.full_clean

    def wait_at_the_fourth(self, *args, **kwargs):
        full_clean(self, *args, **kwargs)
        if threading.current_thread().name == "series" and self.start == rows[3][0]:
            reached.set()  # rows 1 to 3 are inserted, not yet committed
            assert taken.wait(30)

    def series() -> None:
        try:
            results["series"] = services.series_book(course=course, rows=rows, by=desk)
        except ValidationError as exc:
            results["series"] = exc
        finally:
            connection.close()

    def clerk() -> None:
        try:
            assert reached.wait(30)
            results["clerk"] = services.booking_book(course=other, start=rows[3][0], chair=chair, by=desk)
        finally:
            taken.set()
            connection.close()

    Booking.full_clean = wait_at_the_fourth
    try:
        threads = [threading.Thread(target=series, name="series"), threading.Thread(target=clerk, name="clerk")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        Booking.full_clean = full_clean

    refused = results["series"]
    assert isinstance(refused, services.SeriesRowRefused)
    assert refused.row == 3
    assert refused.message_dict["scheduled_for"][0].startswith(CHAIR_TAKEN)
    assert isinstance(results["clerk"], Booking)
    assert not Booking.objects.filter(session__course=course).exists()
    assert not InfusionSession.objects.filter(course=course).exists()
    assert list(Booking.objects.values_list("session__course", flat=True)) == [other.pk]
