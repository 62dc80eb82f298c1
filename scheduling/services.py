"""Booking, moving, cancelling and missing a session's chair (issue #18). Each writes through ``record_save`` (so it
is in the change history), deletes nothing, and keeps the session's ``scheduled_for`` and ``chair`` equal to its live
booking in the same transaction. The database refuses overlaps (the booking's exclusion constraints); these
services turn that refusal into a sentence next to the form's field, with the next free time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from clinic.accounts.models import User
from clinic.services import record_save
from infusions import services as infusion_services
from infusions.choices import SessionStatus
from infusions.models import InfusionSession, TreatmentCourse
from scheduling import series, slots
from scheduling.choices import BookingStatus
from scheduling.models import CHAIR_TAKEN, PATIENT_TAKEN, Booking, Chair, Closure, OpeningHours

CHAIR_INACTIVE = "Choose a chair in use: this one is out of use."
NEXT_FREE = " The next free time in {chair}: {at:%a %-d %b %H:%M}."
NONE_FREE = " {chair} has no free time in the next {days} days: try another chair."
NOT_LIVE = "This booking is no longer held (it is {status}): nothing to change."
NOT_MOVABLE = "Only a session not yet checked in can be moved or cancelled here."
REASON_NEEDED = "Give the reason for cancelling (at least 3 characters)."
NO_SHOW_TOO_EARLY = "A no-show can be recorded only once the appointment time has come."
NO_SHOW_REASON = "Did not come to the appointment."

# Where the booking form shows a refusal: the time (the form's "scheduled_for") or the chair.
WHEN, CHAIR = "scheduled_for", "chair"


def booking_length(course: TreatmentCourse) -> dt.timedelta:
    """How long a booking of ``course`` holds its chair: the protocol's infusion and observation time."""
    return dt.timedelta(minutes=course.protocol.chair_minutes)


def _check_chair_and_hours(*, chair: Chair, start: dt.datetime, length: dt.timedelta) -> None:
    if not chair.is_active:
        raise ValidationError({CHAIR: CHAIR_INACTIVE})
    day = timezone.localtime(start).date()
    problem = slots.hours_problem(start=start, length=length, hours=OpeningHours.week(),
                                  closures=Closure.between(day, day), zone=timezone.get_current_timezone())  # fmt: skip
    if problem:
        raise ValidationError({WHEN: problem})


def next_free_start(*, chair: Chair, patient_id: int, after: dt.datetime, length: dt.timedelta) -> dt.datetime | None:
    """The next start from ``after`` at which ``chair`` and the patient are both free within opening hours."""
    horizon = after + dt.timedelta(days=slots.HORIZON_DAYS + 1)
    busy = (
        Booking.objects.live()
        .overlapping(after, horizon)
        .filter(Q(chair=chair) | Q(patient_id=patient_id))
        .values_list("period", flat=True)
    )
    first = timezone.localtime(after).date()
    return slots.next_free_start(
        after=after,
        length=length,
        busy=[(p.lower, p.upper) for p in busy],
        hours=OpeningHours.week(),
        closures=Closure.between(first, first + dt.timedelta(days=slots.HORIZON_DAYS)),
        zone=timezone.get_current_timezone(),
    )


def _hold(booking: Booking, by: User) -> Booking:
    """Insert the live booking; the database refuses it when its chair or its patient is taken at that time."""
    booking.created_by = booking.updated_by = by
    booking.full_clean(validate_constraints=False)  # the overlaps are the database's to refuse, race-free
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "")
        if constraint not in ("booking_no_chair_overlap", "booking_no_patient_overlap"):
            raise
        raise _taken(booking, patient=constraint == "booking_no_patient_overlap") from exc
    return booking


def _taken(booking: Booking, *, patient: bool) -> ValidationError:
    length = booking.end - booking.start
    after = max(booking.start, timezone.now())
    free = next_free_start(chair=booking.chair, patient_id=booking.patient_id, after=after, length=length)
    chair = str(booking.chair)
    tail = NEXT_FREE.format(chair=chair, at=timezone.localtime(free)) if free else NONE_FREE.format(
        chair=chair, days=slots.HORIZON_DAYS)  # fmt: skip
    return ValidationError({WHEN: (PATIENT_TAKEN if patient else CHAIR_TAKEN) + tail})


def _sync_session(session: InfusionSession, booking: Booking, by: User) -> InfusionSession:
    session.scheduled_for, session.chair = booking.start, booking.chair.name
    return record_save(record=session, by=by)


@transaction.atomic
def booking_book(*, course: TreatmentCourse, start: dt.datetime, chair: Chair, by: User) -> Booking:
    """Book a new session of ``course`` in ``chair`` from ``start``, for the protocol's infusion and observation
    time: refused outside opening hours, on a closure day, or where the chair or the patient is already booked."""
    length = booking_length(course)
    _check_chair_and_hours(chair=chair, start=start, length=length)
    session = infusion_services.session_schedule(course=course, scheduled_for=start, chair=chair.name, by=by)
    booking = Booking(patient_id=session.patient_id, session=session, chair=chair, period=(start, start + length))
    return _hold(booking, by)


def _locked_live(booking: Booking) -> Booking:
    booking = (
        Booking.objects.select_for_update().select_related("session__course__protocol", "chair").get(pk=booking.pk)
    )
    if not booking.is_live:
        raise ValidationError(NOT_LIVE.format(status=booking.get_status_display().lower()))
    return booking


def _locked_session(booking: Booking) -> InfusionSession:
    sessions = InfusionSession.objects.select_for_update(of=("self",)).select_related("course__protocol")
    booking.session = sessions.get(pk=booking.session_id)
    if not booking.is_movable:
        raise ValidationError(NOT_MOVABLE)
    return booking.session


@transaction.atomic
def booking_reschedule(*, booking: Booking, start: dt.datetime, chair: Chair, by: User) -> Booking:
    """Move a booked session to another time or chair: the old booking stays, marked rescheduled (its chair is free
    at once), a new one holds the new time, and the session's time and chair follow."""
    booking = _locked_live(booking)
    session = _locked_session(booking)
    length = booking_length(session.course)
    _check_chair_and_hours(chair=chair, start=start, length=length)
    booking.status = BookingStatus.RESCHEDULED
    record_save(record=booking, by=by)
    moved = _hold(Booking(patient_id=booking.patient_id, session=session, chair=chair,
                          period=(start, start + length)), by)  # fmt: skip
    _sync_session(session, moved, by)
    return moved


@transaction.atomic
def booking_cancel(*, booking: Booking, by: User, reason: str) -> Booking:
    """Cancel a booked session with the reason: the session is cancelled with it and the chair is free at once."""
    if len(reason.strip()) < 3:
        raise ValidationError({"reason": REASON_NEEDED})
    return _release(booking, by, BookingStatus.CANCELLED, reason.strip())


@transaction.atomic
def booking_no_show(*, booking: Booking, by: User, note: str = "") -> Booking:
    """The patient did not come: the booking and its session are marked no-show, once the appointment time has come."""
    if not booking.no_show_due:
        raise ValidationError(NO_SHOW_TOO_EARLY)
    return _release(booking, by, BookingStatus.NO_SHOW, note.strip() or NO_SHOW_REASON)


def _release(booking: Booking, by: User, status: str, reason: str) -> Booking:
    booking = _locked_live(booking)
    session = _locked_session(booking)
    booking.status, booking.cancel_reason = status, reason
    record_save(record=booking, by=by)
    # The session follows; its hook (session_released below) then finds no live booking left.
    infusion_services.session_cancel(session=session, by=by, reason=reason, no_show=status == BookingStatus.NO_SHOW)
    return booking


def session_released(session: InfusionSession, by: User) -> None:
    """A session cancelled or missed from infusions' own pages (the chart, a course ended): its live booking follows
    with the same reason, so the chair is free at once (registered as an infusions hook)."""
    status = BookingStatus.NO_SHOW if session.status == SessionStatus.NO_SHOW else BookingStatus.CANCELLED
    for booking in Booking.objects.live().select_for_update().filter(session=session):
        booking.status, booking.cancel_reason = status, session.cancel_reason
        record_save(record=booking, by=by)


def book_from_form(*, course: TreatmentCourse, scheduled_for: dt.datetime, chair: Any, by: User) -> InfusionSession:
    """The course page's booking form (infusions' ScheduleForm, through ``infusions.hooks.Booker``)."""
    found = Chair.objects.filter(pk=chair).first() if str(chair).isdigit() else None
    if found is None:
        raise ValidationError({CHAIR: "Choose a chair."})
    return booking_book(course=course, start=scheduled_for, chair=found, by=by).session


def chair_choices() -> list[tuple[str, str]]:
    return [(str(c.pk), c.label) for c in Chair.objects.active().select_related("room")]


# Booking a course (issue #18, docs/clinical.md §9.9): the induction series proposed by scheduling/series.py, then
# booked all or nothing.


class SeriesRowRefused(ValidationError):
    """One row of a series could not be booked (``row``, from 0); nothing of the series was saved."""

    def __init__(self, *, row: int, error: ValidationError) -> None:
        super().__init__(error.error_dict if hasattr(error, "error_dict") else error.messages)
        self.row = row


def series_propose(*, course: TreatmentCourse, first: dt.datetime, chair: Chair) -> series.Proposal:
    """The free slots for ``course``'s induction from ``first`` in ``chair`` (four queries, however full the
    schedule): the chairs in use, the chairs' and the patient's live bookings in the series' window, the opening
    hours and the closure days."""
    plan = series.Plan.of(course.protocol)
    first_day = timezone.localtime(first).date()
    last_day = first_day + dt.timedelta(days=plan.max_days * plan.sessions + 1)
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(first_day, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(last_day, dt.time.max, tzinfo=zone)
    chairs = list(Chair.objects.active().values_list("pk", flat=True))
    busy: dict[int, list[slots.Busy]] = {}
    own: list[slots.Busy] = []
    rows = Booking.objects.live().overlapping(since, until)
    rows = rows.filter(Q(chair_id__in=chairs) | Q(patient_id=course.patient_id))
    for chair_id, patient_id, period in rows.values_list("chair_id", "patient_id", "period"):
        busy.setdefault(chair_id, []).append((period.lower, period.upper))
        if patient_id == course.patient_id:
            own.append((period.lower, period.upper))
    return series.propose_series(
        plan=plan, first=first, chair=chair.pk, chairs=chairs, busy=busy, patient_busy=own,
        length=booking_length(course), hours=OpeningHours.week(), closures=Closure.between(first_day, last_day),
        zone=zone,
    )  # fmt: skip


@transaction.atomic
def series_book(*, course: TreatmentCourse, rows: list[tuple[dt.datetime, Chair]], by: User) -> list[Booking]:
    """Book every row (start, chair) as a session of ``course`` with its booking, or none: the first row refused
    (a closed day, a chair or the patient taken since the proposal) undoes the rows before it and raises
    ``SeriesRowRefused`` naming the row, with the next free time as ``booking_book`` gives it."""
    course = TreatmentCourse.objects.select_for_update(of=("self",)).select_related("protocol").get(pk=course.pk)
    booked = []
    for row, (start, chair) in enumerate(rows):
        try:
            booked.append(booking_book(course=course, start=start, chair=chair, by=by))
        except ValidationError as exc:
            raise SeriesRowRefused(row=row, error=exc) from exc
    return booked


def series_url(course: TreatmentCourse) -> str:
    """The course page's link to book its induction series (``infusions.hooks.Booker.series_url``)."""
    return reverse("scheduling:course_series", args=[course.pk])
