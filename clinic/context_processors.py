from __future__ import annotations

from typing import Any

from django.conf import settings

from clinic.navigation import nav_for


def navigation(request: Any) -> dict[str, Any]:
    """Navigation entries and the clinic's name for ``base.html``."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"clinic_name": settings.CLINIC_NAME, "nav_items": []}
    verified = user.is_verified() if hasattr(user, "is_verified") else False
    return {
        "clinic_name": settings.CLINIC_NAME,
        # Before the second factor the bar shows only who is signed in and "Sign out".
        "nav_items": nav_for(user, request.path) if verified else [],
        "show_admin_link": verified and user.is_staff and user.is_active,
        "mfa_verified": verified,
        "idle_timeout_seconds": settings.SESSION_COOKIE_AGE,
    }
