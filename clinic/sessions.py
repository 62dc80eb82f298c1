"""Database sessions that let a database outage show as one (503), not as a "session deleted" 400.

Django's database session store turns *any* database error while saving into ``UpdateError``, which the session
middleware answers with 400 "The request's session was deleted before the request completed". When the error is
the database going away (restart, failover), the truth is "briefly unavailable", so the original error is raised
and ``clinic.views.server_error`` answers with the 503 page. Ref: issue #10, seen by tests/faults.

The same error also comes when the session was ended in another request (a sign-out, the switch-user button) while
this one ran. Every request saves its session (``SESSION_SAVE_EVERY_REQUEST``), also a background fetch that changed
nothing (the top bar's worklist entry, the board's refresh). An unchanged session that has ended elsewhere has
nothing to keep, so its save is a no-op: the session stays ended, and the fetch is answered normally instead of with
Django's 400 and its warning. A request that did change the session still gets the 400 (issue #18).
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError

from clinic.database import DB_UNAVAILABLE


class SessionStore(db.SessionStore):
    def save(self, must_create: bool = False) -> Any:
        try:
            return super().save(must_create=must_create)
        except UpdateError as exc:
            if isinstance(exc.__context__, DB_UNAVAILABLE):
                raise exc.__context__ from None
            if not self.modified:  # ended elsewhere meanwhile, nothing changed here: nothing to keep
                return None
            raise
