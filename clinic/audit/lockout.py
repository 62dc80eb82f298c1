"""Sign-in lockouts (django-axes; settings "Sign-in throttling and lockout"; security.md A8; issue #17).

Two rules, so that no one person and no one network can stop the clinic's sign-ins:

- **Per account**: five failed sign-ins of one username, from any address, lock that username for the cool-off
  (axes itself, ``AXES_LOCKOUT_PARAMETERS = ["username"]``). A right password clears the count. A colleague's
  failures never refuse a nurse who typed her own password right.
- **Per address, for credential stuffing only**: failed sign-ins naming ``CLINIC_LOCKOUT_ADDRESS_USERNAMES``
  different usernames from one address within the cool-off throttle that address (``ClinicLockoutHandler``).
  A username that then signed in correctly is not counted (a typo, then the right password), and an account that
  has signed in from that address in the last ``KNOWN_ADDRESS_DAYS`` days is never throttled there: staff behind the
  clinic's one shared address keep signing in while someone on the guest network tries a list of stolen passwords.
  Passwords typed at a signed-in screen (signatures, witnesses: ``clinic.accounts.passwords``) are not sign-ins from
  an address and are neither counted nor throttled here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

ACCOUNT, ADDRESS = "account", "address"
#: How long a successful sign-in from an address makes that account "known" there (never throttled there).
KNOWN_ADDRESS_DAYS = 90
#: How a lockout event's detail starts when it is an address's throttle, not an account's lockout.
ADDRESS_LOCKOUT_PREFIX = "credential stuffing:"
#: What a lockout event's detail says when the security contacts were mailed (the lockout page reads it).
MAILED = "the security contacts were mailed"


def username_for_lockout(request: Any, credentials: dict[str, Any] | None) -> str | None:
    """The username counted for lockout: as typed, trimmed and lower-cased, since accounts match case-insensitively
    (``StaffUserManager.get_by_natural_key``); otherwise "Nurse", "NURSE" and "nurse" would each get five tries."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username")
    return username.strip().lower() if isinstance(username, str) else None


def failing_usernames(ip_address: str, *, since: dt.datetime) -> int:
    """How many different usernames failed at the sign-in page from ``ip_address`` since ``since`` without a right
    password for them afterwards (from any address)."""
    signed_in_after = AccessLog.objects.filter(
        username__iexact=OuterRef("username"), attempt_time__gte=OuterRef("attempt_time")
    )
    return (
        AccessFailureLog.objects.filter(ip_address=ip_address, attempt_time__gte=since, path_info=reverse("login"))
        .exclude(username=None)
        .exclude(username="")
        .exclude(Exists(signed_in_after))
        .values("username")
        .distinct()
        .count()
    )


def known_at(username: str, ip_address: str) -> bool:
    """Whether the account signed in correctly from ``ip_address`` recently."""
    since = timezone.now() - dt.timedelta(days=KNOWN_ADDRESS_DAYS)
    return AccessLog.objects.filter(username__iexact=username, ip_address=ip_address, attempt_time__gte=since).exists()


def address_throttled(request: Any, credentials: dict[str, Any] | None) -> bool:
    """Whether this sign-in is refused by its address's credential-stuffing throttle."""
    ip_address = getattr(request, "axes_ip_address", None)
    if not ip_address or (credentials or {}).get("purpose"):
        return False
    if failing_usernames(ip_address, since=get_cool_off_threshold(request)) < settings.CLINIC_LOCKOUT_ADDRESS_USERNAMES:
        return False
    username = username_for_lockout(request, credentials)
    return not (username and known_at(username, ip_address))


class ClinicLockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler (per-account lockout) plus the address's credential-stuffing throttle."""

    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        request.clinic_address_throttled = address_throttled(request, credentials)
        return request.clinic_address_throttled

    def user_login_failed(self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out or credentials.get("purpose"):
            return
        if not (getattr(request, "clinic_address_throttled", False) or address_throttled(request, credentials)):
            return
        request.axes_locked_out = True
        request.axes_credentials = credentials
        request.clinic_lockout_scope = ADDRESS
        if not lockout_event(request, ADDRESS, username=""):  # the throttle starts: record it and tell the contacts
            username = get_client_username(request, credentials)
            user_locked_out.send("axes", request=request, username=username, ip_address=request.axes_ip_address)


def lockout_event(request: Any, scope: str, *, username: str) -> Any:
    """The lockout event that started the lockout in force (None when none is recorded within the cool-off)."""
    from clinic.audit.models import AuthEvent, AuthEventKind

    events = AuthEvent.objects.filter(kind=AuthEventKind.LOCKOUT, occurred_at__gte=get_cool_off_threshold(request))
    if scope == ADDRESS:
        events = events.filter(ip_address=request.axes_ip_address, detail__startswith=ADDRESS_LOCKOUT_PREFIX)
    else:
        events = events.filter(username=username).exclude(detail__startswith=ADDRESS_LOCKOUT_PREFIX)
    return events.order_by("-occurred_at", "-id").first()


def lockout_response(request: Any, original_response: Any = None, credentials: dict[str, Any] | None = None) -> Any:
    """The page a locked-out sign-in gets (AXES_LOCKOUT_CALLABLE): status 429, what happened and what to do.

    It names the account typed, says whether the account or the address is paused, and says the clinic admin was
    told only when the lockout's mail was sent. A signed-in member of staff typing someone else's password (a witness
    or a second check at the chair) keeps the page they were on, with its form's own error: replacing a half-filled
    chart with a sign-in page would lose their work. The lockout still holds (the password is refused) and is
    recorded and mailed as usual.
    """
    from axes.helpers import get_cool_off, get_failure_limit
    from django.shortcuts import render

    user = getattr(request, "user", None)
    if original_response is not None and user is not None and user.is_authenticated:
        return original_response
    scope = getattr(request, "clinic_lockout_scope", ACCOUNT)
    username = username_for_lockout(request, credentials) or ""
    notified = getattr(request, "clinic_lockout_mailed", None)
    if notified is None:
        event = lockout_event(request, scope, username=username)
        notified = event is not None and MAILED in event.detail
    cool_off = get_cool_off(request)
    context = {
        "scope": scope,
        "failure_limit": get_failure_limit(request, credentials),
        "address_usernames": settings.CLINIC_LOCKOUT_ADDRESS_USERNAMES,
        "username": ((credentials or {}).get("username") or username).strip(),
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
        "notified": notified,
    }
    return render(request, "registration/locked_out.html", context, status=429)


def locked_out_attempts() -> Any:
    """Accounts whose sign-in is paused right now: the failure limit reached within the cool-off (django-axes). The
    dashboard's "accounts locked out" counts these and links to the lockouts page filtered to them (issue #18)."""
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
    )
