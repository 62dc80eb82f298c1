"""What waits for the clinic admin on the dashboard (``clinic.navigation.register``): accounts locked out now, linked
to the lockouts page filtered to exactly those (``clinic.audit.lockout.locked_out_attempts``, one rule for both)."""

from __future__ import annotations

from clinic.audit.lockout import locked_out_attempts
from clinic.navigation import CountOf

#: The lockouts page's filter that lists what the count counts (clinic.audit.admin.LockedNowFilter).
LOCKED_NOW_QUERY = "locked=now"

# Accounts whose sign-in is paused right now (django-axes: the failure limit reached within the cool-off).
locked_accounts = CountOf("accounts locked out", "admin:axes_accessattempt_changelist",
                          lambda _user: locked_out_attempts(), permissions=("axes.view_accessattempt",), order=90,
                          icon="lock", query=LOCKED_NOW_QUERY)  # fmt: skip
