"""A course's state as staff read it (docs/clinical.md §9.8): pure rules, no database."""

from __future__ import annotations

import datetime as dt

LAPSE_DAYS = 60  # default; the clinic tunes InfusionSettings.course_lapse_days


def is_lapsed(
    *, is_open: bool, last_session_on: dt.date | None, started_on: dt.date, today: dt.date, lapse_days: int = LAPSE_DAYS
) -> bool:
    """An open course (induction or maintenance) with no session, given or booked, for more than ``lapse_days`` days
    (counted from the course's start when it has none). Exactly ``lapse_days`` is not yet lapsed; a booking in the
    future keeps it current."""
    if not is_open:
        return False
    return (today - (last_session_on or started_on)).days > lapse_days
