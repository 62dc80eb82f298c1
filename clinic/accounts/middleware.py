"""Request checks of a signed-in session: the second factor, the absolute lifetime, the wall board's one page, the
screen lock, and no caching of pages.

Order in ``MIDDLEWARE``: after ``LoginRequiredMiddleware`` (anonymous requests are sent to sign in first) and
django-otp's ``OTPMiddleware`` (which tells whether this session passed the second factor).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, get_resolver, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme

from clinic.accounts import roles, screen_lock
from clinic.accounts.events import security_event
from clinic.accounts.screen_lock import AUTH_TIME_SESSION_KEY
from clinic.audit.models import AuthEventKind

__all__ = ["AUTH_TIME_SESSION_KEY"]


def allowed_while_locked(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view a locked session may still use (the lock page itself, sign-out)."""
    view.allowed_while_locked = True  # type: ignore[attr-defined]
    return view


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect, or for htmx (which would swap the target page into a fragment) a 401 telling it where to go."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=401)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def mfa_not_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view a signed-in person may use before the second factor (the second-factor pages themselves)."""
    view.mfa_required = False  # type: ignore[attr-defined]
    return view


class MFARequiredMiddleware:
    """No page but sign-in itself before the second factor: every other view, the admin included, sends a session
    that has only passed the password to the code step (or to enrolment when the person has no authenticator yet).
    There is no exemption by role, setting or DEBUG (security.md A5)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        if getattr(view_func, "login_required", True) is False or getattr(view_func, "mfa_required", True) is False:
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        from clinic.accounts import mfa

        step = "mfa_verify" if mfa.is_enrolled(user) else "mfa_setup"
        return _redirect(request, f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")


@receiver(user_logged_in)
def _remember_sign_in_time(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[AUTH_TIME_SESSION_KEY] = int(time.time())
        screen_lock.touch(request)


def max_age_seconds(user: Any) -> int:
    """How long one sign-in of ``user`` lasts at most: a wall board's is its own (it is a screen, not a person)."""
    if getattr(user, "is_wall_board", False):
        return settings.CLINIC_WALL_BOARD_MAX_AGE_SECONDS
    return settings.CLINIC_SESSION_MAX_AGE_SECONDS


class SessionLifetimeMiddleware:
    """An absolute cap on a sign-in (``CLINIC_SESSION_MAX_AGE_SECONDS``, default 12 hours), however active the
    session has been (security.md B2); the idle time locks the screen (``ScreenLockMiddleware``, B1)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            signed_in_at = request.session.get(AUTH_TIME_SESSION_KEY)
            if signed_in_at is None:
                request.session[AUTH_TIME_SESSION_KEY] = int(time.time())
            elif time.time() - signed_in_at > (max_age := max_age_seconds(request.user)):
                logout(request)
                hours = max_age // 3600
                messages.info(request, f"Please sign in again: a sign-in lasts at most {hours} hours.")
                return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def wall_board_problem(user: Any) -> str:
    """Why a wall-board account may not show the board ("" when it may): it must hold the front desk's role and
    nothing more, so the board shows exactly what front desk sees (minimum necessary, HIPAA 164.502(b))."""
    if user.is_staff or user.is_superuser:
        return "A wall-board account cannot be staff or superuser. Ask the clinic admin to correct the account."
    if list(user.groups.values_list("name", flat=True)) != [roles.FRONT_DESK] or user.user_permissions.exists():
        return (
            "A wall-board account must hold the Front desk role and nothing else. "
            "Ask the clinic admin to correct the account."
        )
    return ""


class WallBoardMiddleware:
    """A wall-board account (``User.is_wall_board``) is a screen on the wall, not a person: it opens only the pages
    named in ``CLINIC_WALL_BOARD_URL_NAMES`` (today's board) and the sign-in and sign-out pages; its home is the
    board. Anything else answers 403 and is recorded. Ref: issue #17."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        user = request.user
        if not (user.is_authenticated and getattr(user, "is_wall_board", False)):
            return None
        name = request.resolver_match.view_name if request.resolver_match else ""
        signing_in_or_out = getattr(view_func, "login_required", True) is False or name == "logout"
        if signing_in_or_out or getattr(view_func, "mfa_required", True) is False:
            return None
        reason = wall_board_problem(user)
        if not reason:
            if name in settings.CLINIC_WALL_BOARD_URL_NAMES:
                return None
            if name == "home":
                return redirect(reverse(settings.CLINIC_WALL_BOARD_URL_NAMES[0]))
            reason = "A wall-board account opens only the board."
        security_event(AuthEventKind.PERMISSION_DENIED, request=request, detail=reason)
        raise PermissionDenied(reason)


class ScreenLockMiddleware:
    """The screen lock on the server (``clinic.accounts.screen_lock``; security.md B1). A verified session idle
    for longer than ``CLINIC_IDLE_TIMEOUT_SECONDS`` is locked; while locked, every page but those marked
    ``allowed_while_locked`` (the lock page, sign-out) and the sign-in pages answers with the lock page, so nothing
    of a patient is shown whatever the page's script did. A session past the password step only is signed out
    instead: there is nothing to resume. A wall board never locks.

    Activity is any request but an htmx GET: a page refreshing itself (the today board every 30 s) is not a person
    at the screen; the page's script reports typing and clicks (``session_keepalive``).

    It answers before the inner middleware runs (not in ``process_view``), so a form posted to a locked session is
    not taken by ``FormTokenMiddleware`` for a saved one: after unlocking, the same form can be sent again.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or getattr(user, "is_wall_board", False):
            return self.get_response(request)
        if getattr(request, "has_own_lock", False):  # a page that locks itself: the kiosk (portal/middleware.py)
            return self.get_response(request)
        if not screen_lock.is_locked(request):
            idle = screen_lock.idle_seconds(request)
            if idle is not None and idle > settings.CLINIC_IDLE_TIMEOUT_SECONDS:
                minutes = f"no activity for {int(idle // 60)} minutes"
                if not user.is_verified():
                    security_event(AuthEventKind.SESSION_TIMEOUT, request=request, detail=f"{minutes}, before the code")
                    logout(request)
                    return self.get_response(request)
                screen_lock.lock(request, detail=minutes)
        if not screen_lock.is_locked(request):
            if request.method != "GET" or not request.headers.get("HX-Request"):
                screen_lock.touch(request)
            return self.get_response(request)
        view = view_of(request)
        if view is None or getattr(view, "allowed_while_locked", False) or not getattr(view, "login_required", True):
            return self.get_response(request)
        return _redirect(request, f"{reverse('screen_lock')}?{urlencode({'next': _resume_url(request)})}")


def view_of(request: HttpRequest) -> Any:
    """The view the request's path leads to (None for an unknown path, which answers 404 with no data)."""
    try:
        return get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info).func
    except Resolver404:
        return None


def _resume_url(request: HttpRequest) -> str:
    """Where to go back after unlocking: the page asked for; for htmx, the page the browser shows; for a form's
    POST, the page it was sent from."""
    if request.method == "GET" and not request.headers.get("HX-Request"):
        return request.get_full_path()
    shown = request.headers.get("HX-Current-URL") or request.headers.get("Referer") or ""
    if shown and url_has_allowed_host_and_scheme(shown, {request.get_host()}, require_https=request.is_secure()):
        return shown
    return reverse("home")


class NoStoreMiddleware:
    """Pages and exports for a signed-in person are never kept by the browser or a proxy: ``Cache-Control:
    no-store`` (security.md I4, ONC 170.315(d)(7)). Static files are served before this (WhiteNoise)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "max-age=0, no-cache, no-store, must-revalidate, private"
        return response
