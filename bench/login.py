"""Signing the benchmark's clients in: a session made server-side, as Django's test ``Client.force_login`` does.

Posting the login form would time the password hasher and tie the benchmark to the login flow (which gains
multi-factor authentication); the benchmark measures pages, so it hands each client a ready session cookie.
``login_session`` is the one place that decides what a signed-in session holds.
"""

from __future__ import annotations

import time
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django_otp import DEVICE_ID_SESSION_KEY

from clinic.accounts.mfa import authenticator_for, enrol_demo
from clinic.accounts.middleware import AUTH_TIME_SESSION_KEY


def login_session(user: Any) -> str:
    """Create a signed-in session for ``user`` and return its key (the value of the session cookie)."""
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"  # axes' backend only checks lockouts
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    # The second factor, as a person's sign-in leaves it: the account's authenticator has been verified.
    device = authenticator_for(user) or enrol_demo(user)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[AUTH_TIME_SESSION_KEY] = int(time.time())
    session.save()
    return session.session_key


def session_set(session_key: str, key: str, value: Any) -> None:
    """Store ``value`` under ``key`` in an existing session (the patient search keeps its term there)."""
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    session[key] = value
    session.save()
