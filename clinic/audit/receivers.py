"""Authentication events from Django's and django-axes' signals, and the audit of lifted lockouts.

Connected in ``AuditConfig.ready`` (security.md A8, A9; ASVS 16.3.1; Part 11 11.300(d)). django-axes is listed
before this app in INSTALLED_APPS, so its receivers run first and a failed sign-in here already knows its count.
"""

from __future__ import annotations

import getpass
import logging
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils import timezone

from clinic.audit.middleware import current_request
from clinic.audit.models import AuthEventKind
from clinic.audit.services import auth_event_record

logger = logging.getLogger(__name__)

LOCKOUT_MAIL_SUBJECT = "[clinic] Sign-in locked out after repeated failures"


@dataclass(frozen=True)
class UnlockActor:
    user: Any
    via: str


_unlock_actor: ContextVar[UnlockActor | None] = ContextVar("clinic_audit_unlock_actor", default=None)


@contextmanager
def unlocking(*, user: Any, via: str) -> Iterator[None]:
    """Deletions of login attempts inside this block are lockouts lifted by ``user`` (the admin pages use it)."""
    token = _unlock_actor.set(UnlockActor(user=user, via=via))
    try:
        yield
    finally:
        _unlock_actor.reset(token)


def _account(username: str) -> Any:
    if not username:
        return None
    return get_user_model().objects.filter(username__iexact=username).first()


def on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    auth_event_record(kind=AuthEventKind.LOGIN_SUCCESS, request=request, user=user)


def on_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # ``user`` is None when the session had already expired: the sign-out is still recorded.
    auth_event_record(kind=AuthEventKind.LOGOUT, request=request, user=user)


def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username") or "")
    account = _account(username)
    if account is None:
        reason = "no such account"
    elif not account.is_active:
        reason = "account deactivated"
    else:
        reason = "wrong password"
    if credentials.get("purpose"):  # typed at a signed-in screen (clinic.accounts.passwords), not at sign-in
        reason = f"{reason} ({credentials['purpose']})"
    failures = getattr(request, "axes_failures_since_start", None)
    if getattr(request, "clinic_address_throttled", False):
        detail = "refused: sign-ins from this address are throttled (credential stuffing)"
    elif failures is not None and request is not None:
        limit = get_failure_limit(request, credentials)
        if failures > limit:
            reason = "refused: locked out"
        detail = f"{reason}; failure {failures} of {limit} allowed"
    else:
        detail = reason
    auth_event_record(kind=AuthEventKind.LOGIN_FAILURE, request=request, user=account, username=username, detail=detail)


def security_contacts() -> list[str]:
    """Who hears about lockouts: CLINIC_SECURITY_CONTACTS, else the addresses in ADMINS."""
    contacts = list(getattr(settings, "CLINIC_SECURITY_CONTACTS", []))
    return contacts or [address for _, address in settings.ADMINS]


def on_locked_out(sender: Any, request: Any, username: str | None, ip_address: str | None, **kwargs: Any) -> None:
    """A lockout starts: an account's when its failures reach the limit (later refused attempts are plain
    failures), or an address's credential-stuffing throttle (``clinic.audit.lockout``). Recorded, and mailed to
    the security contacts; the event says whether the mail went, which the lockout page repeats."""
    from clinic.audit.lockout import ADDRESS, ADDRESS_LOCKOUT_PREFIX, MAILED

    credentials = getattr(request, "axes_credentials", None)
    failures = getattr(request, "axes_failures_since_start", None)
    limit = get_failure_limit(request, credentials)
    address = getattr(request, "clinic_lockout_scope", None) == ADDRESS
    if not address and failures is not None and failures != limit:
        return
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    how_long = f"locked for {minutes} minutes" if minutes else "locked"
    how_long += " or until an admin lifts it" if minutes else " until an admin lifts it"
    if address:
        what = (
            f"{ADDRESS_LOCKOUT_PREFIX} failed sign-ins for {settings.CLINIC_LOCKOUT_ADDRESS_USERNAMES} different "
            f"usernames from {ip_address}; sign-ins from there {how_long}, except accounts that signed in there before"
        )
    else:
        what = f"{limit} failed sign-ins for this username; {how_long}"
    username = username or ""
    recipients = security_contacts()
    sent = False
    if recipients:
        message = (
            f"Sign-ins were locked out at {timezone.now():%Y-%m-%d %H:%M} UTC.\n\n"
            f"Username typed: {username or '(none)'}\nClient address: {ip_address or 'unknown'}\n{what}.\n\n"
            "If this was not a member of staff mistyping, treat it as an attack on the account. "
            "The clinic admin can see and lift lockouts in the admin under Sign-in lockouts > Access attempts; "
            "every lifted lockout is recorded in the audit trail.\n"
        )
        try:
            send_mail(LOCKOUT_MAIL_SUBJECT, message, None, recipients)
            sent = True
        except Exception:  # a mail server outage must not turn a lockout into an error page
            logger.exception("Sign-in lockout could not be mailed to the security contacts.")
    else:
        logger.warning("Sign-in lockout not mailed: no CLINIC_SECURITY_CONTACTS or ADMINS configured.")
    if request is not None:
        request.clinic_lockout_mailed = sent
    if sent:
        mail_note = MAILED
    else:
        mail_note = "not mailed: " + ("the mail could not be sent" if recipients else "no security contacts are set")
    auth_event_record(
        kind=AuthEventKind.LOCKOUT,
        request=request,
        user=_account(username),
        username=username,
        detail=f"{what}; {mail_note}",
    )


def on_attempt_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    """An AccessAttempt row removed while it still counted is a lifted lockout: record who lifted it.

    Rows past the cool-off have expired on their own (axes cleans them up); deletions inside a request without an
    admin's ``unlocking`` block are axes resetting the count after a successful sign-in. Everything else is a person:
    an admin page (``unlocking``) or a command such as ``manage.py axes_reset_username`` (recorded with the command
    line and the operating-system user, as there is no signed-in user).
    """
    cool_off = get_cool_off(current_request.get())
    if cool_off and instance.attempt_time <= timezone.now() - cool_off:
        return
    actor = _unlock_actor.get()
    if actor is None and current_request.get() is not None:
        return
    where = f"from {instance.ip_address}" if instance.ip_address else "from an unknown address"
    summary = f"lockout count of '{instance.username or ''}' {where} ({instance.failures_since_start} failed) cleared"
    if actor is not None:
        auth_event_record(
            kind=AuthEventKind.UNLOCK,
            request=current_request.get(),
            user=actor.user,
            username=instance.username or "",
            detail=f"{summary} by {actor.user.get_username()} via {actor.via}",
        )
        return
    command = shlex.join(["manage.py", *sys.argv[1:]]) if sys.argv else "unknown"
    auth_event_record(
        kind=AuthEventKind.UNLOCK,
        username=instance.username or "",
        detail=f"{summary} by operating-system user {getpass.getuser()} via the command line: {command}"[:1000],
    )
