"""Headache diary arithmetic: monthly headache days and monthly migraine days.

Definitions (docs/clinical.md §10.1): a headache day is a calendar day with any headache; a migraine day is a day
with a headache with migraine features (IHS clinical-trial guidelines for chronic migraine [R92, R93]; a day
treated with a migraine-specific acute medication also counts, per the proposed definition in [R94]). Chronic
migraine is 15 or more headache days a month, of which 8 or more are migraine days (ICHD-3 1.3).

A month's count is evaluable only when the diary covers enough of its days (``MonthSummary.covers``; the share is
``PatientSettings.diary_min_coverage_percent``), and it is compared as migraine days per 28 days of diary
(``migraine_days_per_28``), so months of 28 to 31 days and a few missing days compare fairly (docs/clinical.md §9.5).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

CHRONIC_HEADACHE_DAYS = 15
CHRONIC_MIGRAINE_DAYS = 8
NORMALISED_DAYS = 28  # migraine days are compared per 28 days, the "month" of migraine-prevention trials [R99]


class DiaryDay(Protocol):
    entry_date: dt.date
    had_headache: bool
    migraine_features: bool
    migraine_specific_medication: bool


@dataclass(frozen=True)
class MonthSummary:
    year: int
    month: int
    days_in_month: int
    days_recorded: int
    headache_days: int
    migraine_days: int

    @classmethod
    def of(cls, year: int, month: int, days_recorded: int, headache_days: int, migraine_days: int) -> MonthSummary:
        """A month's counts, as ``monthly_summaries`` makes them or as a report reads them already counted."""
        return cls(year, month, calendar.monthrange(year, month)[1], days_recorded, headache_days, migraine_days)

    @property
    def label(self) -> str:
        return dt.date(self.year, self.month, 1).strftime("%b %Y")

    @property
    def complete(self) -> bool:
        """Every day of the month has an entry (counts from incomplete months understate the burden)."""
        return self.days_recorded == self.days_in_month

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, self.days_in_month)

    @property
    def coverage_percent(self) -> Decimal:
        """Share of the month's days with a diary entry, in percent, one decimal (shown; ``covers`` decides)."""
        return (Decimal(self.days_recorded) * 100 / self.days_in_month).quantize(Decimal("0.1"), ROUND_HALF_UP)

    def covers(self, min_percent: int) -> bool:
        """The diary covers at least ``min_percent`` % of the month's days (exact: 24 of 30 days is 80 %)."""
        return self.days_recorded * 100 >= min_percent * self.days_in_month

    @property
    def migraine_days_per_28(self) -> Decimal | None:
        """Migraine days per 28 days of diary, one decimal: the figure that is shown and judged. None without days."""
        if not self.days_recorded:
            return None
        rate = Decimal(self.migraine_days) * NORMALISED_DAYS / self.days_recorded
        return rate.quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def meets_chronic_pattern(self) -> bool:
        return self.headache_days >= CHRONIC_HEADACHE_DAYS and self.migraine_days >= CHRONIC_MIGRAINE_DAYS


def is_migraine_day(day: DiaryDay) -> bool:
    return day.had_headache and (day.migraine_features or day.migraine_specific_medication)


def monthly_summaries(entries: Iterable[DiaryDay]) -> list[MonthSummary]:
    """One summary per calendar month that has entries, newest first. One entry per day is counted."""
    by_month: dict[tuple[int, int], dict[dt.date, DiaryDay]] = {}
    for entry in entries:
        by_month.setdefault((entry.entry_date.year, entry.entry_date.month), {})[entry.entry_date] = entry
    summaries = []
    for (year, month), days in sorted(by_month.items(), reverse=True):
        summaries.append(
            MonthSummary.of(
                year,
                month,
                days_recorded=len(days),
                headache_days=sum(1 for d in days.values() if d.had_headache),
                migraine_days=sum(1 for d in days.values() if is_migraine_day(d)),
            )
        )
    return summaries
