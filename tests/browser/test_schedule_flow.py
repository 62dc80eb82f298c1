"""A nurse finds today's booking on the schedule's day view; front desk moves it to another chair and time from its
block and sees it move (issue #18). The clinic opens every day in this test, so "today" is an open day whatever
day the test runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts import roles
from scheduling import services
from scheduling.choices import BookingStatus
from scheduling.models import Booking, OpeningHours
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, UserFactory
from tests.infusions.factories import CourseFactory
from tests.scheduling.factories import ChairFactory, RoomFactory, at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "tablet": {"width": 820, "height": 1180}}


def test_a_nurse_sees_todays_booking_and_front_desk_moves_it(page):
    for weekday in range(7):
        OpeningHours.objects.create(weekday=weekday, opens=dt.time(8), closes=dt.time(18))
    room = RoomFactory(name="East")
    chairs = [ChairFactory(name=f"E{n}", room=room, display_order=n) for n in range(1, 5)]
    UserFactory(username="rn", first_name="Sam", role=roles.NURSE)
    UserFactory(username="desk", first_name="Ari", role=roles.FRONT_DESK)
    today = timezone.localdate()
    booking = services.booking_book(course=CourseFactory(), start=at(today, 10), chair=chairs[0], by=UserFactory())
    services.booking_book(course=CourseFactory(), start=at(today, 8, 30), chair=chairs[2], by=UserFactory())
    patient = booking.patient
    label = f"{patient.family_name} {patient.given_name[0]}."

    page.set_viewport_size(SIZES["desktop"])
    log_in(page, "rn", TEST_PASSWORD)
    page.get_by_role("link", name="Schedule").first.click()
    row = page.locator('[data-testid="schedule-chair"][data-chair="E1"]')
    block = row.get_by_test_id("schedule-block")
    expect(block).to_contain_text("10:00–11:40")
    expect(block).to_contain_text(label)
    expect(block).to_contain_text(booking.session.course.protocol.name)
    screenshot(page, "schedule_day_1366")
    assert serious_accessibility_violations(page) == []
    page.set_viewport_size(SIZES["tablet"])
    expect(block).to_be_visible()
    screenshot(page, "schedule_day_820")
    assert serious_accessibility_violations(page) == []
    page.get_by_role("link", name="Week view").click()
    expect(page.get_by_test_id("schedule-week")).to_contain_text(label)
    screenshot(page, "schedule_week_820")
    assert serious_accessibility_violations(page) == []
    page.set_viewport_size(SIZES["desktop"])
    screenshot(page, "schedule_week_1366")
    assert serious_accessibility_violations(page) == []
    page.get_by_role("button", name="Sign out").click()

    log_in(page, "desk", TEST_PASSWORD)
    page.goto(f"/schedule/?date={today.isoformat()}")
    page.locator('[data-testid="schedule-chair"][data-chair="E1"]').get_by_test_id("schedule-block").click()
    move = page.get_by_test_id("booking-reschedule")
    move.get_by_label("New date and time").fill(f"{today:%Y-%m-%d}T14:15")
    move.get_by_label("Chair").select_option(label="E3 (East)")
    screenshot(page, "schedule_booking_1366")
    assert serious_accessibility_violations(page) == []
    page.set_viewport_size(SIZES["tablet"])
    expect(move.get_by_role("button", name="Move booking")).to_be_visible()
    screenshot(page, "schedule_booking_820")
    page.set_viewport_size(SIZES["desktop"])
    move.get_by_role("button", name="Move booking").click()

    expect(page.get_by_text("Moved to Chair E3")).to_be_visible()
    moved = page.locator('[data-testid="schedule-chair"][data-chair="E3"]').get_by_test_id("schedule-block")
    expect(moved.filter(has_text=label)).to_contain_text("14:15–15:55")
    first_chair = page.locator('[data-testid="schedule-chair"][data-chair="E1"]')
    expect(first_chair.get_by_test_id("schedule-block")).to_have_count(0)
    expect(page.get_by_test_id("schedule-not-held")).to_contain_text("Rescheduled to another time")
    screenshot(page, "schedule_day_moved_1366")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.RESCHEDULED
    live = Booking.objects.live().get(session=booking.session)
    assert (live.chair, live.start) == (chairs[2], at(today, 14, 15))
