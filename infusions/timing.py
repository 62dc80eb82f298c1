"""When things happened at the chair: a charted time is the time it happened, not the time the button was pressed.

Rules (docs/clinical.md §12): a time charted on a session defaults to now, is never in the future, never before
the moment it depends on (check-in for vitals and medicines, the start or the previous rate change for the pump),
and an entry charted more than the clinic's late-entry limit after the time it records is marked as a late entry,
with who entered it and when (``created_by``, ``created_at`` of the record).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

LATE_ENTRY_MINUTES = 15  # default; the clinic tunes InfusionSettings.late_entry_minutes


def to_the_minute(at: dt.datetime, not_before: dt.datetime | None) -> dt.datetime:
    """Times are typed to the minute: a time in the same minute as the moment it follows, but seconds before it
    (vitals typed "10:42" after a check-in at 10:42:17), reads as that moment, not as a time before it."""
    if not_before is not None and not_before.replace(second=0, microsecond=0) <= at < not_before:
        return not_before
    return at


def charted_time_problem(at: dt.datetime, *, now: dt.datetime, not_before: dt.datetime | None, after_what: str) -> str:
    """A sentence when ``at`` cannot be the time something happened; empty when it can. The bounds are allowed."""
    if at > now:
        return "That time is in the future: chart what has happened, at the time it happened."
    if not_before is not None and at < not_before:
        return f"That time is before {after_what} ({timezone.localtime(not_before):%H:%M})."
    return ""


def is_late_entry(at: dt.datetime, entered_at: dt.datetime | None, limit_minutes: int = LATE_ENTRY_MINUTES) -> bool:
    """True when the entry was made more than ``limit_minutes`` after the time it records (the limit is on time)."""
    if entered_at is None:
        return False
    return entered_at - at > dt.timedelta(minutes=limit_minutes)
