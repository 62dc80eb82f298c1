"""Sign-ins, failures, sign-outs, lockouts, lifted lockouts and refused pages are each recorded (security.md A8, A9,
C7); lockouts follow settings (5 failures of an account, 15 minutes; an address only for many different usernames,
issue #17) and are mailed, and the lockout page says what happened and whether anyone was told."""

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


def test_a_colleagues_failures_never_refuse_a_nurse_who_types_her_own_password(nurse):
    """The clinic's staff share one address: one person's lockout is theirs alone (issue #17)."""
    UserFactory(username="nurse.lee", role=roles.NURSE)
    for attempt in range(5):
        sign_in("nurse.lee", f"wrong-{attempt}", "10.0.0.1")
    assert sign_in("nurse.lee", TEST_PASSWORD, "10.0.0.1").status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert sign_in("nurse.kim", TEST_PASSWORD, "10.0.0.1").status_code == HTTPStatus.FOUND


def test_failures_of_a_few_usernames_from_one_address_lock_no_other_account(nurse):
    for attempt in range(8):
        sign_in(f"guess{attempt}", "wrong-password", "10.6.6.6")
    assert sign_in("new.starter", "wrong-password", "10.6.6.6").status_code == HTTPStatus.OK  # nine usernames
    UserFactory(username="nurse.new", role=roles.NURSE)
    assert sign_in("nurse.new", TEST_PASSWORD, "10.6.6.6").status_code == HTTPStatus.FOUND


def stuff(address: str, count: int = 10) -> None:
    """Credential stuffing: one wrong password each for ``count`` different usernames from ``address``."""
    for attempt in range(count):
        sign_in(f"leaked.user{attempt}", "Summer2024!", address)


def test_many_different_usernames_from_one_address_throttle_it_for_accounts_new_there(nurse, settings):
    settings.CLINIC_SECURITY_CONTACTS = ["security@clinic.example.org"]
    stuff("10.6.6.6", 9)
    tenth = sign_in("leaked.user9", "Summer2024!", "10.6.6.6")
    assert tenth.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Sign-in from this network is paused" in tenth.content.decode()

    refused = sign_in("nurse.kim", TEST_PASSWORD, "10.6.6.6")  # never signed in from there
    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "leaked.user" not in refused.content.decode()
    assert "nurse.kim" in refused.content.decode()
    assert events(AuthEventKind.LOGIN_FAILURE).last().detail.startswith("refused: sign-ins from this address")
    assert sign_in("nurse.kim", TEST_PASSWORD, "10.0.0.8").status_code == HTTPStatus.FOUND  # elsewhere: fine
    lockout = events(AuthEventKind.LOCKOUT).get()
    assert lockout.ip_address == "10.6.6.6"
    assert lockout.detail.startswith("credential stuffing: failed sign-ins for 10 different usernames from 10.6.6.6")
    assert len(mail.outbox) == 1
    assert "10.6.6.6" in mail.outbox[0].body


def test_an_account_that_signed_in_from_the_address_before_is_never_throttled_there(nurse):
    """Someone on the guest network trying a list of stolen passwords does not stop the clinic's own staff."""
    assert sign_in("nurse.kim", TEST_PASSWORD, "10.6.6.6").status_code == HTTPStatus.FOUND  # yesterday
    stuff("10.6.6.6", 12)
    assert sign_in("nurse.kim", "a-typo", "10.6.6.6").status_code == HTTPStatus.OK  # her own typo: the form again
    assert sign_in("nurse.kim", TEST_PASSWORD, "10.6.6.6").status_code == HTTPStatus.FOUND


def test_usernames_that_then_sign_in_correctly_do_not_count_towards_an_addresss_throttle():
    """A morning of typos at the front desk, each followed by the right password, is not an attack."""
    for n in range(12):
        UserFactory(username=f"staff.{n}", role=roles.NURSE)
        sign_in(f"staff.{n}", "a-typo", "10.0.0.1")
        assert sign_in(f"staff.{n}", TEST_PASSWORD, "10.0.0.1").status_code == HTTPStatus.FOUND
    UserFactory(username="new.starter", role=roles.NURSE)
    assert sign_in("new.starter", TEST_PASSWORD, "10.0.0.1").status_code == HTTPStatus.FOUND
    assert not events(AuthEventKind.LOCKOUT).exists()


def test_an_address_throttle_ends_after_the_cool_off(nurse):
    from axes.models import AccessFailureLog

    stuff("10.6.6.6")
    AccessFailureLog.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert sign_in("nurse.kim", TEST_PASSWORD, "10.6.6.6").status_code == HTTPStatus.FOUND


def test_witness_and_signing_passwords_count_for_their_own_account_and_never_for_an_address(nurse):
    """Mistyped at a signed-in screen, a password counts towards the lockout of the account it belongs to (a stolen
    session cannot guess a colleague's password there faster than at sign-in), never towards the address: ten
    different colleagues mistyping as witnesses do not throttle the clinic's network (issue #17)."""
    from django.test import RequestFactory

    from clinic.accounts.passwords import PasswordFailureMiddleware, password_confirm

    def at_the_chair(witness, password: str) -> bool:
        request = RequestFactory().post("/infusions/sessions/1/dose/", REMOTE_ADDR="10.0.0.1")
        request.user = nurse
        result = []
        PasswordFailureMiddleware(lambda r: result.append(
            password_confirm(user=witness, password=password, purpose="second person's confirmation", request=r)
        ))(request)  # fmt: skip
        return result[0]

    colleagues = [UserFactory(username=f"rn.{n}", role=roles.NURSE) for n in range(12)]
    for colleague in colleagues:
        assert not at_the_chair(colleague, "a-typo")
    for _ in range(4):
        at_the_chair(colleagues[0], "a-typo")
    assert not at_the_chair(colleagues[0], TEST_PASSWORD), "the witness's own account is locked"
    assert at_the_chair(colleagues[1], TEST_PASSWORD)
    assert sign_in("nurse.kim", TEST_PASSWORD, "10.0.0.1").status_code == HTTPStatus.FOUND
    UserFactory(username="new.starter", role=roles.NURSE)
    assert sign_in("new.starter", TEST_PASSWORD, "10.0.0.1").status_code == HTTPStatus.FOUND
    assert sign_in("rn.0", TEST_PASSWORD, "10.0.0.1").status_code == HTTPStatus.TOO_MANY_REQUESTS


# The lockout page says what is true (issue #17) ---------------------------------------------------------------------


def test_the_lockout_page_names_the_account_and_says_the_admin_was_told_only_when_a_mail_went(nurse, settings):
    settings.CLINIC_SECURITY_CONTACTS = []
    for attempt in range(5):
        page = sign_in("Nurse.Kim", f"wrong-{attempt}")
    text = page.content.decode()
    assert "There were 5 failed sign-ins in a row for <strong>Nurse.Kim</strong>" in text
    assert "Other accounts are not affected" in text
    assert "has been notified" not in text
    assert "No message has been sent about this: tell the clinic admin yourself." in text
    assert "not mailed: no security contacts are set" in events(AuthEventKind.LOCKOUT).get().detail
    assert "has been notified" not in sign_in("nurse.kim", TEST_PASSWORD).content.decode()


def test_the_lockout_page_says_the_admin_was_told_when_the_mail_went_and_on_later_refusals(nurse, settings):
    settings.CLINIC_SECURITY_CONTACTS = ["security@clinic.example.org"]
    for attempt in range(5):
        page = sign_in("nurse.kim", f"wrong-{attempt}")
    assert "The clinic admin has been notified." in page.content.decode()
    later = sign_in("nurse.kim", TEST_PASSWORD, "10.0.0.2")
    assert later.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "The clinic admin has been notified." in later.content.decode()
    assert len(mail.outbox) == 1


def test_a_lockout_mail_that_could_not_be_sent_is_not_claimed(nurse, settings):
    settings.CLINIC_SECURITY_CONTACTS = ["security@clinic.example.org"]
    settings.EMAIL_BACKEND = "tests.clinic.test_auth_events.BrokenMailBackend"
    for attempt in range(5):
        page = sign_in("nurse.kim", f"wrong-{attempt}")
    assert "has been notified" not in page.content.decode()
    assert "not mailed: the mail could not be sent" in events(AuthEventKind.LOCKOUT).get().detail


class BrokenMailBackend:
    """A mail server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


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
