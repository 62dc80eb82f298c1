"""Request checks of a signed-in session: the second factor, the absolute lifetime, and no caching of pages.

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
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

AUTH_TIME_SESSION_KEY = "clinic_auth_time"


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
        url = f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=401)
            response["HX-Redirect"] = url
            return response
        return redirect(url)


@receiver(user_logged_in)
def _remember_sign_in_time(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[AUTH_TIME_SESSION_KEY] = int(time.time())


class SessionLifetimeMiddleware:
    """An absolute cap on a sign-in (``CLINIC_SESSION_MAX_AGE_SECONDS``, default 12 hours), however active the
    session has been; the idle timeout is the session cookie's age, renewed on every request (security.md B1, B2)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            signed_in_at = request.session.get(AUTH_TIME_SESSION_KEY)
            if signed_in_at is None:
                request.session[AUTH_TIME_SESSION_KEY] = int(time.time())
            elif time.time() - signed_in_at > settings.CLINIC_SESSION_MAX_AGE_SECONDS:
                logout(request)
                hours = settings.CLINIC_SESSION_MAX_AGE_SECONDS // 3600
                messages.info(request, f"Please sign in again: a sign-in lasts at most {hours} hours.")
                return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


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
