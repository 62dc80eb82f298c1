"""What waits for the clinic admin on the dashboard (``clinic.navigation.register``): accounts locked out now, linked
to the lockouts page filtered to exactly those (``clinic.audit.lockout.locked_out_attempts``, one rule for both)."""

from __future__ import annotations

from typing import Any

from clinic.audit.lockout import locked_out_attempts
from clinic.navigation import WaitingCount

#: The lockouts page's filter that lists what the count counts (clinic.audit.admin.LockedNowFilter).
LOCKED_NOW_QUERY = "locked=now"


def locked_accounts(user: Any) -> list[WaitingCount] | None:
    """Accounts whose sign-in is paused right now (django-axes: the failure limit reached within the cool-off)."""
    if not (user.is_staff and user.has_perm("axes.view_accessattempt")):
        return None
    return [WaitingCount("accounts locked out", locked_out_attempts().count(), "admin:axes_accessattempt_changelist",
                         order=90, icon="lock", query=LOCKED_NOW_QUERY)]  # fmt: skip
