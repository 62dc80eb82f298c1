"""Calendar arithmetic shared by the apps."""

from __future__ import annotations

import calendar
import datetime as dt

from django.utils import timezone


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it is shorter (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def local_day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware [start, end) covering the clinic's local days ``first`` to ``last`` inclusive, so range filters on an
    indexed timestamp column can serve "which day" questions in the clinic's time zone."""
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    return start, end


class NonexistentLocalTime(ValueError):
    """A wall-clock time that the clinic's clocks skip (the hour lost when they go forward)."""


def wall_clock_instant(naive: dt.datetime, *, zone: dt.tzinfo, now: dt.datetime) -> dt.datetime:
    """The moment at which a clock in ``zone`` showed ``naive``, as staff type times into the chart.

    Most times happen once. When the clocks go back (in New York, the first Sunday of November: 01:00-01:59 happen
    twice) a time names two moments: the later of them that is not after ``now`` is taken, since a time charted is
    one that has just passed (a nurse at 01:40 the second time round who types 01:30 means ten minutes ago); when
    both are ahead (a booking) the first is. When the clocks go forward (the second Sunday of March: 02:00-02:59
    never happen) the time is refused: no event happened then. Ref: docs/clinical.md §12.

    Returned in UTC: a moment of the repeated hour kept in the clinic's zone compares unequal to every other zone's
    (PEP 495), which would make it a trap for the code that reads it.
    """
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if first.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise NonexistentLocalTime(
            f"{naive:%H:%M} did not happen on {naive:%-d %b %Y}: the clocks went forward an hour that night."
        )
    if first.utcoffset() == second.utcoffset():
        return first.astimezone(dt.UTC)
    earlier, later = sorted(moment.astimezone(dt.UTC) for moment in (first, second))
    return later if later <= now else earlier
