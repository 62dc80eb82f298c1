"""Helpers django-axes calls (settings AXES_USERNAME_CALLABLE); see settings "Sign-in throttling and lockout"."""

from __future__ import annotations

from typing import Any


def username_for_lockout(request: Any, credentials: dict[str, Any] | None) -> str | None:
    """The username counted for lockout: as typed, trimmed and lower-cased, since accounts match case-insensitively
    (``StaffUserManager.get_by_natural_key``); otherwise "Nurse", "NURSE" and "nurse" would each get five tries."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username")
    return username.strip().lower() if isinstance(username, str) else None


def lockout_response(request: Any, original_response: Any = None, credentials: dict[str, Any] | None = None) -> Any:
    """The page a locked-out sign-in gets (AXES_LOCKOUT_CALLABLE): status 429, what happened and what to do.

    A signed-in member of staff typing someone else's password (a witness or a second check at the chair) keeps
    the page they were on, with its form's own error: replacing a half-filled chart with a sign-in page would lose
    their work. The lockout still holds (the password is refused) and is recorded and mailed as usual.
    """
    from axes.helpers import get_cool_off, get_failure_limit
    from django.shortcuts import render

    user = getattr(request, "user", None)
    if original_response is not None and user is not None and user.is_authenticated:
        return original_response
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": username_for_lockout(request, credentials) or "",
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, "registration/locked_out.html", context, status=429)
