"""Front desk books a six-session induction from the course page and sees six bookings (issue #18, "Book a course").
The clinic opens every day in this test and the series starts tomorrow, so the proposal is the same whatever day the
test runs: tomorrow, then every second day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts import roles
from infusions.models import InfusionSession
from scheduling.models import Booking, OpeningHours
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, UserFactory
from tests.infusions.factories import CourseFactory
from tests.patients.factories import ClearedScreeningFactory, ConsentFactory
from tests.scheduling.factories import ChairFactory, RoomFactory, at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "tablet": {"width": 820, "height": 1180}}


def test_front_desk_books_a_six_session_induction_from_the_course_page(page):
    for weekday in range(7):
        OpeningHours.objects.create(weekday=weekday, opens=dt.time(8), closes=dt.time(18))
    room = RoomFactory(name="East")
    ChairFactory(name="E1", room=room, display_order=1)
    chair = ChairFactory(name="E2", room=room, display_order=2)
    UserFactory(username="desk", first_name="Ari", role=roles.FRONT_DESK)
    course = CourseFactory()
    first = timezone.localdate() + dt.timedelta(days=1)
    ClearedScreeningFactory(patient=course.patient)
    # The consent lapses between the third session (first + 4) and the fourth (first + 6): warned, not refused.
    ConsentFactory(patient=course.patient, signed_on=first - dt.timedelta(days=360), expires_on=first + dt.timedelta(5))

    page.set_viewport_size(SIZES["desktop"])
    log_in(page, "desk", TEST_PASSWORD)
    page.goto(course.get_absolute_url())
    page.get_by_test_id("book-series").click()
    page.get_by_label("First session").fill(f"{first:%Y-%m-%d}T10:00")
    page.get_by_label("Chair").select_option(label="E2 (East)")
    page.get_by_role("button", name="Propose the sessions").click()

    rows = page.get_by_test_id("series-row")
    expect(rows).to_have_count(6)
    expect(rows.nth(1).get_by_label("Date and time")).to_have_value(f"{first + dt.timedelta(days=2):%Y-%m-%d}T10:00")
    cautions = page.get_by_test_id("booking-cautions")
    expect(cautions).to_contain_text(
        f"By the session of {first + dt.timedelta(days=6):%a %-d %b}, the treatment consent will have expired"
    )
    expect(cautions).to_contain_text("No baseline PHQ-9 and GAD-7 before the first infusion")
    screenshot(page, "course_series_1366")
    assert serious_accessibility_violations(page) == []
    page.set_viewport_size(SIZES["tablet"])
    expect(rows.nth(5)).to_be_attached()
    screenshot(page, "course_series_820")
    assert serious_accessibility_violations(page) == []
    page.get_by_role("button", name="Book all 6 sessions").click()

    expect(page.get_by_text(f"Booked 6 sessions, from {first:%a %-d %b} 10:00.")).to_be_visible()
    expect(page.get_by_test_id("course-sessions").locator("tbody tr")).to_have_count(6)
    screenshot(page, "course_series_booked_820")
    bookings = list(Booking.objects.live().filter(session__course=course).order_by("period"))
    assert [b.start for b in bookings] == [at(first + dt.timedelta(days=2 * n), 10) for n in range(6)]
    assert {b.chair for b in bookings} == {chair}
    assert InfusionSession.objects.filter(course=course).count() == 6
