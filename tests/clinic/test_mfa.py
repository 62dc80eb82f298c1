"""Two-step sign-in (security.md A5–A7, B4–B6): no page before the second factor, codes work once, enrolment."""

from __future__ import annotations

import html
import re
import time
from http import HTTPStatus

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts import mfa, roles
from clinic.accounts.middleware import AUTH_TIME_SESSION_KEY
from tests.factories import PatientFactory, UserFactory
from tests.mfa import code_for, enrol, password_only_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse():
    return UserFactory(username="mfa_nurse", role=roles.NURSE)


@pytest.fixture
def half_signed_in(nurse) -> Client:
    """Password accepted, second factor not yet given."""
    enrol(nurse)
    client = Client()
    password_only_login(client, nurse)
    return client


@pytest.mark.parametrize("url", ["/", "/patients/", "/infusions/today/", "/admin/", "/accounts/security/"])
def test_a_password_alone_reaches_no_page_only_the_code_step(half_signed_in, url):
    response = half_signed_in.get(url)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("mfa_verify") + "?next=")


def test_a_password_alone_reaches_no_patient_record(half_signed_in):
    patient = PatientFactory()
    response = half_signed_in.get(patient.get_absolute_url())
    assert response.status_code == HTTPStatus.FOUND
    assert reverse("mfa_verify") in response["Location"]


def test_htmx_requests_are_told_to_go_to_the_code_step(half_signed_in):
    response = half_signed_in.get("/infusions/today/", headers={"HX-Request": "true"})
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["HX-Redirect"].startswith(reverse("mfa_verify"))


def test_the_admin_login_form_is_replaced_by_the_two_step_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("login"))


def test_the_right_code_signs_in_under_a_new_session_key(half_signed_in, nurse):
    key_before = half_signed_in.session.session_key
    response = half_signed_in.post(reverse("mfa_verify"), {"code": code_for(), "next": "/patients/"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/patients/"
    assert half_signed_in.session.session_key != key_before
    assert half_signed_in.session[DEVICE_ID_SESSION_KEY] == enrol(nurse).persistent_id
    assert half_signed_in.get("/patients/").status_code == HTTPStatus.OK


def test_a_code_is_accepted_once(nurse):
    device = enrol(nurse)
    code = code_for(after=device.last_t)
    first, second = Client(), Client()
    password_only_login(first, nurse)
    password_only_login(second, nurse)
    assert first.post(reverse("mfa_verify"), {"code": code}).status_code == HTTPStatus.FOUND
    replay = second.post(reverse("mfa_verify"), {"code": code})
    assert replay.status_code == HTTPStatus.OK
    assert "That code was not accepted" in replay.content.decode()
    assert DEVICE_ID_SESSION_KEY not in second.session


def test_an_old_code_is_refused(half_signed_in):
    from django_otp.oath import TOTP

    totp = TOTP(bytes.fromhex(mfa.DEMO_TOTP_KEY_HEX))
    totp.time = time.time() - 90  # three time steps ago
    response = half_signed_in.post(reverse("mfa_verify"), {"code": f"{totp.token():06d}"})
    assert response.status_code == HTTPStatus.OK
    assert DEVICE_ID_SESSION_KEY not in half_signed_in.session


def test_wrong_codes_slow_down_further_tries(half_signed_in, nurse):
    half_signed_in.post(reverse("mfa_verify"), {"code": "000000"})
    response = half_signed_in.post(reverse("mfa_verify"), {"code": code_for()})
    assert "Too many wrong codes" in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in half_signed_in.session
    assert TOTPDevice.objects.get(user=nurse).throttling_failure_count == 1


def test_a_recovery_code_signs_in_once(half_signed_in, nurse):
    codes = mfa.recovery_codes_issue(user=nurse)
    response = half_signed_in.post(reverse("mfa_verify"), {"code": codes[0].upper()}, follow=True)
    assert response.status_code == HTTPStatus.OK
    assert "9 left" in response.content.decode()
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    again = Client()
    password_only_login(again, nurse)
    response = again.post(reverse("mfa_verify"), {"code": codes[0]})
    assert "That code was not accepted" in response.content.decode()


def test_the_code_field_brings_up_the_number_pad_and_a_link_switches_to_a_recovery_code(half_signed_in, nurse):
    """On a tablet the six digits are typed on the number pad; recovery codes (letters too) have their own box."""
    page = half_signed_in.get(f"{reverse('mfa_verify')}?next=/patients/").content.decode()
    box = re.search(r"<input[^>]*name=\"code\"[^>]*>", page).group(0)
    assert 'inputmode="numeric"' in box
    assert 'autocomplete="one-time-code"' in box
    toggle = html.unescape(re.search(r'href="\?([^"]+)" data-testid="code-method-toggle"', page).group(1))
    assert "method=recovery" in toggle

    page = half_signed_in.get(f"{reverse('mfa_verify')}?{toggle}").content.decode()
    box = re.search(r"<input[^>]*name=\"code\"[^>]*>", page).group(0)
    assert 'inputmode="text"' in box
    assert "Recovery code" in page
    assert "Use the code from your app instead" in page
    code = mfa.recovery_codes_issue(user=nurse)[0]
    response = half_signed_in.post(reverse("mfa_verify"), {"code": code, "method": "recovery", "next": "/patients/"})
    assert response["Location"] == "/patients/"


def test_a_person_without_an_authenticator_is_sent_to_enrol(nurse):
    client = Client()
    password_only_login(client, nurse)
    response = client.get("/patients/")
    assert response["Location"].startswith(reverse("mfa_setup"))
    page = client.get(response["Location"])
    assert page.status_code == HTTPStatus.OK
    assert client.get(reverse("mfa_setup_qr"))["Content-Type"] == "image/svg+xml"


def test_enrolment_confirms_with_a_code_and_shows_recovery_codes_once(nurse):
    client = Client()
    password_only_login(client, nurse)
    client.get(reverse("mfa_setup"))
    device = TOTPDevice.objects.get(user=nurse, confirmed=False)
    wrong = client.post(reverse("mfa_setup"), {"code": "123456"})
    assert "That code does not match" in wrong.content.decode()
    time.sleep(1.1)  # a wrong code makes the next try wait a second (django-otp throttling)
    page = client.post(reverse("mfa_setup"), {"code": code_for(device.key, after=-1), "next": "/patients/"})
    assert page.status_code == HTTPStatus.OK
    assert len(page.context["codes"]) == mfa.RECOVERY_CODE_COUNT
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/patients/").status_code == HTTPStatus.OK


def test_an_enrolled_person_cannot_swap_in_another_authenticator_with_the_password_alone(half_signed_in):
    response = half_signed_in.get(reverse("mfa_setup"))
    assert response["Location"].startswith(reverse("mfa_verify"))
    assert half_signed_in.get(reverse("mfa_setup_qr")).status_code == HTTPStatus.FORBIDDEN
    assert half_signed_in.post(reverse("mfa_setup"), {"code": "123456"}).status_code == HTTPStatus.FOUND


def test_a_reset_authenticator_ends_the_verified_session(nurse):
    client = Client()
    client.force_login(nurse)
    assert client.get("/patients/").status_code == HTTPStatus.OK
    mfa.reset(user=nurse)
    assert client.get("/patients/")["Location"].startswith(reverse("mfa_setup"))


def test_the_demo_code_is_shown_only_with_debug_on(client, settings):
    settings.DEBUG = False
    assert "demo-code" not in client.get(reverse("login")).content.decode()
    settings.DEBUG = True
    page = client.get(reverse("login")).content.decode()
    assert "demo-code" in page
    assert mfa.demo_code() in page


def test_new_recovery_codes_replace_the_old_ones(nurse_client):
    user = nurse_client.session["_auth_user_id"]
    old = mfa.recovery_codes_issue(user=UserFactory._meta.model.objects.get(pk=user))
    page = nurse_client.post(reverse("recovery_codes"))
    assert len(page.context["codes"]) == mfa.RECOVERY_CODE_COUNT
    assert not StaticToken.objects.filter(token__in=old).exists()


# Sessions (security.md B1, B2, B5, B6) -----------------------------------------------------------------------------


def test_an_idle_session_is_sent_to_sign_in(nurse_client, settings):
    """An expired session (the store's own age, CLINIC_SESSION_MAX_AGE_SECONDS) is gone; an idle one is locked
    first (tests/clinic/test_screen_lock.py)."""
    session = nurse_client.session
    session.set_expiry(-1)  # as if the session's age had passed
    session.save()
    response = nurse_client.get("/patients/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("login"))


def test_a_sign_in_ends_after_the_absolute_lifetime_however_active(nurse_client, settings):
    session = nurse_client.session
    session[AUTH_TIME_SESSION_KEY] = int(time.time()) - settings.CLINIC_SESSION_MAX_AGE_SECONDS - 1
    session.save()
    response = nurse_client.get("/patients/")
    assert response["Location"].startswith(reverse("login"))
    assert nurse_client.get("/patients/")["Location"].startswith(reverse("login"))


def test_sign_out_clears_the_browser_and_the_old_cookie_no_longer_works(nurse_client):
    cookie = nurse_client.cookies[settings.SESSION_COOKIE_NAME].value
    response = nurse_client.post(reverse("logout"))
    assert "cookies" in response["Clear-Site-Data"]
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert replay.get("/patients/")["Location"].startswith(reverse("login"))


def test_a_deactivated_person_loses_their_session(nurse):
    client = Client()
    client.force_login(nurse)
    assert client.get("/patients/").status_code == HTTPStatus.OK
    nurse.is_active = False
    nurse.save()
    assert client.get("/patients/")["Location"].startswith(reverse("login"))


def test_keepalive_answers_204_and_the_timeout_page_signs_out(nurse_client):
    assert nurse_client.get(reverse("session_keepalive")).status_code == HTTPStatus.NO_CONTENT
    response = nurse_client.get(reverse("session_timeout"), follow=True)
    assert "signed out after a period without activity" in response.content.decode()
    assert nurse_client.get(reverse("session_keepalive")).status_code == HTTPStatus.FOUND


# Headers (security.md I3, I4) ---------------------------------------------------------------------------------------


def test_signed_in_pages_are_not_stored_and_carry_a_strict_content_security_policy(nurse_client):
    patient = PatientFactory()
    response = nurse_client.get(patient.get_absolute_url())
    assert "no-store" in response["Cache-Control"]
    policy = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "script-src 'self'"):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
