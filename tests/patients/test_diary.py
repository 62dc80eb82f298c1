"""Monthly headache and migraine days from the diary (patients/diary.py; ICHD-3 1.3, IHS trial guidelines)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from patients.diary import is_migraine_day, monthly_summaries


@dataclass
class Day:
    entry_date: dt.date
    had_headache: bool = False
    migraine_features: bool = False
    migraine_specific_medication: bool = False


def days(year: int, month: int, n: int, **kwargs) -> list[Day]:
    return [Day(dt.date(year, month, d), **kwargs) for d in range(1, n + 1)]


def test_counts_headache_and_migraine_days_per_month_newest_first():
    entries = [
        *days(2026, 3, 10, had_headache=True, migraine_features=True),
        Day(dt.date(2026, 3, 11), had_headache=True),
        Day(dt.date(2026, 3, 12)),
        *days(2026, 4, 2, had_headache=True),
    ]
    april, march = monthly_summaries(entries)
    assert (march.year, march.month, march.headache_days, march.migraine_days, march.days_recorded) == (
        2026,
        3,
        11,
        10,
        12,
    )
    assert (april.month, april.headache_days, april.migraine_days) == (4, 2, 0)


def test_a_day_treated_with_a_migraine_specific_drug_is_a_migraine_day():
    assert is_migraine_day(Day(dt.date(2026, 1, 1), had_headache=True, migraine_specific_medication=True))
    assert not is_migraine_day(Day(dt.date(2026, 1, 1), migraine_specific_medication=True))  # no headache


def test_two_entries_for_one_day_count_once():
    entries = [Day(dt.date(2026, 5, 1), had_headache=True), Day(dt.date(2026, 5, 1), had_headache=True)]
    (may,) = monthly_summaries(entries)
    assert (may.headache_days, may.days_recorded) == (1, 1)


@pytest.mark.parametrize(
    ("headache", "migraine", "chronic"), [(15, 8, True), (14, 8, False), (15, 7, False), (20, 20, True)]
)
def test_chronic_pattern_needs_15_headache_days_with_8_migraine_days(headache, migraine, chronic):
    entries = [
        Day(dt.date(2026, 2, d), had_headache=d <= headache, migraine_features=d <= migraine) for d in range(1, 29)
    ]
    (february,) = monthly_summaries(entries)
    assert february.meets_chronic_pattern is chronic


def test_a_month_is_complete_only_when_every_day_is_recorded():
    (february,) = monthly_summaries(days(2028, 2, 29))  # leap year
    assert february.complete
    (march,) = monthly_summaries(days(2028, 3, 30))
    assert not march.complete
    assert march.label == "Mar 2028"


def test_no_entries_no_months():
    assert monthly_summaries([]) == []
