"""The screen lock: an idle screen locks instead of signing out, and its owner unlocks it with a short PIN.

A nurse charts vitals every 15 minutes; signing in again with a password and a phone code each round is friction
without safety. After ``CLINIC_IDLE_TIMEOUT_SECONDS`` without activity the session is *locked*: every page but the
lock page answers with the lock page, which shows no patient data (``ScreenLockMiddleware``). The same person
unlocks it with the PIN they set on their Sign-in security page, hashed like a password. A PIN is a weaker secret
than a password and a code, so it only resumes a sign-in that was made in full: after ``CLINIC_PIN_MAX_FAILURES``
wrong PINs (counted per account, so several locked screens share one allowance) or once
``CLINIC_PIN_UNLOCK_MAX_AGE_SECONDS`` have passed since the full sign-in, the lock falls back to the full sign-in,
as does switching user. Ref: issue #17; security.md B1, B3; ONC 170.315(d)(5); ASVS 7.3.1.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.accounts.events import security_event
from clinic.accounts.models import UnlockPin
from clinic.audit.models import AuthEventKind

LAST_ACTIVITY_SESSION_KEY = "clinic_last_activity"
LOCKED_SESSION_KEY = "clinic_locked_at"
#: When the session passed the password step (set on ``user_logged_in``; the absolute lifetime and the PIN window).
AUTH_TIME_SESSION_KEY = "clinic_auth_time"

PIN_MIN_DIGITS, PIN_MAX_DIGITS = 4, 8

# Why the full sign-in is needed instead of the PIN (the detail of the lock_fallback event, and the message shown).
NO_PIN = "no PIN set"
TOO_MANY_WRONG_PINS = "too many wrong PINs"
PIN_WINDOW_PASSED = "PIN unlock window since the full sign-in has passed"
FALLBACK_MESSAGES = {
    NO_PIN: "Your screen locked, so no record stays on it. Sign in again with your password and code. "
    "To unlock with a short PIN next time, set one on your Sign-in security page.",
    TOO_MANY_WRONG_PINS: "Too many wrong PINs. Sign in with your password and code.",
    PIN_WINDOW_PASSED: "It has been too long since you signed in with your password and code: sign in again.",
}


@dataclass(frozen=True)
class UnlockResult:
    """The outcome of a PIN typed at the lock page: unlocked, or how many tries are left, or why the full sign-in
    is needed now (``fallback``)."""

    ok: bool = False
    tries_left: int = 0
    fallback: str = ""


def is_locked(request: Any) -> bool:
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(LOCKED_SESSION_KEY))


def idle_seconds(request: Any) -> float | None:
    """Seconds since the session's last activity, or None when it has none recorded yet."""
    last = request.session.get(LAST_ACTIVITY_SESSION_KEY)
    return None if last is None else time.time() - last


def touch(request: Any) -> None:
    """Record activity now."""
    request.session[LAST_ACTIVITY_SESSION_KEY] = int(time.time())


def lock(request: Any, *, detail: str) -> None:
    """Lock the signed-in session (recorded once, however many requests meet the lock)."""
    if is_locked(request):
        return
    request.session[LOCKED_SESSION_KEY] = int(time.time())
    security_event(AuthEventKind.SCREEN_LOCKED, request=request, detail=detail)


def pin_of(user: Any) -> UnlockPin | None:
    return UnlockPin.objects.filter(user=user).first()


def pin_refusal(request: Any, pin: UnlockPin | None) -> str:
    """Why this locked session cannot be unlocked with a PIN now ("" when it can)."""
    if pin is None:
        return NO_PIN
    if pin.failures >= settings.CLINIC_PIN_MAX_FAILURES:
        return TOO_MANY_WRONG_PINS
    signed_in_at = request.session.get(AUTH_TIME_SESSION_KEY)
    if signed_in_at is None or time.time() - signed_in_at > settings.CLINIC_PIN_UNLOCK_MAX_AGE_SECONDS:
        return PIN_WINDOW_PASSED
    return ""


@transaction.atomic
def unlock(request: Any, *, pin: str) -> UnlockResult:
    """Check a PIN typed at the lock page. A right one unlocks the session under a new session key; a wrong one is
    counted against the account and recorded; the last allowed wrong one means the full sign-in."""
    row = UnlockPin.objects.select_for_update().filter(user=request.user).first()
    refusal = pin_refusal(request, row)
    if refusal or row is None:
        return UnlockResult(fallback=refusal or NO_PIN)

    def upgrade(raw: str) -> None:  # the hasher's settings changed: keep the PIN under the current ones
        row.pin_hash = make_password(raw)
        row.save(update_fields=["pin_hash"])

    if check_password(pin, row.pin_hash, setter=upgrade):
        row.failures = 0
        row.save(update_fields=["failures"])
        del request.session[LOCKED_SESSION_KEY]
        touch(request)
        request.session.cycle_key()
        security_event(AuthEventKind.SCREEN_UNLOCKED, request=request)
        return UnlockResult(ok=True)
    row.failures += 1
    row.save(update_fields=["failures"])
    limit = settings.CLINIC_PIN_MAX_FAILURES
    security_event(AuthEventKind.PIN_FAILURE, request=request, detail=f"wrong PIN; failure {row.failures} of {limit}")
    tries_left = limit - row.failures
    return UnlockResult(tries_left=tries_left, fallback="" if tries_left > 0 else TOO_MANY_WRONG_PINS)


def pin_failures_clear(*, user: Any) -> None:
    """A full sign-in (password and code) gives the PIN its allowance back."""
    UnlockPin.objects.filter(user=user, failures__gt=0).update(failures=0)


def validate_pin(pin: str) -> None:
    """4 to 8 digits, and not one any onlooker would try first (one digit repeated, or a run such as 1234 or 9876)."""
    if not (pin.isascii() and pin.isdigit() and PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS):
        raise ValidationError(f"Type {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits, numbers only.", code="format")
    steps = {int(b) - int(a) for a, b in itertools.pairwise(pin)}
    if steps in ({0}, {1}, {-1}):
        raise ValidationError(
            "That PIN is too easy to guess (one digit repeated, or digits in a row). Choose another.", code="weak"
        )


@transaction.atomic
def pin_set(*, request: Any, user: Any, pin: str) -> UnlockPin:
    """Set or replace the user's screen-lock PIN (hashed with the password hasher); recorded as an auth event."""
    validate_pin(pin)
    row, created = UnlockPin.objects.update_or_create(
        user=user, defaults={"pin_hash": make_password(pin), "failures": 0, "set_at": timezone.now()}
    )
    security_event(AuthEventKind.PIN_SET, request=request, user=user, detail="new PIN" if created else "PIN changed")
    return row


@transaction.atomic
def pin_remove(*, request: Any, user: Any) -> None:
    """Remove the user's PIN: a locked screen then needs the full sign-in."""
    if UnlockPin.objects.filter(user=user).delete()[0]:
        security_event(AuthEventKind.PIN_REMOVED, request=request, user=user)
