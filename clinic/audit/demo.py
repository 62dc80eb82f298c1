"""Demo sign-in history for ``manage.py seed_demo``: a few failed sign-ins, one lockout and its lifting.

Driven through the real machinery (Django's ``authenticate`` with django-axes in front), so the audit reports, the
lockouts admin and the events they show are the ones a real clinic would see. Addresses are from the documentation
ranges (RFC 5737), never a real machine's.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest

from clinic.accounts.models import User
from clinic.audit.models import AuthEvent, AuthEventKind
from clinic.audit.receivers import unlocking

LOCKED_USERNAME = "clinician"
NURSE_STATION = "192.0.2.10"
ELSEWHERE = "198.51.100.23"
# What logs each of the demo's intentional failures as a WARNING: django-axes (every failed sign-in, the lockout) and
# the lockout mail's "not mailed" note (a demo has no security contacts).
INTENTIONAL_FAILURE_LOGGERS = ("axes", "clinic.audit.receivers")


@contextlib.contextmanager
def quiet_intentional_failures() -> Iterator[None]:
    """Only errors from the loggers that report the demo's own failed sign-ins, while it makes them (issue #17: a
    newcomer seeding the demo reads WARNING as something gone wrong). Nothing else is quietened, and the levels are
    put back afterwards, so a real warning still shows."""
    loggers = [logging.getLogger(name) for name in INTENTIONAL_FAILURE_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def holds_data() -> bool:
    # Audit rows alone are not clinic data: the accounts' own check decides whether the database is a real one.
    return False


def _login_request(address: str) -> HttpRequest:
    request = HttpRequest()
    request.method = "POST"
    request.path = request.path_info = "/accounts/login/"
    request.META.update({"REMOTE_ADDR": address, "HTTP_USER_AGENT": "demo-seed", "SERVER_NAME": "localhost"})
    return request


def _sign_in(username: str, password: str, address: str) -> Any:
    return authenticate(_login_request(address), username=username, password=password)


def seed(*, stdout: Any) -> None:
    if AuthEvent.objects.filter(kind=AuthEventKind.LOCKOUT, username=LOCKED_USERNAME).exists():
        return
    admin = User.objects.get(username="clinicadmin")
    with quiet_intentional_failures():
        # A typo in a username, and a nurse who gets it right on the second try.
        _sign_in("frontdsk", "demo-clinic-2026", NURSE_STATION)
        _sign_in("nurse", "demo-clinic-2025", NURSE_STATION)
        _sign_in("nurse", settings.DEMO_PASSWORD, NURSE_STATION)
        # Five wrong passwords for the clinician from elsewhere: locked out (and the security contacts mailed).
        for attempt in range(5):
            _sign_in(LOCKED_USERNAME, f"guess-{attempt}", ELSEWHERE)
    # The clinic admin lifts the lockout from the admin's lockouts page.
    with unlocking(user=admin, via="the admin"):
        AccessAttempt.objects.filter(username=LOCKED_USERNAME).delete()
    stdout.write(f"Demo sign-in history: failed sign-ins, a lockout of {LOCKED_USERNAME} and its lifting.")
