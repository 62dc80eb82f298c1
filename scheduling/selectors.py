"""What the schedule's pages read (issue #18): the day by chair (a resource timeline: chairs as rows, quarter hours
as columns from opening to closing) and the week by chair. Each reads its bookings in one query, the chairs in one,
and the opening hours and closure days in one each, however many bookings and chairs there are.

A restricted patient the user may not open (``patients.models.hidden_from``) still holds their chair on the page,
shown without a name, so nobody books over them; only the patients whose names are shown are logged as seen."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import BooleanField, DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery, Value
from django.urls import reverse
from django.utils import timezone

from clinic.dates import local_day_bounds
from infusions.choices import CourseStatus, SessionStatus
from infusions.lifecycle import CALLED_OFF, IN_CHAIR_STATUSES
from infusions.models import InfusionSession, TreatmentCourse
from infusions.models.course import CourseQuerySet
from infusions.models.session import SessionQuerySet
from infusions.selectors.history import TimelineEntry
from patients.due import ASKED_AHEAD
from patients.models import QuestionnaireResponse
from patients.models.patient import hidden_from
from patients.scoring import Instrument
from scheduling.choices import BookingStatus
from scheduling.models import Booking, Chair, Closure, OpeningHours, Reminder
from scheduling.slots import STEP as QUARTER  # the timeline's column: the step at which bookings start
from scheduling.slots import Hours


@dataclass(frozen=True)
class PatientRef:
    """A patient known by id only: what the access log needs of a patient a page names."""

    pk: int


@dataclass(frozen=True)
class BookingCard:
    """A booking as the schedule's pages show it, read as one row of one query (no model instances: a full week is
    hundreds of bookings, and building a booking, its patient, session, course and protocol for each was most of the
    week view's time; make bench, issue #18)."""

    pk: int
    start: dt.datetime
    end: dt.datetime
    status: str
    cancel_reason: str
    hidden: bool  # a restricted patient the user may not open: the chair is held, the name not shown
    patient_id: int
    family_name: str
    given_name: str
    chair_id: int
    chair_name: str
    session_status: str
    protocol: str

    @property
    def patient(self) -> PatientRef:
        return PatientRef(self.patient_id)

    @property
    def short_name(self) -> str:
        """As ``Patient.short_name``: family name and given initial ("Rivera M.")."""
        return f"{self.family_name} {self.given_name[:1]}."

    @property
    def is_live(self) -> bool:
        return self.status == BookingStatus.BOOKED

    @property
    def status_label(self) -> str:
        return BookingStatus(self.status).label

    @property
    def session_status_label(self) -> str:
        return SessionStatus(self.session_status).label


_CARD_COLUMNS = ("pk", "period", "status", "cancel_reason", "hidden", "patient_id", "patient__family_name",
                 "patient__given_name", "chair_id", "chair__name", "session__status",
                 "session__course__protocol__name")  # fmt: skip


def bookings_between(user: Any, start: dt.datetime, end: dt.datetime, *, statuses: Any = None) -> list[BookingCard]:
    """Every booking overlapping [start, end) (of ``statuses`` if given), with what a block shows, in one query;
    ``hidden`` marks the restricted patients ``user`` may not open."""
    hidden = ExpressionWrapper(Q(patient__in=hidden_from(user)), output_field=BooleanField())
    rows = Booking.objects.active().overlapping(start, end).annotate(hidden=hidden)
    if statuses is not None:
        rows = rows.filter(status__in=statuses)
    cards = []
    for pk, period, *rest in rows.order_by("period", "pk").values_list(*_CARD_COLUMNS):
        cards.append(BookingCard(pk, period.lower, period.upper, *rest))
    return cards


def chairs_shown(start: dt.datetime, end: dt.datetime) -> list[Chair]:
    """The chairs in use, and any chair out of use that still holds a booking in [start, end) (one query)."""
    held = Q(bookings__status=BookingStatus.BOOKED, bookings__period__overlap=(start, end))
    return list(Chair.objects.filter(Q(is_active=True) | held).select_related("room").distinct())


def _local(moment: dt.datetime) -> dt.datetime:
    """Wall-clock time in the clinic's zone, without the zone: the timeline's columns are clock quarters."""
    return timezone.localtime(moment).replace(tzinfo=None)


@dataclass(frozen=True)
class Block:
    """A booking on the timeline: its first quarter-hour column (1 = the axis's start) and how many it spans."""

    booking: BookingCard
    column: int
    span: int


@dataclass
class ChairRow:
    chair: Chair
    blocks: list[Block] = field(default_factory=list)


@dataclass(frozen=True)
class Tick:
    column: int
    label: str


@dataclass
class DayPlan:
    """The day view: its hours (None when closed that weekday), its closure reason, the timeline's axis and rows, and
    the bookings that no longer hold their chair (cancelled, no-show, moved) listed under it."""

    day: dt.date
    hours: Hours | None
    closure: str
    columns: int
    ticks: list[Tick]
    rows: list[ChairRow]
    not_held: list[BookingCard]

    @property
    def bookings(self) -> list[BookingCard]:
        return [block.booking for row in self.rows for block in row.blocks] + self.not_held


def _axis(day: dt.date, hours: Hours | None, live: list[BookingCard]) -> tuple[dt.datetime, dt.datetime] | None:
    """From the opening hour (or the earliest booking before it) to closing (or the latest booking after it), on whole
    hours; None for a closed day without bookings."""
    starts = [_local(b.start) for b in live]
    ends = [_local(b.end) for b in live]
    if hours is not None:
        starts.append(dt.datetime.combine(day, hours.opens))
        ends.append(dt.datetime.combine(day, hours.closes))
    if not starts:
        return None
    first = max(min(starts), dt.datetime.combine(day, dt.time.min)).replace(minute=0, second=0, microsecond=0)
    last = min(max(ends), dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    if last.minute or last.second:
        last = last.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    return first, last


def day_plan(user: Any, day: dt.date) -> DayPlan:
    """The day view of ``day`` for ``user``."""
    start, end = local_day_bounds(day, day)
    bookings = bookings_between(user, start, end)
    chairs = chairs_shown(start, end)
    hours = OpeningHours.week().get(day.weekday())
    closure = Closure.between(day, day).get(day, "")
    live = [b for b in bookings if b.is_live]
    axis = _axis(day, hours, live)
    rows = {chair.pk: ChairRow(chair) for chair in chairs}
    ticks: list[Tick] = []
    columns = 0
    if axis is not None:
        first, last = axis
        columns = int((last - first) / QUARTER)
        ticks = [Tick(1 + 4 * h, f"{first + dt.timedelta(hours=h):%H:%M}") for h in range(columns // 4)]
        for booking in live:
            begin = max(_local(booking.start), first)
            column = 1 + int((begin - first) / QUARTER)
            span = max(1, math.ceil((min(_local(booking.end), last) - begin) / QUARTER))
            rows[booking.chair_id].blocks.append(Block(booking, column, min(span, columns - column + 1)))
    not_held = [b for b in bookings if not b.is_live]
    return DayPlan(day, hours, closure, columns, ticks, list(rows.values()), not_held)


@dataclass(frozen=True)
class WeekDay:
    day: dt.date
    hours: Hours | None
    closure: str

    @property
    def is_closed(self) -> bool:
        return self.hours is None or bool(self.closure)


@dataclass
class WeekRow:
    chair: Chair
    cells: list[tuple[WeekDay, list[BookingCard]]]


@dataclass
class WeekPlan:
    """The week view: Monday to Sunday, a row per chair, each day's live bookings and no-shows in that chair."""

    days: list[WeekDay]
    rows: list[WeekRow]

    @property
    def bookings(self) -> list[BookingCard]:
        return [booking for row in self.rows for _, cell in row.cells for booking in cell]


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_plan(user: Any, day: dt.date) -> WeekPlan:
    """The week (Monday to Sunday) holding ``day``, for ``user``."""
    monday = week_start(day)
    dates = [monday + dt.timedelta(days=n) for n in range(7)]
    start, end = local_day_bounds(dates[0], dates[-1])
    shown = (BookingStatus.BOOKED, BookingStatus.NO_SHOW)
    bookings = bookings_between(user, start, end, statuses=shown)
    chairs = chairs_shown(start, end)
    week_hours = OpeningHours.week()
    closures = Closure.between(dates[0], dates[-1])
    days = [WeekDay(d, week_hours.get(d.weekday()), closures.get(d, "")) for d in dates]
    rows = {chair.pk: WeekRow(chair, [(d, []) for d in days]) for chair in chairs}
    for booking in bookings:
        index = (timezone.localtime(booking.start).date() - monday).days
        row = rows.get(booking.chair_id)  # a no-show in a chair since taken out of use is not shown
        if row is not None and 0 <= index < len(dates):
            row.cells[index][1].append(booking)
    return WeekPlan(days, list(rows.values()))


def patient_bookings(patient: Any, *, limit: int = 20) -> list[Booking]:
    """The patient's bookings, the latest first, whatever became of them (one query)."""
    return list(
        Booking.objects.active()
        .filter(patient=patient)
        .select_related("chair", "session__course__protocol")
        .order_by("-period", "-pk")[:limit]
    )


# Front desk's worklists (issue #18): courses under way with nothing booked ahead, and missed appointments nobody has
# booked again. Each is the one rule behind a dashboard count (scheduling/counts.py) and the list it opens
# (scheduling/worklists.py), so the number and the rows never disagree. A course waits on one list or the other, not
# both: a missed appointment still to follow up takes it off "to book".

#: Days a missed appointment stays on the follow-up list unless the course goes on (a working default, not a rule).
NO_SHOW_FOLLOW_UP_DAYS = 30
COURSE_UNDER_WAY = [CourseStatus.INDUCTION, CourseStatus.MAINTENANCE]
#: A session that counts as the course going on: not cancelled, not missed, not voided.
GOING_ON = ~Q(status__in=CALLED_OFF)


def _no_shows_not_rebooked(sessions: SessionQuerySet) -> SessionQuerySet:
    """Missed appointments of the last NO_SHOW_FOLLOW_UP_DAYS days, of courses under way, with no session of the
    course after them that went ahead or is booked."""
    since = timezone.now() - dt.timedelta(days=NO_SHOW_FOLLOW_UP_DAYS)
    later = InfusionSession.objects.active().filter(
        GOING_ON, course=OuterRef("course"), scheduled_for__gt=OuterRef("scheduled_for")
    )
    return (
        sessions.active()
        .filter(status=SessionStatus.NO_SHOW, scheduled_for__gte=since, course__status__in=COURSE_UNDER_WAY)
        .exclude(Exists(later))
    )


def no_shows_to_follow_up(user: Any) -> SessionQuerySet:
    """The missed appointments front desk still has to follow up (call the patient, book again), oldest first."""
    return _no_shows_not_rebooked(InfusionSession.objects.visible_to(user)).order_by("scheduled_for", "pk")


def courses_to_book(user: Any) -> CourseQuerySet:
    """Courses under way with no session from today on (booked, checked in or in the chair) and no missed appointment
    waiting to be followed up: ordered and never booked, or given and not booked again. The dashboard counts these;
    the list orders them with ``longest_waiting_first``.

    Both exclusions are ``NOT IN`` a list of course ids (a hashed set, whatever the planner guesses of its size)
    rather than a correlated NOT EXISTS, which PostgreSQL ran as a nested loop comparing every course with every
    session ahead: 2.5 million comparisons at 100,000 patients (make bench, issue #18)."""
    start_of_today, _ = local_day_bounds(timezone.localdate(), timezone.localdate())
    ahead = InfusionSession.objects.active().filter(
        status__in=[SessionStatus.SCHEDULED, SessionStatus.CHECKED_IN, *IN_CHAIR_STATUSES],
        scheduled_for__gte=start_of_today,
    )
    missed = _no_shows_not_rebooked(InfusionSession.objects.all())
    return (
        TreatmentCourse.objects.visible_to(user)
        .active()
        .filter(status__in=COURSE_UNDER_WAY)
        .exclude(pk__in=ahead.values("course_id"))
        .exclude(pk__in=missed.values("course_id"))
    )


def longest_waiting_first(courses: CourseQuerySet) -> CourseQuerySet:
    """Never booked first, then by the last session given or booked (``last_session_at``), oldest first."""
    return courses.with_last_session().order_by(F("last_session_at").asc(nulls_first=True), "created_at", "pk")


#: How far ahead front desk looks for questionnaires due before a visit: a week, time to send them or ask at check-in.
QUESTIONNAIRE_LOOKAHEAD_DAYS = 7


def _asked_of(instrument: Instrument) -> list[str]:
    return [indication for indication, asked in ASKED_AHEAD.items() if instrument in asked]


def _due_for_visit(instrument: Instrument) -> Q:
    """The patient is asked ``instrument`` ahead of a visit, and has no answer within its recall period before the
    session's time (docs/clinical.md §8.9; ``patients.due.is_due`` in SQL)."""
    covering = QuestionnaireResponse.objects.active().filter(
        patient=OuterRef("patient"),
        instrument=instrument.code,
        completed_at__gte=ExpressionWrapper(
            OuterRef("scheduled_for") - Value(dt.timedelta(days=instrument.recall_days or 0)),
            output_field=DateTimeField(),
        ),
    )
    return Q(patient__primary_indication__in=_asked_of(instrument)) & ~Q(Exists(covering))


QUESTIONNAIRES_ASKED_AHEAD = list({i.code: i for asked in ASKED_AHEAD.values() for i in asked}.values())


def questionnaires_due(user: Any) -> SessionQuerySet:
    """Each patient's next booked session within QUESTIONNAIRE_LOOKAHEAD_DAYS with a questionnaire due before it;
    ``due_<code>`` says which (one query, soonest first)."""
    now = timezone.now()
    until = now + dt.timedelta(days=QUESTIONNAIRE_LOOKAHEAD_DAYS)
    # The patient's first booked session from now: one probe of session_patient_booked_idx per row.
    first = (
        InfusionSession.objects.active()
        .filter(patient=OuterRef("patient"), status=SessionStatus.SCHEDULED, scheduled_for__gte=now)
        .order_by("scheduled_for")
        .values("scheduled_for")[:1]
    )
    due = {f"due_{i.code}": ExpressionWrapper(_due_for_visit(i), output_field=BooleanField())
           for i in QUESTIONNAIRES_ASKED_AHEAD}  # fmt: skip
    rows = (
        InfusionSession.objects.visible_to(user)
        .active()
        .filter(status=SessionStatus.SCHEDULED, scheduled_for__gte=now, scheduled_for__lt=until)
        .filter(scheduled_for=Subquery(first))
        .annotate(**due)
        .filter(Q(*(Q(**{name: True}) for name in due), _connector=Q.OR))
        .order_by("scheduled_for", "pk")
    )
    return cast(SessionQuerySet, rows)  # the annotations leave the queryset untyped


def due_names(session: InfusionSession) -> list[str]:
    """The short names of the questionnaires ``questionnaires_due`` found due before ``session``."""
    return [i.name for i in QUESTIONNAIRES_ASKED_AHEAD if getattr(session, f"due_{i.code}", False)]


def patient_reminders(patient: Any, *, limit: int = 20) -> list[Reminder]:
    """The latest reminders sent (or tried) to the patient, with their appointment's time (one query)."""
    reminders = Reminder.objects.filter(patient=patient).select_related("booking").order_by("-created_at", "-pk")
    return list(reminders[:limit])


# The patient's history (infusions.hooks.HistorySource): a session moved to another time shows where it was booked
# before, so the record says what happened; cancelled and missed sessions are already on it as sessions.


def moved_bookings(patient: Any) -> list[Booking]:
    """The patient's bookings given up for another time, oldest first (one query)."""
    moved = Booking.objects.active().filter(patient=patient, status=BookingStatus.RESCHEDULED)
    return list(moved.select_related("chair").order_by("period", "pk"))


def moved_entry(booking: Booking) -> TimelineEntry:
    return TimelineEntry(
        at=booking.start,
        kind="booking_moved",
        title="Session moved to another time",
        detail=f"Was booked {timezone.localtime(booking.start):%a %-d %b %Y %H:%M}, {booking.chair}"
        + (f" · {booking.cancel_reason}" if booking.cancel_reason else ""),
        url=reverse("scheduling:booking_detail", args=[booking.pk]),
    )
