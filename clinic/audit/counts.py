"""What waits for the clinic admin on the dashboard (``clinic.navigation.register``): accounts locked out now."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from clinic.navigation import WaitingCount


def locked_accounts(user: Any) -> list[WaitingCount] | None:
    """Accounts whose sign-in is paused right now (django-axes: the failure limit reached within the cool-off)."""
    if not (user.is_staff and user.has_perm("axes.view_accessattempt")):
        return None
    from axes.models import AccessAttempt

    count = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
    ).count()
    return [WaitingCount("accounts locked out", count, "admin:axes_accessattempt_changelist", order=90, icon="lock")]
