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
