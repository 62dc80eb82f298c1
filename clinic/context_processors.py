from __future__ import annotations

from typing import Any

from django.conf import settings

from clinic.accounts.screen_lock import is_locked
from clinic.navigation import nav_for


def navigation(request: Any) -> dict[str, Any]:
    """Navigation entries and the clinic's name for ``base.html``."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"clinic_name": settings.CLINIC_NAME, "nav_items": []}
    verified = user.is_verified() if hasattr(user, "is_verified") else False
    locked = is_locked(request)
    # A wall board is a screen, not a person: no navigation, no idle timer (it never locks).
    wall_board = getattr(user, "is_wall_board", False)
    return {
        "clinic_name": settings.CLINIC_NAME,
        # Before the second factor the bar shows only who is signed in and "Sign out"; a locked screen shows no bar.
        "nav_items": nav_for(user, request.path) if verified and not (locked or wall_board) else [],
        "show_admin_link": verified and user.is_staff and user.is_active and not locked,
        "mfa_verified": verified,
        "screen_locked": locked,
        "wall_board": wall_board,
        "idle_timeout_seconds": 0 if wall_board else settings.CLINIC_IDLE_TIMEOUT_SECONDS,
    }
