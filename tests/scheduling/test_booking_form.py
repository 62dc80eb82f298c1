"""The course page's "Book a session" form books through the schedule: a chair in use is chosen from a list, and a
refusal (outside the hours, a closure day, a chair or patient taken) comes back next to the field."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from scheduling.choices import BookingStatus
from scheduling.forms import DayForm
from scheduling.models import Booking
from tests.infusions.factories import CourseFactory
from tests.scheduling.factories import BASELINES, NOT_READY, ChairFactory, at, close, next_monday, open_week

pytestmark = pytest.mark.django_db


@pytest.fixture
def monday():
    open_week()
    return next_monday()


def post(client, course, start, chair):
    url = reverse("infusions:session_schedule", kwargs={"pk": course.pk})
    return client.post(url, {"scheduled_for": f"{start:%Y-%m-%dT%H:%M}", "chair": str(chair.pk)})


def field_errors(response, name):
    return response.context["schedule_form"].errors.get(name, [])


def test_front_desk_books_a_chair_from_the_course_page(front_desk_client, monday):
    course, chair = CourseFactory(), ChairFactory()
    response = post(front_desk_client, course, at(monday, 9), chair)
    assert response.status_code == HTTPStatus.FOUND
    booking = Booking.objects.get()
    assert (booking.session.course, booking.chair, booking.start, booking.status) == (
        course, chair, at(monday, 9), BookingStatus.BOOKED
    )  # fmt: skip
    assert booking.session.chair == chair.name
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == [
        f"Booked {monday:%-d %b} 09:00, chair {chair.name}.",  # the clinic's wall clock, never UTC
        *(f"For the session of {monday:%a %-d %b}: {problem}" for problem in NOT_READY),  # warned, not refused
        BASELINES,
    ]


def test_the_form_offers_only_the_chairs_in_use(front_desk_client):
    in_use, retired = ChairFactory(), ChairFactory(is_active=False)
    course = CourseFactory()
    form = front_desk_client.get(reverse("infusions:course_detail", kwargs={"pk": course.pk})).context["schedule_form"]
    offered = [value for value, _ in form.fields["chair"].choices]
    assert str(in_use.pk) in offered
    assert str(retired.pk) not in offered
    response = post(front_desk_client, course, at(next_monday(), 9), retired)
    assert field_errors(response, "chair") == ["Choose one of the chairs in use."]


def test_a_time_past_closing_is_refused_next_to_the_time(front_desk_client, monday):
    response = post(front_desk_client, CourseFactory(), at(monday, 17), ChairFactory())
    assert response.status_code == HTTPStatus.OK
    assert field_errors(response, "scheduled_for") == [
        "With its infusion and observation time (1 h 40 min) the session would end at 18:40, after closing time "
        "(18:00)."
    ]
    assert not Booking.objects.exists()


def test_a_closure_day_is_refused_next_to_the_time(front_desk_client, monday):
    close(monday, "Staff training")
    response = post(front_desk_client, CourseFactory(), at(monday, 9), ChairFactory())
    closed = f"The clinic is closed on {monday:%a %-d %b %Y} (Staff training)."
    assert field_errors(response, "scheduled_for") == [closed]


def test_a_taken_chair_is_refused_with_the_next_free_time_on_the_page(front_desk_client, monday):
    chair = ChairFactory()
    post(front_desk_client, CourseFactory(), at(monday, 9), chair)
    response = post(front_desk_client, CourseFactory(), at(monday, 9, 30), chair)
    message = (
        f"This chair is already booked at that time. The next free time in {chair}: {at(monday, 10, 40):%a %-d %b} "
        "10:40."
    )
    assert field_errors(response, "scheduled_for") == [message]
    assert message in response.text.replace("&#x27;", "'")
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(("offset_days", "shown"), [(3660, "that day"), (3661, "today"), (-3661, "today")])
def test_the_schedule_opens_on_a_date_within_ten_years_else_today(offset_days, shown, time_machine):
    time_machine.move_to(timezone.now(), tick=False)  # "today" is read twice: not across a midnight
    asked = timezone.localdate() + dt.timedelta(days=offset_days)
    expected = asked if shown == "that day" else timezone.localdate()
    assert DayForm({"date": asked.isoformat()}).day() == expected


def test_the_schedule_reads_year_9999_as_today():
    assert DayForm({"date": "9999-12-31"}).day() == timezone.localdate()
