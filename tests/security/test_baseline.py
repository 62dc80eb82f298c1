"""Security baseline of the configuration: accounts, passwords, cookies, headers and ``check --deploy``.

These hold for the production settings (``clinic.settings`` as imported, with ``DJANGO_DEBUG`` off); the tests'
speed overrides (tests/conftest.py: MD5 hasher) are read around, from the settings module itself.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import global_settings, settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.password_validation import get_default_password_validators, validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic import settings as project_settings
from clinic.accounts.models import User
from tests.security.support import signed_in

ROOT = Path(__file__).resolve().parents[2]


# A2: no default accounts ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_migrated_database_has_no_user_and_no_fixture_holds_a_password():
    assert User.objects.count() == 0, "migrations create roles (groups), never a login"
    fixtures = [p for p in ROOT.glob("*/fixtures/**/*") if p.is_file()]
    assert [p for p in fixtures if "password" in p.read_text(errors="replace")] == []


# A3, A4: password policy and storage ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["short1!", "password1234", "123456789012", "1q2w3e4r5t6y"],  # 7 characters, common, all digits, common
)
def test_short_common_or_numeric_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_passphrase_without_symbols_is_accepted_and_no_composition_rule_applies():
    """ASVS 6.2.5 and 6.2.9: length, not character classes; 64 characters and more are accepted."""
    validate_password("four plain lowercase words are enough for anybody on the ward " * 2)
    names = {type(v).__name__ for v in get_default_password_validators()}
    assert names == {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }


def test_passwords_are_stored_with_an_approved_slow_hash_never_in_clear():
    hashers = getattr(project_settings, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)
    assert hashers[0] in (
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    )
    hasher = PBKDF2PasswordHasher()
    assert hasher.iterations >= 1_000_000  # Django 5.2's default (ASVS 11.4.2: approved KDF, tuned cost)
    stored = hasher.encode("correct horse battery staple", hasher.salt())
    assert "correct horse" not in stored
    assert stored.startswith("pbkdf2_sha256$")


# B7, I6: cookies and headers ------------------------------------------------------------------------------------


def test_production_cookies_are_secure_http_only_and_same_site():
    assert project_settings.DEBUG is False
    assert project_settings.SESSION_COOKIE_SECURE is True
    assert project_settings.CSRF_COOKIE_SECURE is True
    assert project_settings.SESSION_COOKIE_HTTPONLY is True
    assert project_settings.SESSION_COOKIE_SAMESITE in ("Lax", "Strict")


def test_production_cookie_names_carry_the_host_prefix_and_development_ones_do_not():
    """``__Host-`` needs Secure, Path=/ and no Domain; a browser would refuse it on plain HTTP (DJANGO_DEBUG on)."""
    assert project_settings.SESSION_COOKIE_NAME == "__Host-sessionid"
    assert project_settings.CSRF_COOKIE_NAME == "__Host-csrftoken"
    assert project_settings.SESSION_COOKIE_PATH == project_settings.CSRF_COOKIE_PATH == "/"
    assert settings.SESSION_COOKIE_DOMAIN is None
    assert settings.CSRF_COOKIE_DOMAIN is None
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | {"DJANGO_DEBUG": "1"}
    code = "from clinic import settings as s; print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME)"
    development = subprocess.run(  # noqa: S603 - this interpreter, a fixed program  # nosec
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=60
    )
    assert development.stdout.split() == ["sessionid", "csrftoken"]


@pytest.mark.django_db
def test_csrf_cookie_is_sent_secure_under_its_host_prefixed_name(client):
    response = client.get(reverse("login"))

    csrf = response.cookies[settings.CSRF_COOKIE_NAME]
    assert settings.CSRF_COOKIE_NAME == "__Host-csrftoken"
    assert csrf["secure"]
    assert csrf["path"] == "/"
    assert not csrf["domain"]


@pytest.mark.django_db
def test_session_cookie_is_sent_with_its_flags_and_pages_with_the_browser_protection_headers():
    client, _ = signed_in("nurse")
    response = client.get(reverse("patients:patient_list"))

    assert response.status_code == HTTPStatus.OK
    assert settings.SESSION_COOKIE_NAME.startswith("__Host-")
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"]
    assert session["path"] == "/"
    assert not session["domain"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


# I1: Django's deployment checks ---------------------------------------------------------------------------------


def test_check_deploy_passes_with_the_production_environment():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env |= {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DJANGO_ALLOWED_HOSTS": "clinic.example.org"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
