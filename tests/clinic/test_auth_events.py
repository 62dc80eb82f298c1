"""Sign-ins, failures, sign-outs, lockouts, lifted lockouts and refused pages are each recorded (security.md A8, A9,
C7); lockouts follow settings (5 failures, 15 minutes, per username and per address) and are mailed."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.accounts import roles
from clinic.audit.models import AuthEvent, AuthEventKind
from clinic.audit.receivers import LOCKOUT_MAIL_SUBJECT
from clinic.audit.services import auth_event_record
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
LOCKED_PAGE = "Sign-in is paused for this account"


def sign_in(username: str, password: str, address: str = "10.0.0.1"):
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password})


def events(kind: str):
    return AuthEvent.objects.filter(kind=kind).order_by("id")


@pytest.fixture
def nurse():
    return UserFactory(username="nurse.kim", role=roles.NURSE)


def test_successful_sign_in_is_recorded_with_user_address_path_and_database_time(nurse):
    before = timezone.now()
    response = sign_in("nurse.kim", TEST_PASSWORD, "10.0.0.7")
    assert response.status_code == HTTPStatus.FOUND
    event = events(AuthEventKind.LOGIN_SUCCESS).get()
    assert (event.user, event.username, event.ip_address, event.path) == (nurse, "nurse.kim", "10.0.0.7", LOGIN)
    assert event.occurred_at.utcoffset() == dt.timedelta(0)  # stored and read back in UTC
    assert event.occurred_at >= before - dt.timedelta(seconds=5)


def test_failed_sign_in_records_the_username_typed_and_why(nurse):
    sign_in("Nurse.Kim", "wrong-password-1")
    sign_in("nobody", "wrong-password-1")
    wrong, unknown = events(AuthEventKind.LOGIN_FAILURE)
    assert (wrong.user, wrong.username) == (nurse, "Nurse.Kim")
    assert wrong.detail.startswith("wrong password; failure 1 of 5")
    assert (unknown.user, unknown.username) == (None, "nobody")
    assert unknown.detail.startswith("no such account")


def test_sign_out_is_recorded(nurse):
    client = Client()
    client.force_login(nurse)
    client.post(reverse("logout"))
    assert events(AuthEventKind.LOGOUT).get().user == nurse


def test_five_failures_lock_the_username_even_from_a_new_address(nurse):
    for attempt in range(4):
        assert sign_in("nurse.kim", f"wrong-{attempt}", f"10.0.0.{attempt + 1}").status_code == HTTPStatus.OK
    fifth = sign_in("nurse.kim", "wrong-4", "10.0.0.5")
    assert fifth.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert LOCKED_PAGE in fifth.content.decode()
    assert "Wait 15 minutes" in fifth.content.decode()
    # The right password from yet another address is refused too, and no session is made.
    refused = sign_in("nurse.kim", TEST_PASSWORD, "10.9.9.9")
    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert not events(AuthEventKind.LOGIN_SUCCESS).exists()
    assert events(AuthEventKind.LOGIN_FAILURE).last().detail.startswith("refused: locked out")


def test_five_failures_from_one_address_lock_that_address_for_every_username(nurse):
    for attempt in range(5):
        sign_in(f"guess{attempt}", "wrong-password", "10.6.6.6")
    assert sign_in("nurse.kim", TEST_PASSWORD, "10.6.6.6").status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert sign_in("nurse.kim", TEST_PASSWORD, "10.0.0.8").status_code == HTTPStatus.FOUND


def test_capital_letters_do_not_give_a_username_more_tries(nurse):
    for attempt, typed in enumerate(["nurse.kim", "Nurse.Kim", "NURSE.KIM", "nurse.KIM", "NuRsE.kim"]):
        response = sign_in(typed, "wrong-password", f"10.0.1.{attempt}")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_a_successful_sign_in_clears_the_count(nurse):
    for attempt in range(4):
        sign_in("nurse.kim", f"wrong-{attempt}")
    assert sign_in("nurse.kim", TEST_PASSWORD).status_code == HTTPStatus.FOUND
    assert sign_in("nurse.kim", "wrong-again").status_code == HTTPStatus.OK  # counting starts again at 1
    assert not events(AuthEventKind.UNLOCK).exists()  # axes clearing the count is not someone lifting a lockout


def test_lockout_is_recorded_once_and_mailed_to_the_security_contacts(nurse, settings):
    settings.CLINIC_SECURITY_CONTACTS = ["security@clinic.example.org"]
    for attempt in range(7):
        sign_in("nurse.kim", f"wrong-{attempt}", "10.0.0.3")
    lockout = events(AuthEventKind.LOCKOUT).get()
    assert (lockout.user, lockout.username, lockout.ip_address) == (nurse, "nurse.kim", "10.0.0.3")
    assert "locked for 15 minutes" in lockout.detail
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == LOCKOUT_MAIL_SUBJECT
    assert mail.outbox[0].to == ["security@clinic.example.org"]
    assert "nurse.kim" in mail.outbox[0].body
    assert "10.0.0.3" in mail.outbox[0].body


def test_lockout_ends_after_the_cool_off(nurse):
    for attempt in range(5):
        sign_in("nurse.kim", f"wrong-{attempt}")
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert sign_in("nurse.kim", TEST_PASSWORD).status_code == HTTPStatus.FOUND
    assert not events(AuthEventKind.UNLOCK).exists()  # the lockout expired: nobody lifted it


def test_clinic_admin_sees_lockouts_and_lifting_one_is_recorded_with_who_lifted_it(nurse, clinic_admin_client):
    for attempt in range(5):
        sign_in("nurse.kim", f"wrong-{attempt}", "10.0.0.4")
    changelist = reverse("admin:axes_accessattempt_changelist")
    page = clinic_admin_client.get(changelist)
    assert page.status_code == HTTPStatus.OK
    assert "nurse.kim" in page.content.decode()

    attempt = AccessAttempt.objects.get()
    response = clinic_admin_client.post(
        changelist, {"action": "lift_lockout", "_selected_action": [attempt.pk]}, follow=True
    )
    assert response.status_code == HTTPStatus.OK
    assert not AccessAttempt.objects.exists()
    unlock = events(AuthEventKind.UNLOCK).get()
    assert unlock.user.username == "t_clinicadmin"
    assert unlock.username == "nurse.kim"
    assert "by t_clinicadmin via the admin" in unlock.detail
    assert "10.0.0.4" in unlock.detail
    assert sign_in("nurse.kim", TEST_PASSWORD, "10.0.0.4").status_code == HTTPStatus.FOUND


@pytest.mark.parametrize("role", ["front_desk", "nurse", "clinician"])
def test_other_roles_cannot_see_or_lift_lockouts(role_client, role):
    response = role_client(role).get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == HTTPStatus.FOUND  # not staff: sent to the admin's sign-in


def test_lifting_a_lockout_from_the_command_line_is_recorded(nurse):
    for attempt in range(5):
        sign_in("nurse.kim", f"wrong-{attempt}", "10.0.0.9")
    call_command("axes_reset_username", "nurse.kim")
    unlock = events(AuthEventKind.UNLOCK).get()
    assert unlock.user is None
    assert unlock.username == "nurse.kim"
    assert "via the command line" in unlock.detail
    assert "operating-system user" in unlock.detail


def test_cleaning_up_expired_attempts_is_not_recorded_as_an_unlock(nurse):
    sign_in("nurse.kim", "wrong-password")
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(hours=1))
    call_command("axes_reset")
    assert not events(AuthEventKind.UNLOCK).exists()


def test_a_refused_page_is_recorded_with_user_route_and_patient_id(nurse):
    patient = PatientFactory()
    front_desk = UserFactory(username="desk.ann", role=roles.FRONT_DESK)
    client = Client(REMOTE_ADDR="10.0.0.2")
    client.force_login(front_desk)
    url = reverse("patients:allergy_create", kwargs={"pk": patient.pk})
    assert client.get(url).status_code == HTTPStatus.FORBIDDEN
    denied = events(AuthEventKind.PERMISSION_DENIED).get()
    assert (denied.user, denied.route, denied.path) == (front_desk, "patients:allergy_create", url)
    assert denied.target_patient_id == patient.pk
    assert denied.ip_address == "10.0.0.2"


def test_a_refused_page_without_a_patient_records_no_patient(nurse):
    client = Client()
    client.force_login(nurse)
    assert client.get(reverse("infusions:report_index")).status_code == HTTPStatus.FORBIDDEN
    denied = events(AuthEventKind.PERMISSION_DENIED).get()
    assert (denied.route, denied.target_patient_id) == ("infusions:report_index", None)


def test_events_without_a_request_can_be_recorded_for_other_parts_of_the_sign_in(nurse):
    event = auth_event_record(kind=AuthEventKind.MFA_ENROLLED, user=nurse, detail="TOTP device")
    assert (event.username, event.ip_address, event.path) == ("nurse.kim", None, "")


@pytest.mark.parametrize("statement", ["UPDATE audit_authevent SET detail = 'forged'", "DELETE FROM audit_authevent"])
def test_auth_events_cannot_be_altered_or_deleted(nurse, statement):
    sign_in("nurse.kim", "wrong-password")
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic(), connection.cursor() as c:
        c.execute(statement)
    assert AuthEvent.objects.count() == 1


def test_a_witness_password_lockout_keeps_the_signed_in_page(nurse):
    from django.contrib.auth import authenticate
    from django.http import HttpResponse
    from django.test import RequestFactory

    from clinic.audit.lockout import lockout_response

    witness = UserFactory(username="nurse.two", role=roles.NURSE)
    request = RequestFactory().post("/infusions/sessions/1/dose/", REMOTE_ADDR="10.0.0.6")
    request.user = nurse
    for attempt in range(5):
        assert authenticate(request, username="nurse.two", password=f"wrong-{attempt}") is None
    assert request.axes_locked_out
    page = HttpResponse("the chart with its form error")
    assert lockout_response(request, page, {"username": "nurse.two"}) is page
    assert events(AuthEventKind.LOCKOUT).get().user == witness
    assert authenticate(request, username="nurse.two", password=TEST_PASSWORD) is None  # still locked


def test_a_wrong_second_factor_code_is_recorded(nurse):
    from tests.mfa import enrol, password_only_login

    enrol(nurse)
    client = Client(REMOTE_ADDR="10.0.0.8")
    password_only_login(client, nurse)
    client.post(reverse("mfa_verify"), {"code": "000000"})
    failure = events(AuthEventKind.MFA_FAILURE).get()
    assert (failure.user, failure.ip_address) == (nurse, "10.0.0.8")
