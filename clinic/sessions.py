"""Database sessions that let a database outage show as one (503), not as a "session deleted" 400.

Django's database session store turns *any* database error while saving into ``UpdateError``, which the session
middleware answers with 400 "The request's session was deleted before the request completed". When the error is
the database going away (restart, failover), the truth is "briefly unavailable", so the original error is raised
and ``clinic.views.server_error`` answers with the 503 page. Ref: issue #10, seen by tests/faults.

Every request saves its session (``SESSION_SAVE_EVERY_REQUEST``, so that the expiry slides), also a background
fetch that changed nothing (the top bar's worklist entry, the board's refresh). Django's save writes back the whole
session as that request read it, so a fetch answered after another request changed the session (the search term
posted, the screen locked) would undo that change. A session this request did not change is therefore saved as its
new expiry only, never its data; if it has ended meanwhile (a sign-out, the switch-user button) it stays ended, and
the fetch is answered normally instead of with Django's 400. A request that did change an ended session still gets
the 400 (issue #18).
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError

from clinic.database import DB_UNAVAILABLE


class SessionStore(db.SessionStore):
    def save(self, must_create: bool = False) -> Any:
        if not must_create and not self.modified and self.session_key is not None:
            # Saved only because every request saves, with nothing changed here: move the expiry on and never write
            # back the data this request read, which another request may have changed since (a search term, the
            # screen lock). An ended session stays ended.
            self.model.objects.filter(session_key=self.session_key).update(expire_date=self.get_expiry_date())
            return None
        try:
            return super().save(must_create=must_create)
        except UpdateError as exc:
            if isinstance(exc.__context__, DB_UNAVAILABLE):
                raise exc.__context__ from None
            if not self.modified:  # ended elsewhere meanwhile, nothing changed here: nothing to keep
                return None
            raise
