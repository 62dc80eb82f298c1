"""Security events of sign-in: one function the account views call, so where they are recorded lives in one place.

They go to the ``clinic.security`` log and to the audit's authentication-event table
(``clinic.audit.services.auth_event_record``).
"""

from __future__ import annotations

import logging
from typing import Any

from clinic.audit.services import auth_event_record

logger = logging.getLogger("clinic.security")


def security_event(kind: str, *, request: Any = None, user: Any = None, username: str = "", detail: str = "") -> None:
    """Record a sign-in security event (MFA failure, enrolment, recovery code used, session timeout...)."""
    who = user if user is not None else getattr(request, "user", None)
    user_id = getattr(who, "pk", None)
    logger.info("%s user=%s username=%s %s", kind, user_id, username or getattr(who, "username", ""), detail)
    auth_event_record(kind=kind, request=request, user=who if user_id else None, username=username, detail=detail)
