"""The screen lock (issue #17; security.md B1, B3): an idle screen locks on the server, shows nothing of a patient,
and its owner unlocks it with a PIN, or signs in again after too many wrong PINs, too long, or to switch user."""

from __future__ import annotations

import time
from http import HTTPStatus
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.accounts import roles, screen_lock
from clinic.accounts.models import UnlockPin
from clinic.accounts.screen_lock import AUTH_TIME_SESSION_KEY, LAST_ACTIVITY_SESSION_KEY, LOCKED_SESSION_KEY
from clinic.audit.models import AuthEvent, AuthEventKind
from tests.conftest import ROLES, make_role_user
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory
from tests.mfa import code_for, enrol, password_only_login
from tests.test_url_permissions import MATRIX, make_objects, url_for

pytestmark = pytest.mark.django_db

PIN = "4071"
LOCK = reverse("screen_lock")


@pytest.fixture
def nurse():
    return UserFactory(username="nurse.kim", first_name="Kim", last_name="Ward", role=roles.NURSE)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def with_pin(user, pin: str = PIN, failures: int = 0) -> UnlockPin:
    return UnlockPin.objects.create(user=user, pin_hash=make_password(pin), failures=failures, set_at=timezone.now())


def idle(client: Client, seconds: float | None = None) -> None:
    """As if nothing had been typed or clicked for ``seconds`` (default: just past the idle time)."""
    session = client.session
    session[LAST_ACTIVITY_SESSION_KEY] = int(time.time() - (seconds or settings.CLINIC_IDLE_TIMEOUT_SECONDS + 1))
    session.save()


def locked(client: Client) -> Client:
    idle(client)
    client.get(reverse("home"))
    assert LOCKED_SESSION_KEY in client.session
    return client


def sent_to_lock(response) -> bool:
    return response.status_code == HTTPStatus.FOUND and response["Location"].startswith(f"{LOCK}?next=")


def events(kind: str):
    return AuthEvent.objects.filter(kind=kind).order_by("id")


# Locking -----------------------------------------------------------------------------------------------------------


def test_an_idle_screen_locks_on_the_server_and_the_lock_is_recorded_once(nurse):
    client = signed_in(nurse)
    patient = PatientFactory()
    assert client.get(patient.get_absolute_url()).status_code == HTTPStatus.OK
    idle(client)

    response = client.get(patient.get_absolute_url())
    assert sent_to_lock(response)
    assert response["Location"] == f"{LOCK}?{urlencode({'next': patient.get_absolute_url()})}"
    assert sent_to_lock(client.get("/patients/"))
    lock = events(AuthEventKind.SCREEN_LOCKED).get()
    assert (lock.user, lock.detail) == (nurse, "no activity for 15 minutes")


def test_activity_keeps_the_screen_unlocked_but_a_page_refreshing_itself_does_not(nurse):
    client = signed_in(nurse)
    idle(client, settings.CLINIC_IDLE_TIMEOUT_SECONDS - 60)
    assert client.get(reverse("session_keepalive")).status_code == HTTPStatus.NO_CONTENT  # the script saw typing
    idle_before = time.time() - client.session[LAST_ACTIVITY_SESSION_KEY]
    assert idle_before < 5

    idle(client, settings.CLINIC_IDLE_TIMEOUT_SECONDS - 60)
    board = client.get(reverse("infusions:today_board"), headers={"HX-Request": "true"})
    assert board.status_code == HTTPStatus.OK  # not idle long enough yet
    assert time.time() - client.session[LAST_ACTIVITY_SESSION_KEY] > 50, "the board's own refresh is not activity"


def test_an_htmx_refresh_of_a_locked_screen_is_sent_to_the_lock_page(nurse):
    client = locked(signed_in(nurse))
    response = client.get(
        reverse("infusions:today_board"),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/infusions/today/"},
    )
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["HX-Redirect"] == f"{LOCK}?{urlencode({'next': 'http://testserver/infusions/today/'})}"


def test_the_admin_is_locked_too():
    client = locked(signed_in(make_role_user("clinic_admin")))
    assert sent_to_lock(client.get("/admin/"))
    assert sent_to_lock(client.get("/admin/accounts/user/"))


def test_the_keepalive_of_a_locked_screen_is_refused_so_the_script_moves_the_page(nurse):
    client = locked(signed_in(nurse))
    assert sent_to_lock(client.get(reverse("session_keepalive")))


@pytest.mark.parametrize("role", ROLES)
def test_a_locked_screen_shows_no_patient_data_on_any_url_of_the_matrix(role):
    """Every URL of the URL×role matrix, GET and POST, answers with the lock page while locked (security.md B1)."""
    objects = make_objects()
    patient = objects["patient"]
    user = make_role_user(role)
    with_pin(user)
    client = locked(signed_in(user))
    # Open while locked: the lock page itself, sign-out (switch user), and the pages that need no sign-in.
    open_while_locked = {"screen_lock", "logout", "login", "healthz", "session_timeout"}
    failures = []
    for name in sorted(set(MATRIX) - open_while_locked):
        url = url_for(name, objects)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if not sent_to_lock(response):
                failures.append(f"{method.upper()} {url} -> {response.status_code}")
    assert failures == []
    page = client.get(LOCK)
    assert page.status_code == HTTPStatus.OK
    text = page.content.decode()
    for shown in (patient.family_name, patient.given_name, patient.mrn):
        assert shown not in text
    assert 'data-testid="today-board"' not in text
    assert "navbar" not in text, "no navigation (and its patient links) on a locked screen"
    assert "idle_timeout.js" not in text
    assert user.display_name in text


def test_opening_the_lock_page_locks_the_screen(nurse):
    with_pin(nurse)
    client = signed_in(nurse)
    assert client.get(f"{LOCK}?next=/patients/").status_code == HTTPStatus.OK
    assert events(AuthEventKind.SCREEN_LOCKED).get().detail == "the idle page moved to the lock"
    assert sent_to_lock(client.get("/patients/"))


def test_a_session_before_the_second_factor_is_signed_out_when_idle(nurse):
    enrol(nurse)
    client = Client()
    password_only_login(client, nurse)
    client.get(reverse("mfa_verify"))
    idle(client)
    response = client.get(reverse("mfa_verify"))
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    assert events(AuthEventKind.SESSION_TIMEOUT).get().user == nurse


def test_a_form_sent_to_a_locked_screen_is_not_taken_for_saved(nurse):
    """The lock answers before the double-submission guard, so after unlocking the same form can be sent again."""
    from clinic.models import FormSubmission

    with_pin(nurse)
    client = locked(signed_in(nurse))
    response = client.post(reverse("unlock_pin"), {"form_token": "0c4f9d3e-52a4-4d0e-8f7e-2f5a3c6b9a10"})
    assert sent_to_lock(response)
    assert not FormSubmission.objects.exists()


# The PIN -----------------------------------------------------------------------------------------------------------


def test_the_pin_is_set_with_the_password_and_stored_as_a_password_hash(nurse):
    client = signed_in(nurse)
    page = client.get(reverse("unlock_pin"))
    assert page.status_code == HTTPStatus.OK
    assert 'inputmode="numeric"' in page.content.decode()

    response = client.post(reverse("unlock_pin"), {"pin": PIN, "pin_again": PIN, "password": TEST_PASSWORD})

    assert response["Location"] == reverse("account_security")
    row = UnlockPin.objects.get(user=nurse)
    assert PIN not in row.pin_hash
    assert check_password(PIN, row.pin_hash)
    assert events(AuthEventKind.PIN_SET).get().detail == "new PIN"
    assert "Your PIN unlocks your screen" in client.get(reverse("account_security")).content.decode()


@pytest.mark.parametrize(
    ("pin", "pin_again", "password", "field", "message"),
    [
        ("12a4", "12a4", TEST_PASSWORD, "pin", "Type 4 to 8 digits"),
        ("123", "123", TEST_PASSWORD, "pin", "Type 4 to 8 digits"),
        ("123456789", "123456789", TEST_PASSWORD, "pin", "at most 8 characters"),
        ("0000", "0000", TEST_PASSWORD, "pin", "too easy to guess"),
        ("3456", "3456", TEST_PASSWORD, "pin", "too easy to guess"),
        ("9876", "9876", TEST_PASSWORD, "pin", "too easy to guess"),
        ("4071", "4072", TEST_PASSWORD, "pin_again", "The two PINs differ"),
        ("4071", "4071", "not-my-password", "password", "That is not your password"),
    ],
)
def test_a_pin_is_refused_next_to_its_field(nurse, pin, pin_again, password, field, message):
    client = signed_in(nurse)
    response = client.post(reverse("unlock_pin"), {"pin": pin, "pin_again": pin_again, "password": password})
    assert response.status_code == HTTPStatus.OK
    assert message in " ".join(response.context["form"].errors[field])
    assert not UnlockPin.objects.exists()


def test_a_wrong_password_when_setting_the_pin_counts_as_a_failed_sign_in(nurse):
    signed_in(nurse).post(reverse("unlock_pin"), {"pin": PIN, "pin_again": PIN, "password": "wrong-password"})
    failure = events(AuthEventKind.LOGIN_FAILURE).get()
    assert failure.user == nurse
    assert failure.detail.startswith("wrong password (screen-lock PIN); failure 1 of 5")


def test_the_pin_can_be_removed(nurse):
    with_pin(nurse)
    client = signed_in(nurse)
    assert client.post(reverse("unlock_pin"), {"remove": "1"})["Location"] == reverse("account_security")
    assert not UnlockPin.objects.exists()
    assert events(AuthEventKind.PIN_REMOVED).get().user == nurse


def test_the_right_pin_unlocks_under_a_new_session_key_and_goes_back_to_the_page(nurse):
    with_pin(nurse)
    client = locked(signed_in(nurse))
    key = client.session.session_key
    page = client.get(f"{LOCK}?next=/patients/")
    assert page.status_code == HTTPStatus.OK
    assert 'inputmode="numeric"' in page.content.decode()

    response = client.post(LOCK, {"pin": PIN, "next": "/patients/"})

    assert response["Location"] == "/patients/"
    assert client.session.session_key != key
    assert client.get("/patients/").status_code == HTTPStatus.OK
    assert events(AuthEventKind.SCREEN_UNLOCKED).get().user == nurse


def test_the_lock_page_never_sends_back_to_another_site(nurse):
    with_pin(nurse)
    client = locked(signed_in(nurse))
    assert client.post(LOCK, {"pin": PIN, "next": "https://evil.example/"})["Location"] == reverse("home")


def test_wrong_pins_are_counted_and_the_last_allowed_one_falls_back_to_the_full_sign_in(nurse):
    with_pin(nurse)
    client = locked(signed_in(nurse))
    for attempt in range(1, settings.CLINIC_PIN_MAX_FAILURES):
        response = client.post(LOCK, {"pin": "9999", "next": "/patients/"})
        assert response.status_code == HTTPStatus.OK
        left = settings.CLINIC_PIN_MAX_FAILURES - attempt
        assert f"That PIN is not right. {left} more tr" in response.content.decode()

    response = client.post(LOCK, {"pin": "9999", "next": "/patients/"})

    assert response["Location"] == f"{reverse('login')}?{urlencode({'next': '/patients/'})}"
    assert "_auth_user_id" not in client.session
    failures = events(AuthEventKind.PIN_FAILURE)
    assert failures.count() == settings.CLINIC_PIN_MAX_FAILURES
    assert failures.last().detail == "wrong PIN; failure 5 of 5"
    assert events(AuthEventKind.LOCK_FALLBACK).get().detail == screen_lock.TOO_MANY_WRONG_PINS
    assert UnlockPin.objects.get(user=nurse).failures == settings.CLINIC_PIN_MAX_FAILURES
    follow = client.get(response["Location"])
    assert "Too many wrong PINs" in follow.content.decode()


def test_the_allowance_of_wrong_pins_is_per_person_not_per_screen(nurse):
    """Another locked screen of the same person cannot be tried with five more PINs."""
    with_pin(nurse)
    first, second = locked(signed_in(nurse)), locked(signed_in(nurse))
    for _ in range(settings.CLINIC_PIN_MAX_FAILURES):
        first.post(LOCK, {"pin": "9999"})
    response = second.post(LOCK, {"pin": PIN})
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in second.session


def test_a_full_sign_in_gives_the_pin_its_allowance_back(nurse):
    with_pin(nurse, failures=settings.CLINIC_PIN_MAX_FAILURES)
    device = enrol(nurse)
    client = Client()
    client.post(reverse("login"), {"username": "nurse.kim", "password": TEST_PASSWORD})
    client.post(reverse("mfa_verify"), {"code": code_for(device.key, after=device.last_t)})
    assert UnlockPin.objects.get(user=nurse).failures == 0


def test_after_the_pin_window_since_the_full_sign_in_the_lock_needs_the_full_sign_in(nurse, settings):
    settings.CLINIC_PIN_UNLOCK_MAX_AGE_SECONDS = 4 * 3600
    with_pin(nurse)
    client = locked(signed_in(nurse))
    session = client.session
    session[AUTH_TIME_SESSION_KEY] = int(time.time()) - 4 * 3600 - 1
    session.save()

    response = client.get(f"{LOCK}?next=/patients/")

    assert response["Location"] == f"{reverse('login')}?{urlencode({'next': '/patients/'})}"
    assert events(AuthEventKind.LOCK_FALLBACK).get().detail == screen_lock.PIN_WINDOW_PASSED
    assert "_auth_user_id" not in client.session
    assert not events(AuthEventKind.PIN_FAILURE).exists()


def test_the_pin_window_is_checked_when_the_pin_is_typed_too(nurse, settings):
    with_pin(nurse)
    client = locked(signed_in(nurse))
    client.get(LOCK)
    session = client.session
    session[AUTH_TIME_SESSION_KEY] = int(time.time()) - settings.CLINIC_PIN_UNLOCK_MAX_AGE_SECONDS - 1
    session.save()
    settings.CLINIC_SESSION_MAX_AGE_SECONDS = 24 * 3600  # only the PIN window has passed, not the sign-in's life
    assert client.post(LOCK, {"pin": PIN})["Location"].startswith(reverse("login"))
    assert events(AuthEventKind.LOCK_FALLBACK).get().detail == screen_lock.PIN_WINDOW_PASSED


def test_the_absolute_lifetime_ends_a_locked_sign_in_as_well(nurse):
    with_pin(nurse)
    client = locked(signed_in(nurse))
    session = client.session
    session[AUTH_TIME_SESSION_KEY] = int(time.time()) - settings.CLINIC_SESSION_MAX_AGE_SECONDS - 1
    session.save()
    assert client.get(LOCK)["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_without_a_pin_the_lock_needs_the_full_sign_in_and_says_how_to_set_one(nurse):
    client = locked(signed_in(nurse))
    response = client.get(f"{LOCK}?next=/patients/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "set one on your Sign-in security page" in response.content.decode()
    assert events(AuthEventKind.LOCK_FALLBACK).get().detail == screen_lock.NO_PIN


def test_switch_user_signs_out_and_the_next_person_signs_in_in_full(nurse):
    with_pin(nurse)
    client = locked(signed_in(nurse))
    page = client.get(LOCK).content.decode()
    assert "Switch user" in page
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert events(AuthEventKind.LOGOUT).get().user == nurse
