"""The demo schedule for ``manage.py seed_demo`` (issue #18): two rooms of three chairs named as the infusions demo
names its chairs ("1" to "6"), the clinic's hours (Monday to Friday 08:00–18:00, Saturday 09:00–13:00), one closure
day (the next Christmas Day), a booking for each demo session still to come, so its chair is held, and the reminders'
settings, with every patient booked ahead agreeing to reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from infusions.choices import SessionStatus
from infusions.models import InfusionSession
from patients.models import Patient
from scheduling import reminders
from scheduling.choices import BookingStatus
from scheduling.models import Booking, Chair, Closure, OpeningHours, Room, SchedulingSettings
from scheduling.services import booking_length

ROOMS = {"Room A": ["1", "2", "3"], "Room B": ["4", "5", "6"]}
HOURS = [(weekday, dt.time(8), dt.time(18)) for weekday in range(5)] + [(5, dt.time(9), dt.time(13))]
DEMO_REMINDERS = ("Elm Street Clinic", "12 Elm Street, Springfield", "(555) 010-0100")


def holds_data() -> bool:
    return Booking.objects.exists()


def seed(*, stdout: Any) -> None:
    for order, (room_name, chairs) in enumerate(ROOMS.items()):
        room, _ = Room.objects.get_or_create(name=room_name, defaults={"display_order": order})
        for name in chairs:
            Chair.objects.get_or_create(name=name, defaults={"room": room, "display_order": int(name)})
    for weekday, opens, closes in HOURS:
        OpeningHours.objects.get_or_create(weekday=weekday, defaults={"opens": opens, "closes": closes})
    today = timezone.localdate()
    christmas = dt.date(today.year if (today.month, today.day) <= (12, 25) else today.year + 1, 12, 25)
    Closure.objects.get_or_create(date=christmas, defaults={"reason": "Christmas Day"})
    held = _book_upcoming()
    # Reminders (scheduling/reminders.py): a neutral name, where to come and whom to call; every patient with a
    # booking ahead agreed to them (the worker of `make run` then writes them under var/mail and var/sms).
    rules = SchedulingSettings.current()
    rules.reminder_name, rules.clinic_address, rules.reschedule_phone = DEMO_REMINDERS
    rules.save()
    agreed = Patient.objects.filter(bookings__status=BookingStatus.BOOKED, reminders_consent=False).distinct()
    for patient in agreed:
        patient.reminders_consent = True
        patient.save(update_fields=["reminders_consent"])
    sent = reminders.send_due()  # those due now, as the worker would
    stdout.write(f"Schedule: {Chair.objects.count()} chairs, {held} upcoming sessions booked, {sent} reminders sent.")


def _book_upcoming() -> int:
    """A live booking for each demo session still to come, in its chair, for its protocol's chair time."""
    chairs = {c.name: c for c in Chair.objects.all()}
    held = 0
    upcoming = InfusionSession.objects.active().filter(
        status=SessionStatus.SCHEDULED, scheduled_for__gte=timezone.now(), bookings__isnull=True
    )
    for session in upcoming.select_related("course__protocol", "created_by").order_by("scheduled_for"):
        chair = chairs.get(session.chair)
        if chair is None:
            continue
        end = session.scheduled_for + booking_length(session.course)
        try:
            with transaction.atomic():
                Booking.objects.create(patient_id=session.patient_id, session=session, chair=chair,
                                       period=(session.scheduled_for, end), created_by=session.created_by,
                                       updated_by=session.created_by)  # fmt: skip
        except IntegrityError:
            continue  # the demo's chair rounds overlap at times: that session simply stays unbooked
        held += 1
    return held
