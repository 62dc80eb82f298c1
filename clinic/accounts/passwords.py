"""A password typed at a signed-in screen: a signer's own (electronic signature) or a colleague's (a witness, a
dose's second check). Checked the way a sign-in is, so guessing through these screens is no easier than at the
sign-in page (security.md A8, A9, H3; 21 CFR 11.300(d)).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse

from clinic.audit.middleware import current_request
from clinic.audit.models import AuthEventKind
from clinic.audit.services import auth_event_record

SIGNATURE = "electronic signature"
SECOND_PERSON = "second person's confirmation"
_PENDING = "clinic_password_failures"
# What a failed-sign-in signal carries instead of the password, as Django's own authenticate() sends it.
PASSWORD_MASK = "********************"  # noqa: S105 - bandit B105: a mask, not a password  # nosec


def password_confirm(*, user: Any, password: str | None, purpose: str, request: Any = None) -> bool:
    """Whether ``password`` is the active ``user``'s own, and the account is not locked out.

    Within a request a wrong password is a failed sign-in of that account: after the view, outside its transaction
    (``PasswordFailureMiddleware``), it is recorded as an ``AuthEvent`` naming ``purpose`` and the page, and counted
    by django-axes towards the lockout of the account whose password it is (the signer's own, or the witness's),
    like one typed at the sign-in page; while that account is locked out even the right password is refused. It
    never counts towards an address (a witness mistyping at the chair must not stop the clinic's sign-ins; issue
    #17), and the credential-stuffing throttle of an address leaves these checks alone. Without a request (a
    management command, the demo seeder) nobody is at a screen and there is no address to lock: a wrong password
    is recorded at once.
    """
    if not password:
        return False
    request = request if request is not None else current_request.get()
    credentials = {"username": user.get_username(), "purpose": purpose}
    if request is None:
        if user.is_active and user.check_password(password):
            return True
        auth_event_record(kind=AuthEventKind.LOGIN_FAILURE, user=user, detail=f"wrong password ({purpose})")
        return False
    AxesProxyHandler.update_request(request)
    if AxesProxyHandler.is_allowed(request, credentials) and user.is_active and user.check_password(password):
        return True
    # Reported after the view: the service refusing the action rolls its own work back, this record included.
    if not hasattr(request, _PENDING):
        setattr(request, _PENDING, [])
    getattr(request, _PENDING).append(credentials)
    return False


class PasswordFailureMiddleware:
    """Reports the wrong passwords ``password_confirm`` met during the view as failed sign-ins (``user_login_failed``,
    which django-axes counts and the audit records), once the view's transaction is over."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for credentials in getattr(request, _PENDING, []):
            user_login_failed.send(
                sender=__name__, credentials={**credentials, "password": PASSWORD_MASK}, request=request
            )
        return response
