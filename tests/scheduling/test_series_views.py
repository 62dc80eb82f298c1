"""Booking a course (scheduling.services series_propose/series_book, scheduling.views.CourseSeriesView): the page
proposes the induction from where it starts, books every row or none, names the row a refusal is about with the next
free time, and reads as many queries however full the schedule is."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from infusions.models import InfusionSession
from scheduling import services
from scheduling.models import CHAIR_TAKEN, Booking
from tests.factories import UserFactory
from tests.infusions.factories import CourseFactory
from tests.scheduling.factories import BASELINES, NOT_READY, ChairFactory, at, close, next_monday, open_week

pytestmark = pytest.mark.django_db

SESSION = dt.timedelta(minutes=100)  # the depression protocol: 40 min infusion + 60 min observation


@pytest.fixture
def monday():
    open_week()
    return next_monday()


@pytest.fixture
def chair():
    return ChairFactory()


def url(course) -> str:
    return reverse("scheduling:course_series", kwargs={"pk": course.pk})


def propose(client, course, first, chair):
    data = {"action": "propose", "start-first": f"{first:%Y-%m-%dT%H:%M}", "start-chair": str(chair.pk)}
    return client.post(url(course), data)


def book(client, course, first, chair, rows):
    data = {"action": "book", "start-first": f"{first:%Y-%m-%dT%H:%M}", "start-chair": str(chair.pk),
            "rows-TOTAL_FORMS": str(len(rows)), "rows-INITIAL_FORMS": "0", "rows-MIN_NUM_FORMS": "1",
            "rows-MAX_NUM_FORMS": "30"}  # fmt: skip
    for n, (start, row_chair) in enumerate(rows):
        data[f"rows-{n}-scheduled_for"] = f"{timezone.localtime(start):%Y-%m-%dT%H:%M}"
        data[f"rows-{n}-chair"] = str(row_chair.pk)
    return client.post(url(course), data)


def proposed_rows(course, monday, chair):
    proposal = services.series_propose(course=course, first=at(monday, 10), chair=chair)
    assert proposal.ok, proposal.problem
    return [(slot.start, chair) for slot in proposal.slots]


def test_the_series_books_every_row_with_its_session(monday, chair):
    course, desk = CourseFactory(), UserFactory()
    booked = services.series_book(course=course, rows=proposed_rows(course, monday, chair), by=desk)
    assert len(booked) == 6
    sessions = InfusionSession.objects.filter(course=course).order_by("scheduled_for")
    assert [s.scheduled_for for s in sessions] == [b.start for b in booked]
    assert {s.chair for s in sessions} == {chair.name}
    days = [(timezone.localtime(b.start).date() - monday).days for b in booked]
    assert days == [0, 2, 4, 7, 9, 11]


def test_a_fourth_slot_taken_since_the_proposal_books_nothing(monday, chair):
    course, desk = CourseFactory(), UserFactory()
    rows = proposed_rows(course, monday, chair)
    # Another clerk books the fourth slot's chair for another patient between the proposal and the confirmation.
    services.booking_book(course=CourseFactory(), start=rows[3][0], chair=chair, by=UserFactory())
    with pytest.raises(services.SeriesRowRefused, match=CHAIR_TAKEN) as refused:
        services.series_book(course=course, rows=rows, by=desk)
    assert refused.value.row == 3
    assert not Booking.objects.filter(session__course=course).exists()
    assert not InfusionSession.objects.filter(course=course).exists()


def test_front_desk_proposes_then_books_the_whole_induction(front_desk_client, monday, chair):
    course = CourseFactory()
    response = propose(front_desk_client, course, at(monday, 10), chair)
    assert response.status_code == HTTPStatus.OK
    rows = response.context["rows"]
    cautions = [*(f"For the session of {monday:%a %-d %b}: {problem}" for problem in NOT_READY), BASELINES]
    assert response.context["cautions"] == cautions  # shown before booking, and booking still allowed
    assert 'data-testid="booking-cautions"' in response.content.decode()
    assert [f.initial["scheduled_for"] for f in rows.forms][:2] == [at(monday, 10), at(monday + dt.timedelta(2), 10)]
    wanted = [(f.initial["scheduled_for"], chair) for f in rows.forms]
    response = book(front_desk_client, course, at(monday, 10), chair, wanted)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == course.get_absolute_url()
    assert Booking.objects.filter(session__course=course).live().count() == 6
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Booked 6 sessions, from {at(monday, 10):%a %-d %b} 10:00.",
        *cautions,
    ]


def test_a_row_changed_by_hand_is_booked_as_changed(front_desk_client, monday, chair):
    course, other = CourseFactory(), ChairFactory()
    rows = proposed_rows(course, monday, chair)
    rows[1] = (rows[1][0] + dt.timedelta(hours=2), other)
    assert book(front_desk_client, course, at(monday, 10), chair, rows).status_code == HTTPStatus.FOUND
    second = Booking.objects.filter(session__course=course).order_by("period")[1]
    assert (second.start, second.chair) == (rows[1][0], other)


def test_a_taken_row_is_named_with_the_next_free_time_and_nothing_is_booked(front_desk_client, monday, chair):
    course = CourseFactory()
    rows = proposed_rows(course, monday, chair)
    services.booking_book(course=CourseFactory(), start=rows[3][0], chair=chair, by=UserFactory())
    response = book(front_desk_client, course, at(monday, 10), chair, rows)
    assert response.status_code == HTTPStatus.OK
    fourth = response.context["rows"].forms[3]
    free = timezone.localtime(rows[3][0] + SESSION)
    assert fourth.errors["scheduled_for"] == [f"{CHAIR_TAKEN} The next free time in {chair}: {free:%a %-d %b %H:%M}."]
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Nothing was booked: session 4 cannot be held as it is. Change it and book again."
    ]
    assert not response.context["rows"].forms[2].errors
    assert not Booking.objects.filter(session__course=course).exists()


def test_a_row_on_a_closed_day_is_refused_next_to_its_time(front_desk_client, monday, chair):
    course = CourseFactory()
    rows = proposed_rows(course, monday, chair)
    rows[2] = (at(monday + dt.timedelta(days=6), 10), chair)  # a Sunday
    response = book(front_desk_client, course, at(monday, 10), chair, rows)
    assert response.context["rows"].forms[2].errors["scheduled_for"] == ["The clinic is closed on Sundays."]
    assert not Booking.objects.filter(session__course=course).exists()


def test_a_series_that_cannot_fit_is_refused_above_the_start(front_desk_client, monday, chair):
    for n in range(3, 12):
        close(monday + dt.timedelta(days=n), "Training")
    response = propose(front_desk_client, CourseFactory(), at(monday, 10), chair)
    errors = response.context["start_form"].non_field_errors()
    assert errors == [
        "Session 4 cannot be booked 1 to 4 days after session 3 (" + f"{monday + dt.timedelta(days=2):%a %-d %b}"
        + "): the clinic is closed on each of those days. Nothing is proposed; choose another start date or chair."
    ]  # fmt: skip
    assert "rows" not in response.context


def test_a_first_session_in_the_past_is_refused(front_desk_client, monday, chair):
    past = timezone.localtime() - dt.timedelta(days=1)
    response = propose(front_desk_client, CourseFactory(), past, chair)
    assert response.context["start_form"].errors["first"] == ["Choose a first session that is still ahead."]


def test_the_course_page_links_to_booking_the_induction(front_desk_client, chair):
    course = CourseFactory()
    response = front_desk_client.get(course.get_absolute_url())
    assert response.context["series_url"] == url(course)
    assert f'href="{url(course)}"' in response.content.decode()


@pytest.mark.parametrize("n_bookings", [1, 25])
def test_the_proposal_reads_as_many_queries_however_full_the_schedule(
    front_desk_client, django_assert_max_num_queries, monday, chair, n_bookings
):
    course, other_chair, desk = CourseFactory(), ChairFactory(), UserFactory()
    for n in range(n_bookings):
        start = at(monday + dt.timedelta(days=n % 5), 8) + n // 5 * SESSION
        services.booking_book(course=CourseFactory(), start=start, chair=other_chair, by=desk)
    with django_assert_max_num_queries(22):
        response = propose(front_desk_client, course, at(monday, 10), chair)
    assert len(response.context["rows"].forms) == 6
