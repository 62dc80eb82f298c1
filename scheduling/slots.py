"""When a chair is free: the pure rules of the clinic's schedule (opening hours, closure days, bookings), with no
database. The booking services (scheduling.services) feed them what they read; the tests feed them by hand.

Times are aware datetimes; opening hours are wall-clock times in the clinic's zone (``zone``), so a day's hours are
the same on the clock either side of a change of the clocks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: Proposed starts fall on the quarter-hours after the opening time.
STEP = dt.timedelta(minutes=15)
#: How far ahead a next free slot is looked for.
HORIZON_DAYS = 90

WEEKDAYS = ["Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"]


@dataclass(frozen=True)
class Hours:
    """One weekday's opening hours (wall clock): a booking starts at or after ``opens`` and ends by ``closes``."""

    opens: dt.time
    closes: dt.time


Busy = tuple[dt.datetime, dt.datetime]  # [start, end) of a booking


def _bounds(day: dt.date, hours: Hours, zone: dt.tzinfo) -> Busy:
    return dt.datetime.combine(day, hours.opens, tzinfo=zone), dt.datetime.combine(day, hours.closes, tzinfo=zone)


def open_bounds(
    day: dt.date, hours: Mapping[int, Hours], closures: Mapping[dt.date, str], zone: dt.tzinfo
) -> Busy | None:
    """[opening, closing) of ``day`` as aware datetimes, or None when the clinic is closed that day (a weekday
    without hours, a closure day)."""
    today = hours.get(day.weekday())
    if today is None or day in closures:
        return None
    return _bounds(day, today, zone)


def clashes(start: dt.datetime, end: dt.datetime, busy: Iterable[Busy]) -> list[Busy]:
    """The ``busy`` intervals that overlap [start, end): one ending as it starts does not."""
    return [(begin, until) for begin, until in busy if begin < end and until > start]


def hours_problem(
    *, start: dt.datetime, length: dt.timedelta, hours: Mapping[int, Hours], closures: Mapping[dt.date, str],
    zone: dt.tzinfo,
) -> str | None:  # fmt: skip
    """Why a booking from ``start`` lasting ``length`` (infusion and observation) cannot be held that day, or None.

    ``hours`` maps a weekday (Monday 0) to its hours, a weekday missing is a closed day; ``closures`` maps a closed
    date to its reason. A booking may end exactly at closing time, not a minute after."""
    local = start.astimezone(zone)
    day = local.date()
    if day in closures:
        return f"The clinic is closed on {day:%a %-d %b %Y} ({closures[day]})."
    today = hours.get(day.weekday())
    if today is None:
        return f"The clinic is closed on {WEEKDAYS[day.weekday()]}."
    opens, closes = _bounds(day, today, zone)
    if start < opens:
        return f"The clinic opens at {today.opens:%H:%M} on {WEEKDAYS[day.weekday()]}."
    if start + length > closes:
        end = (start + length).astimezone(zone)
        return (
            f"With its infusion and observation time ({_minutes(length)}) the session would end at {end:%H:%M}, "
            f"after closing time ({today.closes:%H:%M})."
        )
    return None


def next_free_start(
    *, after: dt.datetime, length: dt.timedelta, busy: Iterable[Busy], hours: Mapping[int, Hours],
    closures: Mapping[dt.date, str], zone: dt.tzinfo, horizon_days: int = HORIZON_DAYS,
) -> dt.datetime | None:  # fmt: skip
    """The earliest start at or after ``after`` (on a quarter-hour from opening time, or just as a booking in the way
    ends) where ``length`` fits inside one open day's hours without overlapping any ``busy`` interval (the chair's
    and the patient's bookings); None when nothing fits within ``horizon_days``."""
    taken = sorted(busy)
    first_day = after.astimezone(zone).date()
    for offset in range(horizon_days + 1):
        bounds = open_bounds(first_day + dt.timedelta(days=offset), hours, closures, zone)
        if bounds is None:
            continue
        opens, closes = bounds
        candidate = _on_step(max(after, opens), opens)
        while candidate + length <= closes:
            clash = clashes(candidate, candidate + length, taken)
            if not clash:
                return candidate
            candidate = max(end for _, end in clash)  # right after the booking in the way: no idle minutes left
    return None


def _on_step(moment: dt.datetime, origin: dt.datetime) -> dt.datetime:
    """``moment`` rounded up to the next ``STEP`` counted from ``origin``."""
    steps = -(-(moment - origin) // STEP)
    return origin + steps * STEP


def _minutes(length: dt.timedelta) -> str:
    hours, minutes = divmod(int(length.total_seconds()) // 60, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
