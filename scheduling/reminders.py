"""Appointment reminders (issue #18; docs/features.md "Reminders").

Before each live booking, at each lead time the clinic sets (``SchedulingSettings.reminder_hours``, 48 and 24 hours
by default), a patient who agreed to reminders (``Patient.reminders_consent``) gets one by email, with the
appointment as an iCalendar attachment, and one by text message (clinic/sms.py), to the addresses on their record.

A reminder says only what a lock screen may show: the clinic's reminder name, the day and time, where to come, to
bring someone to drive them home, and whom to call to move it. Never the patient's name, their condition, the drug
or the treatment (``tests/scheduling/test_reminders.py`` checks every template).

Each reminder is recorded (``Reminder``) before it is sent, once per booking, channel and lead time (a unique
constraint): a worker that dies after sending finds the record and does not send it again; one that dies before
sending leaves it "sending", shown as not confirmed. The job (scheduling/jobs.py) runs every five minutes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from icalendar import Calendar, Event

from clinic.sms import send_sms
from scheduling.choices import ReminderChannel, ReminderStatus
from scheduling.models import Booking, Reminder, SchedulingSettings

#: Words a reminder's clinic name must not carry: they would tell a passer-by what the clinic treats.
TELLING_WORDS = ("ketamine", "esketamine", "spravato", "infusion", "depression", "migraine", "pain", "psychiatr")


def telling_words(text: str) -> list[str]:
    lowered = text.lower()
    return [word for word in TELLING_WORDS if re.search(rf"\b{word}", lowered)]


def due_lead(start: dt.datetime, now: dt.datetime, leads: Iterable[int]) -> int | None:
    """The lead time (hours) whose reminder is due for an appointment at ``start``: the shortest one whose moment has
    come (``start - lead <= now``), while the appointment is still ahead; None before the first or once it began. A
    booking made 30 hours ahead with leads 48 and 24 gets the 48-hour reminder at once and the 24-hour one later; one
    made 10 hours ahead gets only the 24-hour one."""
    if now >= start:
        return None
    come = [lead for lead in leads if start - dt.timedelta(hours=lead) <= now]
    return min(come) if come else None


def addresses(patient: Any) -> list[tuple[str, str]]:
    """(channel, address) for each way the patient can be reached."""
    found = []
    if patient.email:
        found.append((ReminderChannel.EMAIL.value, patient.email))
    if patient.phone:
        found.append((ReminderChannel.SMS.value, patient.phone))
    return found


def context(booking: Booking, rules: SchedulingSettings) -> dict[str, Any]:
    return {"clinic": rules.reminder_name, "start": timezone.localtime(booking.start),
            "address": rules.clinic_address, "phone": rules.reschedule_phone}  # fmt: skip


def calendar(booking: Booking, rules: SchedulingSettings) -> bytes:
    """The appointment as an iCalendar file (RFC 5545), with no more in it than the reminder's text."""
    cal = Calendar()
    cal.add("prodid", "-//clinic//appointment reminders//EN")
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", f"booking-{booking.pk}@clinic")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", booking.start)
    event.add("dtend", booking.end)
    event.add("summary", f"Appointment at {rules.reminder_name}")
    if rules.clinic_address:
        event.add("location", rules.clinic_address)
    cal.add_component(event)
    return cal.to_ical()


def render(channel: str, booking: Booking, rules: SchedulingSettings) -> tuple[str, str]:
    """(subject, body) of a reminder; an SMS has no subject."""
    data = context(booking, rules)
    body = render_to_string(f"scheduling/reminders/{channel}.txt", data).strip()
    subject = render_to_string("scheduling/reminders/email_subject.txt", data).strip() if channel == "email" else ""
    return subject, body


def _send(reminder: Reminder, booking: Booking, rules: SchedulingSettings) -> None:
    subject, body = render(reminder.channel, booking, rules)
    if reminder.channel == ReminderChannel.EMAIL:
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [reminder.to])
        message.attach("appointment.ics", calendar(booking, rules), "text/calendar")
        message.send()
    else:
        send_sms(reminder.to, body)


def _claim(booking: Booking, channel: str, lead: int, to: str) -> Reminder | None:
    """Record the reminder before sending it; None when it is already recorded (sent, failed or in hand)."""
    try:
        with transaction.atomic():
            return Reminder.objects.create(booking=booking, patient=booking.patient, channel=channel,
                                           lead_hours=lead, to=to)  # fmt: skip
    except IntegrityError:
        return None


def send_due(now: dt.datetime | None = None, leads: Sequence[int] | None = None) -> int:
    """Send every reminder due now; return how many went. Safe to run at any time and any number of times."""
    rules = SchedulingSettings.current()
    leads = sorted(set(rules.reminder_hours if leads is None else leads))
    if not leads:
        return 0
    now = now or timezone.now()
    bookings = (
        Booking.objects.active()
        .live()
        .filter(
            period__startswith__gt=now,
            period__startswith__lte=now + dt.timedelta(hours=max(leads)),
            patient__reminders_consent=True,
        )
        .select_related("patient")
        .order_by("period", "pk")
    )
    sent = 0
    for booking in bookings:
        lead = due_lead(booking.start, now, leads)
        if lead is None:
            continue
        for channel, to in addresses(booking.patient):
            reminder = _claim(booking, channel, lead, to)
            if reminder is None:
                continue
            try:
                _send(reminder, booking, rules)
            except Exception as exc:  # any failure of the mail server or the gateway is recorded, never raised
                reminder.status, reminder.error = ReminderStatus.FAILED, type(exc).__name__
            else:
                reminder.status, reminder.sent_at = ReminderStatus.SENT, timezone.now()
                sent += 1
            reminder.save(update_fields=["status", "sent_at", "error"])
    return sent
