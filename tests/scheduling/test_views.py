"""The schedule's pages (issue #18): the day by chair and the week by chair, a booking's move, cancel and no-show
from its block, the patient's bookings on their page and in their electronic copy. Days are computed (a Monday two
weeks on, with the demo's hours), so the tests hold whatever day they run."""

from __future__ import annotations

import datetime as dt
import json
import re
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import PatientAccessEvent
from scheduling import services
from scheduling.choices import BookingStatus
from scheduling.models import CHAIR_TAKEN, Booking
from tests.conftest import make_role_user
from tests.factories import UserFactory
from tests.infusions.factories import CourseFactory
from tests.scheduling.factories import ChairFactory, at, close, next_monday, open_week

pytestmark = pytest.mark.django_db

DAY, WEEK = reverse("scheduling:schedule_day"), reverse("scheduling:schedule_week")


@pytest.fixture
def monday():
    open_week()
    return next_monday()


def book(start, chair, course=None):
    return services.booking_book(course=course or CourseFactory(), start=start, chair=chair, by=UserFactory())


def on(url, day):
    return f"{url}?date={day.isoformat()}"


def test_the_day_view_places_each_booking_in_its_chair_by_start_and_length(nurse_client, monday):
    first, second = ChairFactory(name="A1"), ChairFactory(name="A2")
    booking = book(at(monday, 9, 30), second)
    response = nurse_client.get(on(DAY, monday))
    assert response.status_code == HTTPStatus.OK
    plan = response.context["plan"]
    assert [row.chair for row in plan.rows] == [first, second]
    assert plan.columns == 40  # 08:00 to 18:00 in quarter hours
    [block] = plan.rows[1].blocks
    # 09:30 is quarter 7; 100 minutes: 7 quarters
    assert (block.booking.pk, block.column, block.span) == (booking.pk, 7, 7)
    patient = booking.patient
    page = response.content.decode()
    assert f"{patient.family_name} {patient.given_name[0]}." in page
    assert booking.session.course.protocol.name in page
    assert "09:30–11:10" in page
    assert patient.mrn not in page  # no identifier beyond the name on a board staff and patients pass


def test_the_day_view_says_when_the_clinic_is_closed(front_desk_client, monday):
    ChairFactory()
    close(monday, "Staff training")
    assert "Closed: Staff training." in front_desk_client.get(on(DAY, monday)).content.decode()
    sunday = monday - dt.timedelta(days=1)
    response = front_desk_client.get(on(DAY, sunday))
    assert "The clinic is closed on Sundays." in response.content.decode()
    assert response.context["plan"].columns == 0


def test_a_mistyped_date_shows_today(nurse_client):
    response = nurse_client.get(f"{DAY}?date=tomorrow")
    assert response.status_code == HTTPStatus.OK
    assert response.context["day"] == timezone.localdate()


def test_todays_column_and_todays_day_lead_to_the_today_board_and_no_other_day_does(nurse_client):
    def board_link(url: str, testid: str) -> list[str]:
        html = nurse_client.get(url).content.decode()
        return re.findall(rf'href="([^"]+)" data-testid="{testid}"', html)

    board, today = reverse("infusions:today_board"), timezone.localdate()
    assert board_link(on(DAY, today), "day-today-board") == [board]
    assert board_link(on(DAY, today + dt.timedelta(days=1)), "day-today-board") == []
    assert board_link(on(WEEK, today), "week-today-board") == [board]
    assert board_link(on(WEEK, today + dt.timedelta(days=7)), "week-today-board") == []


def test_the_week_view_lists_each_days_bookings_by_chair_and_marks_closed_days(clinician_client, monday):
    chair = ChairFactory()
    wednesday = monday + dt.timedelta(days=2)
    booking = book(at(wednesday, 14), chair)
    close(monday + dt.timedelta(days=4), "Holiday")
    response = clinician_client.get(on(WEEK, wednesday + dt.timedelta(days=1)))  # any day of the week shows it
    assert response.status_code == HTTPStatus.OK
    plan = response.context["plan"]
    assert plan.days[0].day == monday
    [row] = plan.rows
    assert [[b.pk for b in cell] for _, cell in row.cells] == [[], [], [booking.pk], [], [], [], []]
    assert [d.is_closed for d in plan.days] == [False, False, False, False, True, False, True]
    assert "Closed: Holiday" in response.content.decode()


def test_the_schedule_logs_the_patients_it_shows(nurse_client, monday):
    bookings = [book(at(monday, 9), ChairFactory()), book(at(monday, 11), ChairFactory())]
    book(at(monday + dt.timedelta(days=1), 9), ChairFactory())  # another day: not shown, not logged
    nurse_client.get(on(DAY, monday))
    logged = set(PatientAccessEvent.objects.filter(category="schedule").values_list("patient_id", flat=True))
    assert logged == {b.patient_id for b in bookings}


@pytest.mark.parametrize("n_bookings", [1, 20])
def test_the_day_and_week_query_counts_are_flat(nurse_client, monday, django_assert_num_queries, n_bookings):
    for n in range(n_bookings):
        book(at(monday, 9 + n % 8), ChairFactory(name=f"Q{n}"))
    with django_assert_num_queries(DAY_QUERIES):
        assert nurse_client.get(on(DAY, monday)).status_code == HTTPStatus.OK
    with django_assert_num_queries(WEEK_QUERIES):
        assert nurse_client.get(on(WEEK, monday)).status_code == HTTPStatus.OK


# Whatever the number of bookings and chairs: the bookings, the chairs, the hours and the closures (one query each),
# the access log's one INSERT, and what every signed-in page reads (session, user, permissions, the top bar).
DAY_QUERIES = WEEK_QUERIES = 16


def detail(booking):
    return reverse("scheduling:booking_detail", args=[booking.pk])


@pytest.mark.parametrize("n_bookings", [1, 25])
def test_the_booking_page_query_count_is_flat(front_desk_client, monday, django_assert_num_queries, n_bookings):
    bookings = [book(at(monday, 9), ChairFactory()) for _ in range(n_bookings)]
    with django_assert_num_queries(BOOKING_QUERIES):
        assert front_desk_client.get(detail(bookings[-1])).status_code == HTTPStatus.OK


# The booking with its patient, chair, room, session, course and protocol (one query), the chairs the move form
# offers, the access log's INSERT, and what every signed-in page reads.
BOOKING_QUERIES = 15


def test_front_desk_moves_a_booking_to_another_chair_and_time(front_desk_client, monday):
    booking = book(at(monday, 9), ChairFactory())
    other = ChairFactory()
    url = reverse("scheduling:booking_reschedule", args=[booking.pk])
    response = front_desk_client.post(url, {"scheduled_for": f"{monday:%Y-%m-%d}T13:15", "chair": other.pk})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == on(DAY, monday)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.RESCHEDULED
    moved = Booking.objects.live().get(session=booking.session)
    assert (moved.chair, moved.start) == (other, at(monday, 13, 15))


def test_moving_onto_a_taken_chair_shows_the_next_free_time_next_to_the_field(front_desk_client, monday):
    chair = ChairFactory()
    book(at(monday, 10), chair)  # 10:00-11:40
    booking = book(at(monday, 14), ChairFactory())
    url = reverse("scheduling:booking_reschedule", args=[booking.pk])
    response = front_desk_client.post(url, {"scheduled_for": f"{monday:%Y-%m-%d}T10:30", "chair": chair.pk})
    assert response.status_code == HTTPStatus.OK
    [error] = response.context["forms"]["reschedule"].errors["scheduled_for"]
    assert error.startswith(CHAIR_TAKEN)
    assert f"The next free time in {chair}: {at(monday, 11, 40):%a %-d %b %H:%M}." in error
    booking.refresh_from_db()
    assert (booking.status, booking.start) == (BookingStatus.BOOKED, at(monday, 14))  # nothing saved half-way
    assert Booking.objects.count() == 2


def test_cancelling_needs_a_reason_and_frees_the_chair_at_once(front_desk_client, monday):
    chair = ChairFactory()
    booking = book(at(monday, 9), chair)
    url = reverse("scheduling:booking_cancel", args=[booking.pk])
    response = front_desk_client.post(url, {"reason": ""})
    assert response.context["forms"]["cancel"].errors["reason"] == ["Give the reason for cancelling."]
    booking.refresh_from_db()
    assert booking.is_live

    response = front_desk_client.post(url, {"reason": "Patient unwell"})
    assert response.status_code == HTTPStatus.FOUND
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason) == (BookingStatus.CANCELLED, "Patient unwell")
    assert book(at(monday, 9), chair).is_live  # the slot is free again
    assert "Patient unwell" in front_desk_client.get(on(DAY, monday)).content.decode()  # listed as not held


def test_a_no_show_is_offered_only_once_the_appointment_time_has_come(client, monday, time_machine):
    desk = make_role_user("front_desk")
    booking = book(at(monday, 9), ChairFactory())
    client.force_login(desk)
    assert "no_show" not in client.get(detail(booking)).context["forms"]
    time_machine.move_to(at(monday, 9, 20))
    client.force_login(desk)  # signed in again: two weeks on, the first sign-in has timed out
    response = client.get(detail(booking))
    assert set(response.context["forms"]) == {"reschedule", "cancel", "no_show"}
    client.post(reverse("scheduling:booking_no_show", args=[booking.pk]), {"note": ""})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.NO_SHOW


def test_the_clinic_admin_reads_no_booking(clinic_admin_client, monday):
    booking = book(at(monday, 9), ChairFactory())
    assert clinic_admin_client.get(on(DAY, monday)).status_code == HTTPStatus.FORBIDDEN
    assert clinic_admin_client.get(detail(booking)).status_code == HTTPStatus.FORBIDDEN


def test_the_patient_page_lists_the_bookings_whatever_became_of_them(clinician_client, monday):
    course = CourseFactory()
    kept = book(at(monday, 9), ChairFactory(), course)
    dropped = book(at(monday + dt.timedelta(days=1), 9), ChairFactory(), course)
    services.booking_cancel(booking=dropped, by=UserFactory(), reason="Travelling that week")
    response = clinician_client.get(reverse("patients:patient_detail", args=[kept.patient_id]))
    page = response.content.decode()
    assert 'data-testid="patient-bookings"' in page
    assert "Travelling that week" in page
    assert "Cancelled" in page


def test_the_electronic_copy_holds_the_bookings_with_their_period_as_a_plain_range(clinician_client, monday):
    booking = book(at(monday, 9), ChairFactory())
    response = clinician_client.get(reverse("infusions:patient_export", args=[booking.patient_id]))
    [row] = json.loads(response.content)["records"]["scheduling.booking"]
    assert row["period"] == {
        "bounds": "[)",
        "lower": at(monday, 9).astimezone(dt.UTC).isoformat(),
        "upper": at(monday, 10, 40).astimezone(dt.UTC).isoformat(),
    }
