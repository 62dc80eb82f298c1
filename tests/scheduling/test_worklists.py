"""Front desk's worklists (issue #18): courses under way with nothing booked ahead, and missed appointments to follow
up. A course waits on exactly one of them until it has its next session, and a missed appointment stays on the
follow-up list for 30 days."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from infusions.choices import CourseStatus, CourseStopReason, SessionStatus
from scheduling.selectors import NO_SHOW_FOLLOW_UP_DAYS, courses_to_book, longest_waiting_first, no_shows_to_follow_up
from tests.clinic.waiting import cancelled_session, missed_session, session_on_day
from tests.conftest import make_role_user
from tests.infusions.factories import CourseFactory
from tests.patients.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return make_role_user("front_desk")


def waiting(desk):
    return set(courses_to_book(desk)), set(no_shows_to_follow_up(desk))


def test_a_course_ordered_and_never_booked_waits_to_be_booked_first(desk):
    given = session_on_day(SessionStatus.DISCHARGED, days=-20).course
    ordered = CourseFactory()
    assert list(longest_waiting_first(courses_to_book(desk))) == [ordered, given]
    assert longest_waiting_first(courses_to_book(desk)).get(pk=ordered.pk).last_session_at is None


@pytest.mark.parametrize("status", [SessionStatus.SCHEDULED, SessionStatus.CHECKED_IN, SessionStatus.INFUSING])
def test_a_course_with_a_session_from_today_on_does_not_wait(desk, status):
    session = session_on_day(SessionStatus.DISCHARGED, days=-7)
    session_on_day(status, days=1 if status == SessionStatus.SCHEDULED else 0, course=session.course)
    assert waiting(desk) == (set(), set())


def test_a_session_booked_in_the_past_and_never_held_does_not_count_as_booked_ahead(desk):
    stale = session_on_day(SessionStatus.SCHEDULED, days=-2)
    assert waiting(desk) == ({stale.course}, set())


@pytest.mark.parametrize("status", [CourseStatus.COMPLETED, CourseStatus.STOPPED])
def test_an_ended_course_waits_for_nothing(desk, status):
    ended = {"status": status, "ended_on": timezone.localdate()}
    if status == CourseStatus.STOPPED:
        ended["stop_reason_code"] = CourseStopReason.PATIENT_CHOICE
    session_on_day(SessionStatus.DISCHARGED, days=-3, course=CourseFactory(**ended))
    missed_session(-1, course=CourseFactory(**ended))
    assert waiting(desk) == (set(), set())


def test_a_missed_appointment_waits_for_a_call_not_for_booking_until_the_course_goes_on(desk):
    missed = missed_session(-3)
    assert waiting(desk) == (set(), {missed})
    cancelled_session(2, course=missed.course)  # a cancelled one is not going on
    assert waiting(desk) == (set(), {missed})
    session_on_day(SessionStatus.SCHEDULED, days=2, course=missed.course)
    assert waiting(desk) == (set(), set())


def test_a_missed_appointment_followed_by_a_session_given_is_done_and_the_course_waits_to_be_booked(desk):
    missed = missed_session(-5)
    session_on_day(SessionStatus.DISCHARGED, days=-2, course=missed.course)
    assert waiting(desk) == ({missed.course}, set())


@pytest.mark.parametrize(
    ("days_ago", "on_follow_up"), [(NO_SHOW_FOLLOW_UP_DAYS - 1, True), (NO_SHOW_FOLLOW_UP_DAYS + 1, False)]
)
def test_a_missed_appointment_leaves_the_follow_up_list_after_30_days_and_the_course_waits_to_be_booked(
    desk, days_ago, on_follow_up
):
    missed = missed_session(-days_ago)
    assert waiting(desk) == ((set(), {missed}) if on_follow_up else ({missed.course}, set()))


def test_the_follow_up_list_is_oldest_first(desk):
    recent, old = missed_session(-1), missed_session(-9)
    assert list(no_shows_to_follow_up(desk)) == [old, recent]


def test_a_restricted_record_out_of_scope_is_on_neither_list(desk):
    hidden = PatientFactory(is_restricted=True)
    CourseFactory(patient=hidden)
    missed_session(-2, course=CourseFactory(patient=hidden))
    assert waiting(desk) == (set(), set())


@pytest.mark.parametrize("role", ["front_desk", "nurse", "clinician", "clinic_admin"])
def test_the_desk_sees_the_counts_and_every_booker_may_open_the_lists(role_client, role):
    client = role_client(role)
    CourseFactory()
    missed_session(-2)
    counts = {card["label"]: card["count"] for card in client.get(reverse("home")).context["waiting"]}
    shown = {"courses with nothing booked ahead", "missed appointments to follow up"} & set(counts)
    assert shown == ({"courses with nothing booked ahead", "missed appointments to follow up"}
                     if role == "front_desk" else set())  # fmt: skip
    for name in ("scheduling:to_book_worklist", "scheduling:no_show_worklist"):
        response = client.get(reverse(name))
        assert response.status_code == (HTTPStatus.FORBIDDEN if role == "clinic_admin" else HTTPStatus.OK), name
        if role != "clinic_admin":
            assert response.context["paginator"].count == 1, name


@pytest.mark.parametrize("name", ["scheduling:to_book_worklist", "scheduling:no_show_worklist"])
def test_the_front_desk_lists_cost_the_same_queries_however_many_wait(front_desk_client, name):
    def queries_with(n: int) -> int:
        for _ in range(n):
            CourseFactory()
            missed_session(-2)
        with CaptureQueriesContext(connection) as queries:
            assert front_desk_client.get(reverse(name)).status_code == HTTPStatus.OK
        return len(queries)

    assert queries_with(1) == queries_with(11)
