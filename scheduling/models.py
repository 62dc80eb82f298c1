"""The clinic's schedule (issue #18): rooms and chairs, opening hours, closure days (reference data the clinic admin
keeps in the admin) and the bookings that hold a chair for a session.

The database refuses two live bookings of one chair, or of one patient, whose times overlap: exclusion constraints
on the booking's time range (btree_gist), so that two clerks booking the same slot at the same second cannot both
win. The rules of what is free (opening hours, closures, the next free slot) are pure, in scheduling/slots.py."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from clinic.audit import track_changes
from clinic.models import ClinicalRecord, SettingsRow, VoidableQuerySet
from infusions.choices import SessionStatus
from scheduling.choices import BookingStatus, ReminderChannel, ReminderStatus, Weekday
from scheduling.slots import Hours

CHAIR_TAKEN = "This chair is already booked at that time."
PATIENT_TAKEN = "This patient already has a session booked at that time."


@track_changes()
class Room(models.Model):
    """A treatment room; its chairs are booked, not the room."""

    name = models.CharField(max_length=60, unique=True)
    display_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["display_order", "name"]

    def __str__(self) -> str:
        return self.name


class ChairQuerySet(models.QuerySet):
    def active(self) -> ChairQuerySet:
        return self.filter(is_active=True)


@track_changes()
class Chair(models.Model):
    """A treatment chair, the unit a session books. A chair taken out of use is made inactive, never deleted: its
    past bookings keep naming it."""

    name = models.CharField(max_length=20, unique=True, help_text="As staff say it and as the chart shows it.")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="chairs")
    is_active = models.BooleanField("active", default=True)
    display_order = models.PositiveSmallIntegerField(default=0)

    objects = ChairQuerySet.as_manager()

    class Meta:
        ordering = ["display_order", "name"]

    def __str__(self) -> str:
        return f"Chair {self.name}"

    @property
    def label(self) -> str:
        """As the booking forms offer it: its name and room (read with ``select_related("room")``)."""
        return f"{self.name} ({self.room})"


@track_changes()
class OpeningHours(models.Model):
    """The clinic's hours on one weekday (clinic-wide for now; issue #21 makes them per site). A weekday without a
    row is a closed day."""

    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, unique=True)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        verbose_name = "opening hours"
        verbose_name_plural = "opening hours"
        ordering = ["weekday"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens__lt=F("closes")),
                name="openinghours_opens_before_closes",
                violation_error_message="The closing time must be after the opening time.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    @classmethod
    def week(cls) -> dict[int, Hours]:
        """Every weekday's hours, as the slot rules read them (one query)."""
        return {row.weekday: Hours(row.opens, row.closes) for row in cls.objects.all()}


@track_changes()
class Closure(models.Model):
    """A day the clinic is closed (a holiday, training day): nothing can be booked on it."""

    date = models.DateField(unique=True)
    reason = models.CharField(max_length=100)

    class Meta:
        verbose_name = "closure day"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%a %-d %b %Y}: {self.reason}"

    @classmethod
    def between(cls, first: dt.date, last: dt.date) -> dict[dt.date, str]:
        return dict(cls.objects.filter(date__range=(first, last)).values_list("date", "reason"))


class BookingQuerySet(VoidableQuerySet):
    def live(self) -> BookingQuerySet:
        """The bookings that hold their chair (a cancelled, missed or moved one frees it at once)."""
        return self.filter(status=BookingStatus.BOOKED)

    def overlapping(self, start: dt.datetime, end: dt.datetime) -> BookingQuerySet:
        return self.filter(period__overlap=(start, end))


BookingManager = models.Manager.from_queryset(BookingQuerySet)


@track_changes()
class Booking(ClinicalRecord):
    """A chair held for a session: from its start for the protocol's infusion time plus its observation time.

    ``infusions.InfusionSession`` keeps ``scheduled_for`` and its ``chair`` (the name) for the chart and the board;
    the booking services (scheduling.services) are their one writer while a session is booked here, and set both
    in the same transaction as the booking, so they always equal this booking's start and chair's name. A session
    has at most one live booking; moving it marks the old one "rescheduled to another time" and books anew, so the
    record shows where it was. Bookings are never deleted: cancelled (with a reason), no-show and rescheduled ones
    stay, and free their chair at once (the overlap constraints hold only among live bookings)."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="bookings")
    session = models.ForeignKey("infusions.InfusionSession", on_delete=models.PROTECT, related_name="bookings")
    chair = models.ForeignKey(Chair, on_delete=models.PROTECT, related_name="bookings")
    period = DateTimeRangeField(help_text="[start, end): the infusion and the observation time after it.")
    status = models.CharField(max_length=20, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    cancel_reason = models.TextField(blank=True)

    objects: ClassVar[BookingManager] = BookingManager()

    class Meta(ClinicalRecord.Meta):
        ordering = ["period"]
        indexes = [models.Index(fields=["patient", "status"], name="booking_patient_status_idx")]
        constraints = [
            ExclusionConstraint(
                name="booking_no_chair_overlap",
                expressions=[("chair", RangeOperators.EQUAL), ("period", RangeOperators.OVERLAPS)],
                condition=Q(status=BookingStatus.BOOKED),
                violation_error_message=CHAIR_TAKEN,
            ),
            ExclusionConstraint(
                name="booking_no_patient_overlap",
                expressions=[("patient", RangeOperators.EQUAL), ("period", RangeOperators.OVERLAPS)],
                condition=Q(status=BookingStatus.BOOKED),
                violation_error_message=PATIENT_TAKEN,
            ),
            models.UniqueConstraint(
                fields=["session"],
                condition=Q(status=BookingStatus.BOOKED),
                name="booking_one_live_per_session",
                violation_error_message="This session is already booked.",
            ),
            models.CheckConstraint(
                condition=Q(period__isempty=False, period__lower_inf=False, period__upper_inf=False),
                name="booking_period_bounded",
                violation_error_message="A booking needs a start and an end after it.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.chair} {self.start:%a %-d %b %H:%M}–{self.end:%H:%M} ({self.get_status_display()})"

    @property
    def start(self) -> dt.datetime:
        return self.period.lower

    @property
    def end(self) -> dt.datetime:
        return self.period.upper

    @property
    def is_live(self) -> bool:
        return self.status == BookingStatus.BOOKED

    @property
    def is_movable(self) -> bool:
        """Held, and its session not yet checked in: it can still be moved or cancelled (reads ``session``)."""
        return self.is_live and self.session.status == SessionStatus.SCHEDULED

    @property
    def no_show_due(self) -> bool:
        """The appointment time has come: a no-show can be recorded."""
        return timezone.now() >= self.start


def default_reminder_hours() -> list[int]:
    return [48, 24]


@track_changes()
class SchedulingSettings(SettingsRow):
    """The schedule's tunable rules (one row, edited by the clinic admin): when reminders go out and what they say
    about where to come and whom to call."""

    reminder_hours = ArrayField(
        models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(336)]),
        size=4,
        blank=True,
        default=default_reminder_hours,
        help_text="Hours before an appointment when a reminder goes out, e.g. 48,24 (at most four, each 1 to 336). "
        "Empty: no reminders.",
    )
    reminder_name = models.CharField(
        "clinic name in reminders",
        max_length=100,
        default="Your clinic",
        help_text="How reminders name the clinic. A reminder is read on a lock screen: use a name that does not say "
        "what the clinic treats.",
    )
    clinic_address = models.CharField(max_length=300, blank=True, help_text="Where to come, printed in reminders.")
    reschedule_phone = models.CharField(
        max_length=30, blank=True, help_text="The number a patient calls to move an appointment, printed in reminders."
    )

    class Meta(SettingsRow.Meta):
        verbose_name = "schedule settings"
        verbose_name_plural = "schedule settings"

    def clean(self) -> None:
        from scheduling.reminders import TELLING_WORDS, telling_words

        found = telling_words(self.reminder_name)
        if found:
            raise ValidationError(
                {"reminder_name": f"Reminders are read on lock screens: leave out {', '.join(found)} "
                 f"(words that say what the clinic treats: {', '.join(TELLING_WORDS)})."}
            )  # fmt: skip


class Reminder(models.Model):
    """One appointment reminder to one address, the record of what was sent (issue #18): when, by which channel, to
    which address, and whether it went. Written (``sending``) before it is sent and unique per booking, channel and
    lead time, so a worker that dies after sending never sends it twice; never deleted."""

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="reminders")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="reminders")
    channel = models.CharField(max_length=10, choices=ReminderChannel.choices)
    lead_hours = models.PositiveSmallIntegerField(help_text="The reminder of this many hours before.")
    to = models.CharField("sent to", max_length=254)
    status = models.CharField(max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.SENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "channel", "lead_hours"], name="reminder_once_per_lead"),
        ]
        indexes = [models.Index(fields=["patient", "-created_at"], name="reminder_patient_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} reminder, {self.lead_hours} h before ({self.get_status_display()})"
