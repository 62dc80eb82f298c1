"""The second sign-in factor in tests: known authenticator keys and codes the server will accept.

``Client.force_login`` is extended (tests/conftest.py) to leave a session that has passed the second factor, as
every real sign-in must; tests about the second factor itself use ``password_only_login``.
"""

from __future__ import annotations

import binascii
import threading
import time
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts.mfa import AUTHENTICATOR, DEMO_TOTP_KEY_HEX

TEST_KEY_HEX = DEMO_TOTP_KEY_HEX
_password_only_force_login = Client.force_login
_used: dict[str, int] = {}  # key -> last time step a code was made for (one code per step: replay refusal)
_lock = threading.Lock()


def enrol(user: Any, key_hex: str = TEST_KEY_HEX) -> TOTPDevice:
    """The user's confirmed authenticator with a known key (made if missing)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, key=key_hex, confirmed=True)
    return device


def code_for(key_hex: str = TEST_KEY_HEX, *, after: int | None = None, user_key: str = "") -> str:
    """A code for ``key_hex`` that the server has not seen: later than time step ``after`` (the device's
    ``last_t``) or, when that is unknown, than the last code made here for ``user_key``. The current step or the
    next (the server accepts one step of drift); waits for a fresh step if both were used."""
    totp = TOTP(binascii.unhexlify(key_hex), step=30, digits=6)
    with _lock:
        while True:
            totp.time = time.time()
            now = totp.t()
            last = after if after is not None else _used.get(user_key or key_hex, -1)
            step = max(now, last + 1)
            if step <= now + 1:
                break
            time.sleep(30 - time.time() % 30 + 0.1)
        _used[user_key or key_hex] = step
        totp.drift = step - now
        return f"{totp.token():06d}"


def password_only_login(client: Client, user: Any) -> None:
    """A session that has passed the password step only (what the second-factor checks must refuse)."""
    _password_only_force_login(client, user)


def force_login_with_second_factor(self: Client, user: Any, backend: str | None = None) -> None:
    _password_only_force_login(self, user, backend)
    device = enrol(user)
    session = self.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
