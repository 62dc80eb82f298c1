"""Appointment reminders (issue #18): when each goes out, what it may say (nothing a lock screen should not show),
no agreement → no message, every message recorded on the patient's page, and never sent twice, even by a worker
that died after sending."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from icalendar import Calendar

from clinic import sms
from patients.choices import Indication, MedicationClass
from patients.models import Medication
from scheduling import reminders, services
from scheduling.choices import ReminderChannel, ReminderStatus
from scheduling.models import Reminder, SchedulingSettings
from tests.conftest import make_role_user
from tests.infusions.factories import CourseFactory
from tests.patients.factories import PatientFactory
from tests.scheduling.factories import ChairFactory, at, next_monday, open_week

pytestmark = pytest.mark.django_db

LEADS = (48, 24)


@pytest.mark.parametrize(
    ("hours_ahead", "due"),
    [(72, None), (48.01, None), (48, 48), (30, 48), (24.01, 48), (24, 24), (10, 24), (0.1, 24), (0, None), (-1, None)],
)
def test_the_due_reminder_is_the_shortest_lead_whose_moment_has_come(hours_ahead, due):
    start = dt.datetime(2026, 3, 9, 10, tzinfo=dt.UTC)
    now = start - dt.timedelta(hours=hours_ahead)
    assert reminders.due_lead(start, now, LEADS) == due


@pytest.fixture
def booked():
    """A patient who agreed to reminders, booked next Monday at 10:00, with email and phone on record."""
    open_week()
    monday = next_monday()
    patient = PatientFactory(reminders_consent=True, email="sam@example.org", phone="(555) 010-2222",
                             primary_indication="depression", given_name="Wrenna",
                             family_name="Quillfeather")  # fmt: skip  # names no reminder text can hold by chance
    booking = services.booking_book(course=CourseFactory(patient=patient), start=at(monday, 10), chair=ChairFactory(),
                                    by=make_role_user("front_desk"))  # fmt: skip
    rules = SchedulingSettings.current()
    rules.reminder_name, rules.clinic_address, rules.reschedule_phone = "Elm Street Clinic", "12 Elm St", "555-0100"
    rules.save()
    return booking


def before(booking, hours: float) -> dt.datetime:
    return booking.start - dt.timedelta(hours=hours)


def test_a_reminder_goes_by_email_with_the_appointment_and_by_text_at_each_lead_time(booked):
    assert reminders.send_due(now=before(booked, 49)) == 0
    assert reminders.send_due(now=before(booked, 47)) == 2
    assert reminders.send_due(now=before(booked, 30)) == 0  # the 48-hour one went already
    assert reminders.send_due(now=before(booked, 23)) == 2
    sent = Reminder.objects.order_by("lead_hours", "channel")
    assert [(r.lead_hours, r.channel, r.status) for r in sent] == [
        (24, ReminderChannel.EMAIL, ReminderStatus.SENT), (24, ReminderChannel.SMS, ReminderStatus.SENT),
        (48, ReminderChannel.EMAIL, ReminderStatus.SENT), (48, ReminderChannel.SMS, ReminderStatus.SENT),
    ]  # fmt: skip
    assert [m.to for m in mail.outbox] == [["sam@example.org"]] * 2
    assert [m.to for m in sms.outbox] == ["(555) 010-2222"] * 2
    name, ics, kind = mail.outbox[0].attachments[0]
    assert (name, kind) == ("appointment.ics", "text/calendar")
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert (event["DTSTART"].dt, event["DTEND"].dt) == (booked.start, booked.end)
    assert str(event["LOCATION"]) == "12 Elm St"


def test_a_patient_who_has_not_agreed_gets_no_reminder(booked):
    booked.patient.reminders_consent = False
    booked.patient.save()
    assert reminders.send_due(now=before(booked, 23)) == 0
    assert Reminder.objects.count() == len(mail.outbox) == len(sms.outbox) == 0


def test_a_cancelled_booking_gets_no_reminder(booked):
    services.booking_cancel(booking=booked, by=make_role_user("front_desk"), reason="Patient asked.")
    assert reminders.send_due(now=before(booked, 23)) == 0


def test_a_worker_that_died_after_sending_does_not_send_again(booked, monkeypatch):
    def sent_then_killed(reminder, booking, rules):
        original(reminder, booking, rules)
        raise SystemExit("worker killed")  # after the message left, before it was marked sent

    original = reminders._send
    monkeypatch.setattr(reminders, "_send", sent_then_killed)
    with pytest.raises(SystemExit):
        reminders.send_due(now=before(booked, 23))
    monkeypatch.setattr(reminders, "_send", original)
    assert reminders.send_due(now=before(booked, 22)) == 1  # the text message, never the email again
    assert len(mail.outbox) == 1
    assert len(sms.outbox) == 1
    email = Reminder.objects.get(channel=ReminderChannel.EMAIL)
    assert email.status == ReminderStatus.SENDING  # shown as "not confirmed"


def test_a_gateway_failure_is_recorded_not_raised(booked, settings):
    settings.SMS_BACKEND = "tests.scheduling.test_reminders.RefusingGateway"
    assert reminders.send_due(now=before(booked, 23)) == 1
    failed = Reminder.objects.get(channel=ReminderChannel.SMS)
    assert (failed.status, failed.error) == (ReminderStatus.FAILED, "SMSError")


class RefusingGateway:
    def send(self, to: str, body: str) -> None:
        raise sms.SMSError("refused")


def test_no_reminder_says_who_the_patient_is_what_they_have_or_what_they_are_given(booked):
    patient = booked.patient
    Medication.objects.create(patient=patient, name="Sertraline", dose="50 mg", medication_class=MedicationClass.OTHER)
    reminders.send_due(now=before(booked, 23))
    texts = [mail.outbox[0].subject, mail.outbox[0].body, sms.outbox[0].body,
             str(mail.outbox[0].attachments[0][1])]  # fmt: skip
    forbidden = [patient.given_name, patient.family_name, patient.mrn, "sertraline", "ketamine", "infusion",
                 booked.session.course.protocol.name, *(label for _, label in Indication.choices)]  # fmt: skip
    for text in texts:
        for word in forbidden:
            assert word.lower() not in text.lower(), (word, text)
    assert "12 Elm St" in sms.outbox[0].body
    assert "drive you home" in mail.outbox[0].body
    assert "555-0100" in sms.outbox[0].body


def test_a_clinic_name_that_says_what_it_treats_is_refused_for_reminders():
    rules = SchedulingSettings.current()
    rules.reminder_name = "Springfield Ketamine Infusion Center"
    with pytest.raises(ValidationError) as refused:
        rules.full_clean()
    assert "ketamine, infusion" in refused.value.message_dict["reminder_name"][0]


def test_the_patient_page_lists_the_reminders_sent(booked, front_desk_client):
    reminders.send_due(now=before(booked, 23))
    response = front_desk_client.get(reverse("patients:patient_detail", kwargs={"pk": booked.patient_id}))
    assert response.status_code == HTTPStatus.OK
    text = response.content.decode()
    assert 'data-testid="patient-reminders"' in text
    assert "sam@example.org" in text
    assert "(24 h before)" in text
