from __future__ import annotations

from typing import Any

from django.conf import settings

from clinic.navigation import nav_for


def navigation(request: Any) -> dict[str, Any]:
    """Navigation entries and the clinic's name for ``base.html``."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"clinic_name": settings.CLINIC_NAME, "nav_items": []}
    return {
        "clinic_name": settings.CLINIC_NAME,
        "nav_items": nav_for(user, request.path),
        "show_admin_link": user.is_staff and user.is_active,
    }
