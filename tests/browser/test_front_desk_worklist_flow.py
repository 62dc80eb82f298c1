"""Front desk finds a course with nothing booked ahead and a missed appointment on its home page, books both from the
lists, and both lists empty; front desk records a patient's agreement to reminders and reads what was sent; front
desk sees which questionnaires a patient booked this week must answer first (issue #18). The clinic opens every day
in this test, and the bookings are two days ahead, so the flow holds whatever day it runs."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts import roles
from scheduling import reminders, services
from scheduling.models import Booking, OpeningHours
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.clinic.waiting import missed_session, questionnaire_due_session
from tests.factories import TEST_PASSWORD, UserFactory
from tests.infusions.factories import CourseFactory
from tests.patients.factories import PatientFactory, QuestionnaireFactory
from tests.scheduling.factories import ChairFactory, RoomFactory, at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "tablet": {"width": 820, "height": 1180}}


def book_from_the_course_page(page, day: dt.date, hour: int) -> None:
    page.get_by_label("Date and time").fill(f"{day:%Y-%m-%d}T{hour:02d}:00")
    page.get_by_label("Chair").select_option(label="W1 (West)")
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_text(f"Booked {day:%-d %b} {hour:02d}:00, chair W1.")).to_be_visible()


def check_list(page, name: str) -> None:
    screenshot(page, f"{name}_1366")
    assert serious_accessibility_violations(page) == []
    page.set_viewport_size(SIZES["tablet"])
    expect(page.get_by_test_id("worklist")).to_be_visible()
    screenshot(page, f"{name}_820")
    assert serious_accessibility_violations(page) == []
    page.set_viewport_size(SIZES["desktop"])


def test_front_desk_books_a_waiting_course_and_follows_up_a_missed_appointment(page):
    for weekday in range(7):
        OpeningHours.objects.create(weekday=weekday, opens=dt.time(8), closes=dt.time(18))
    ChairFactory(name="W1", room=RoomFactory(name="West"))
    UserFactory(username="desk", first_name="Ari", role=roles.FRONT_DESK)
    ordered = CourseFactory()
    missed = missed_session(-2)
    ahead = timezone.localdate() + dt.timedelta(days=2)

    page.set_viewport_size(SIZES["desktop"])
    log_in(page, "desk", TEST_PASSWORD)
    page.get_by_role("link", name=re.compile("courses with nothing booked ahead")).click()
    expect(page.get_by_role("heading", name="Courses with nothing booked ahead")).to_be_visible()
    row = page.get_by_test_id("worklist-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(ordered.patient.display_name)
    expect(row).to_contain_text("Never booked")
    check_list(page, "worklist_to_book")
    row.get_by_role("link", name=re.compile("Open course")).click()
    book_from_the_course_page(page, ahead, 10)
    page.goto("/schedule/to-book/")
    expect(page.get_by_text("Every course under way has its next session booked.")).to_be_visible()

    page.goto("/")
    page.get_by_role("link", name=re.compile("missed appointments to follow up")).click()
    row = page.get_by_test_id("worklist-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(missed.patient.display_name)
    expect(row).to_contain_text(missed.patient.phone)
    check_list(page, "worklist_no_show")
    row.get_by_role("link", name=re.compile("Book again")).click()
    book_from_the_course_page(page, ahead, 13)
    page.goto("/schedule/missed/")
    expect(page.get_by_text("No missed appointment is waiting for a call.")).to_be_visible()
    assert Booking.objects.filter(session__course__in=[ordered, missed.course]).count() == 2


def test_front_desk_records_the_agreement_to_reminders_and_reads_what_was_sent(page):
    for weekday in range(7):
        OpeningHours.objects.create(weekday=weekday, opens=dt.time(8), closes=dt.time(18))
    chair = ChairFactory(name="W1", room=RoomFactory(name="West"))
    UserFactory(username="desk", first_name="Ari", role=roles.FRONT_DESK)
    patient = PatientFactory(email="robin@example.org")
    ahead = timezone.localdate() + dt.timedelta(days=2)
    booking = services.booking_book(course=CourseFactory(patient=patient), start=at(ahead, 10), chair=chair,
                                    by=UserFactory())  # fmt: skip

    page.set_viewport_size(SIZES["desktop"])
    log_in(page, "desk", TEST_PASSWORD)
    page.goto(f"/patients/{patient.pk}/")
    expect(page.get_by_test_id("no-reminders-consent")).to_be_visible()
    page.goto(f"/patients/{patient.pk}/edit/")
    page.get_by_label("May be sent appointment reminders").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("no-reminders-consent")).to_have_count(0)

    assert reminders.send_due(now=booking.start - dt.timedelta(hours=23)) == 2  # what the worker does every 5 min
    page.reload()
    sent = page.get_by_test_id("patient-reminders")
    expect(sent).to_contain_text("robin@example.org")
    expect(sent).to_contain_text("Text message")
    expect(sent).to_contain_text("(24 h before)")
    sent.scroll_into_view_if_needed()
    screenshot(page, "patient_reminders_1366")
    assert serious_accessibility_violations(page) == []
    page.set_viewport_size(SIZES["tablet"])
    sent.scroll_into_view_if_needed()
    screenshot(page, "patient_reminders_820")
    assert serious_accessibility_violations(page) == []


def test_front_desk_sees_which_questionnaires_are_due_before_a_visit_until_they_are_answered(page):
    UserFactory(username="desk", first_name="Ari", role=roles.FRONT_DESK)
    session = questionnaire_due_session(days=2)
    QuestionnaireFactory(patient=session.patient, instrument="gad7", total=6)  # answered today: covers the visit

    page.set_viewport_size(SIZES["desktop"])
    log_in(page, "desk", TEST_PASSWORD)
    page.get_by_role("link", name=re.compile("patients with questionnaires due before their visit")).click()
    expect(page.get_by_role("heading", name="Questionnaires due before the next visit")).to_be_visible()
    row = page.get_by_test_id("worklist-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(session.patient.display_name)
    expect(row.get_by_test_id("due-questionnaires")).to_have_text("PHQ-9")
    check_list(page, "worklist_questionnaires_due")

    QuestionnaireFactory(patient=session.patient, instrument="phq9", total=9)  # answered at the kiosk or by phone
    page.reload()
    expect(page.get_by_text("No patient booked this week has a questionnaire due.")).to_be_visible()
