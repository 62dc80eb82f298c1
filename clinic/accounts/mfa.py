"""Multi-factor authentication: a TOTP authenticator app plus single-use recovery codes (django-otp devices).

Every staff account needs both factors before any page but sign-in itself (security.md A5, ONC 170.315(d)(13)).
django-otp does the cryptography, replay refusal (a TOTP code is accepted once: ``last_t``) and the growing delay
after wrong codes (throttling); this module holds the clinic's rules around it: one authenticator per person, ten
recovery codes shown once, and the demo secret.
"""

from __future__ import annotations

import binascii
import time
from base64 import b32encode
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts.screen_lock import pin_failures_clear

AUTHENTICATOR = "Authenticator app"
RECOVERY = "Recovery codes"
RECOVERY_CODE_COUNT = 10

#: The demo accounts' shared TOTP secret, documented in the README so a newcomer can add it to an authenticator app:
#: the RFC 6238 test key ("12345678901234567890"), base32 GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ. Only the demo seeder
#: uses it, and the current code is shown on the sign-in page only with DJANGO_DEBUG on (``demo_code``).
DEMO_TOTP_KEY_HEX = binascii.hexlify(b"12345678901234567890").decode()


@dataclass(frozen=True)
class Verification:
    """The result of checking a code: the device that accepted it, or why nothing did."""

    device: Any = None
    recovery_used: bool = False
    recovery_left: int = 0
    throttled_seconds: int = 0

    @property
    def ok(self) -> bool:
        return self.device is not None


def authenticator_for(user: Any) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they have enrolled."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enrolled(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_authenticator(user: Any) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (a new secret the first time, the same one on reload)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)
    return device


def base32_secret(device: TOTPDevice) -> str:
    """The secret as an authenticator app's "enter a key manually" expects it, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return device.config_url


@transaction.atomic
def enrol_confirm(*, user: Any, token: str) -> tuple[TOTPDevice | None, list[str]]:
    """Confirm the pending authenticator with a code from the app; on success replace any older device and issue a
    fresh set of recovery codes (returned once, never shown again)."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(_digits(token)):
        return None, []
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device, recovery_codes_issue(user=user)


@transaction.atomic
def recovery_codes_issue(*, user: Any) -> list[str]:
    """Replace the user's recovery codes with ``RECOVERY_CODE_COUNT`` new single-use ones."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def verify(*, user: Any, code: str) -> Verification:
    """Check a code typed at sign-in: six digits go to the authenticator, anything else to the recovery codes.

    The device row is locked so two simultaneous posts of one code cannot both pass the replay check.
    """
    code = code.strip().replace(" ", "").replace("-", "")
    if code.isdigit():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    else:
        device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        code = code.lower()
    if device is None:
        return Verification()
    allowed, details = device.verify_is_allowed()
    if not allowed:
        wait = (details or {}).get("locked_until")
        seconds = max(1, int((wait - timezone.now()).total_seconds())) if wait else 1
        return Verification(throttled_seconds=seconds)
    if not device.verify_token(code):
        return Verification()
    if isinstance(device, StaticDevice):
        return Verification(device=device, recovery_used=True, recovery_left=recovery_codes_left(user))
    return Verification(device=device)


def mark_verified(request: Any, device: Any) -> None:
    """Record in the session that this sign-in passed the second factor, under a new session key (security.md B4).

    This completes a full sign-in, which gives the screen-lock PIN its allowance of wrong tries back."""
    request.session.cycle_key()
    otp_login(request, device)
    pin_failures_clear(user=request.user)


def is_verified(request: Any) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_verified())


@transaction.atomic
def reset(*, user: Any) -> None:
    """Forget the user's authenticator and recovery codes (lost phone): they enrol again at their next sign-in.

    Security configuration, not a clinical record: the devices are removed; the reset itself is audited by the
    caller.
    """
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def enrol_demo(user: Any) -> TOTPDevice:
    """Give a demo account the documented demo secret (the demo seeder only)."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, key=DEMO_TOTP_KEY_HEX, confirmed=True)


def demo_code() -> str | None:
    """The demo secret's current code, for the sign-in page with DJANGO_DEBUG on; ``None`` in production."""
    if not settings.DEBUG:
        return None
    totp = TOTP(binascii.unhexlify(DEMO_TOTP_KEY_HEX), step=30, digits=6)
    totp.time = time.time()
    return f"{totp.token():06d}"


def _digits(token: str) -> str:
    return "".join(ch for ch in str(token) if ch.isdigit())
