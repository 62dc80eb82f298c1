"""Booking, moving, cancelling and missing a chair (scheduling.services): the database refuses overlaps, the refusal
names the next free time, the session's time and chair follow its booking, and nothing is deleted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from infusions import services as infusion_services
from infusions.choices import SessionStatus
from scheduling import services
from scheduling.choices import BookingStatus
from scheduling.models import Booking
from tests.factories import UserFactory
from tests.infusions.factories import MIGRAINE_PROTOCOL, CourseFactory, protocol
from tests.scheduling.factories import ChairFactory, at, close, next_monday, open_week

pytestmark = pytest.mark.django_db


@pytest.fixture
def week():
    open_week()
    return next_monday()


@pytest.fixture
def desk():
    return UserFactory()


def book(course, start, chair, by):
    return services.booking_book(course=course, start=start, chair=chair, by=by)


def test_a_booking_holds_the_chair_for_the_infusion_and_observation_time(week, desk):
    chair = ChairFactory()
    booking = book(CourseFactory(), at(week, 9), chair, desk)
    assert (booking.start, booking.end) == (at(week, 9), at(week, 10, 40))  # 40 min infusion + 60 min observation
    session = booking.session
    assert (session.scheduled_for, session.chair, session.status) == (at(week, 9), chair.name, SessionStatus.SCHEDULED)
    assert booking.events.filter(pgh_label="insert").count() == 1  # in the change history


def test_a_continuous_protocol_without_an_infusion_time_books_its_booked_infusion_time(week, desk):
    migraine = protocol(MIGRAINE_PROTOCOL)
    assert migraine.infusion_minutes is None
    booking = book(CourseFactory(protocol=migraine), at(week, 9), ChairFactory(), desk)
    assert booking.end - booking.start == dt.timedelta(minutes=240 + 60)


def test_the_chair_taken_is_refused_with_the_next_free_time(week, desk):
    chair = ChairFactory()
    book(CourseFactory(), at(week, 9), chair, desk)
    other = CourseFactory()
    with pytest.raises(ValidationError) as refused:
        book(other, at(week, 10), chair, desk)
    assert refused.value.message_dict == {
        "scheduled_for": [
            f"This chair is already booked at that time. The next free time in {chair}: "
            f"{at(week, 10, 40):%a %-d %b} 10:40."
        ]
    }
    assert not other.sessions.exists()  # the session booked with it was rolled back too
    assert Booking.objects.count() == 1


def test_the_patient_booked_elsewhere_at_that_time_is_refused(week, desk):
    course = CourseFactory()
    book(course, at(week, 9), ChairFactory(), desk)
    with pytest.raises(ValidationError, match="This patient already has a session booked at that time"):
        book(course, at(week, 10), ChairFactory(), desk)


def test_the_database_refuses_a_patient_overlap_written_past_the_service(week, desk):
    course = CourseFactory()
    first = book(course, at(week, 9), ChairFactory(), desk)
    second = infusion_services.session_schedule(course=course, scheduled_for=at(week, 10), chair="X", by=desk)
    with pytest.raises(IntegrityError, match="booking_no_patient_overlap"), transaction.atomic():
        Booking.objects.create(patient=first.patient, session=second, chair=ChairFactory(),
                               period=(at(week, 10), at(week, 11)))  # fmt: skip


def test_back_to_back_bookings_do_not_overlap(week, desk):
    chair = ChairFactory()
    book(CourseFactory(), at(week, 9), chair, desk)
    assert book(CourseFactory(), at(week, 10, 40), chair, desk).start == at(week, 10, 40)


def test_outside_opening_hours_is_refused_next_to_the_time(week, desk):
    with pytest.raises(ValidationError) as refused:
        book(CourseFactory(), at(week, 16, 30), ChairFactory(), desk)
    assert "would end at 18:10, after closing time (18:00)" in refused.value.message_dict["scheduled_for"][0]


def test_a_closure_day_is_refused(week, desk):
    close(week, "Staff training")
    with pytest.raises(ValidationError, match=r"closed on .* \(Staff training\)"):
        book(CourseFactory(), at(week, 9), ChairFactory(), desk)


def test_an_inactive_chair_is_refused(week, desk):
    with pytest.raises(ValidationError, match="out of use"):
        book(CourseFactory(), at(week, 9), ChairFactory(is_active=False), desk)


def test_a_cancelled_slot_is_free_at_once(week, desk):
    chair = ChairFactory()
    booking = book(CourseFactory(), at(week, 9), chair, desk)
    services.booking_cancel(booking=booking, by=desk, reason="Patient unwell")
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason) == (BookingStatus.CANCELLED, "Patient unwell")
    assert booking.session.status == SessionStatus.CANCELLED
    assert book(CourseFactory(), at(week, 9), chair, desk).is_live


def test_cancelling_needs_a_reason(week, desk):
    booking = book(CourseFactory(), at(week, 9), ChairFactory(), desk)
    with pytest.raises(ValidationError, match="Give the reason"):
        services.booking_cancel(booking=booking, by=desk, reason=" ")


def test_rescheduling_keeps_the_old_booking_and_moves_the_session(week, desk):
    chair, other_chair = ChairFactory(), ChairFactory()
    booking = book(CourseFactory(), at(week, 9), chair, desk)
    moved = services.booking_reschedule(booking=booking, start=at(week, 14), chair=other_chair, by=desk)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.RESCHEDULED
    assert (moved.session_id, moved.start, moved.chair, moved.is_live) == (booking.session_id, at(week, 14),
                                                                           other_chair, True)  # fmt: skip
    moved.session.refresh_from_db()
    assert (moved.session.scheduled_for, moved.session.chair) == (at(week, 14), other_chair.name)
    assert book(CourseFactory(), at(week, 9), chair, desk).is_live  # the old time is free


def test_rescheduling_onto_a_taken_time_changes_nothing(week, desk):
    chair = ChairFactory()
    book(CourseFactory(), at(week, 14), chair, desk)
    booking = book(CourseFactory(), at(week, 9), chair, desk)
    with pytest.raises(ValidationError, match="already booked"):
        services.booking_reschedule(booking=booking, start=at(week, 14, 30), chair=chair, by=desk)
    booking.refresh_from_db()
    assert booking.is_live
    booking.session.refresh_from_db()
    assert booking.session.scheduled_for == at(week, 9)


def test_a_no_show_before_the_appointment_is_refused(week, desk):
    booking = book(CourseFactory(), at(week, 9), ChairFactory(), desk)
    with pytest.raises(ValidationError, match="once the appointment time has come"):
        services.booking_no_show(booking=booking, by=desk)


def test_a_no_show_frees_the_chair_and_marks_the_session(desk, time_machine):
    open_week()
    monday = next_monday()
    booking = book(CourseFactory(), at(monday, 9), ChairFactory(), desk)
    time_machine.move_to(at(monday, 9, 30))
    services.booking_no_show(booking=booking, by=desk)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.NO_SHOW
    assert booking.session.status == SessionStatus.NO_SHOW


def test_a_session_cancelled_from_infusions_frees_its_booking(week, desk):
    chair = ChairFactory()
    course = CourseFactory()
    booking = book(course, at(week, 9), chair, desk)
    infusion_services.course_stop(course=course, by=desk, reason_code="other", note="Moved away",
                                  on=timezone.localdate())  # fmt: skip
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancel_reason.startswith("Course stopped")


def test_a_booking_cannot_be_deleted(week, desk):
    booking = book(CourseFactory(), at(week, 9), ChairFactory(), desk)
    with pytest.raises(Exception, match=r"protect_delete|Cannot delete"), transaction.atomic():
        Booking.objects.filter(pk=booking.pk).delete()


def test_a_moved_session_shows_on_the_patients_history_where_it_was_booked_before(week, desk, clinician_client):
    chair = ChairFactory(name="E4")
    booking = book(CourseFactory(), at(week, 9), chair, desk)
    services.booking_reschedule(booking=booking, start=at(week + dt.timedelta(days=1), 14), chair=chair, by=desk)
    response = clinician_client.get(reverse("infusions:patient_history", args=[booking.patient_id]))
    moved = [e for e in response.context["page_obj"] if e.kind == "booking_moved"]
    assert [(e.title, e.detail) for e in moved] == [
        ("Session moved to another time", f"Was booked {week:%a %-d %b %Y} 09:00, Chair E4")
    ]
    assert "Moved sessions" in response.content.decode()
