"""Monthly headache and migraine days from the diary (patients/diary.py; ICHD-3 1.3, IHS trial guidelines)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from patients.diary import MonthSummary, is_migraine_day, monthly_summaries


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


@pytest.mark.parametrize(
    ("days_in_month", "recorded", "min_percent", "covers"),
    [
        (30, 24, 80, True),  # 80.0 %: exactly the line
        (30, 23, 80, False),  # 76.7 %
        (28, 23, 80, True),  # 82.1 %
        (28, 22, 80, False),  # 78.6 %: the "79 %" month
        (28, 22, 78, True),
        (31, 25, 80, True),  # 80.6 %
        (31, 24, 80, False),  # 77.4 %
        (30, 24, 81, False),
        (30, 30, 100, True),
        (30, 29, 100, False),
    ],
)
def test_a_month_covers_the_share_of_its_days_the_clinic_asks(days_in_month, recorded, min_percent, covers):
    """docs/clinical.md §9.5: the comparison is exact (no rounding of the percentage)."""
    month = next(m for m in range(1, 13) if calendar.monthrange(2026, m)[1] == days_in_month)
    (summary,) = monthly_summaries(days(2026, month, recorded))
    assert summary.days_in_month == days_in_month
    assert summary.covers(min_percent) is covers


@pytest.mark.parametrize(
    ("year", "month", "recorded", "migraine", "per_28"),
    [
        (2026, 2, 28, 10, Decimal("10.0")),  # a whole February is 28 days already
        (2026, 4, 30, 12, Decimal("11.2")),
        (2026, 3, 31, 10, Decimal("9.0")),  # 9.03
        (2026, 3, 24, 6, Decimal("7.0")),  # 7 days recorded missing: the rate of the days recorded
        (2026, 1, 31, 31, Decimal("28.0")),
    ],
)
def test_migraine_days_are_scaled_to_28_days_of_diary(year, month, recorded, migraine, per_28):
    summary = MonthSummary.of(year, month, days_recorded=recorded, headache_days=migraine, migraine_days=migraine)
    assert summary.migraine_days_per_28 == per_28


def test_coverage_is_shown_with_one_decimal():
    (february,) = monthly_summaries(days(2026, 2, 22))
    assert february.coverage_percent == Decimal("78.6")
    assert february.last_day == dt.date(2026, 2, 28)


@pytest.mark.django_db
@pytest.mark.parametrize(("percent", "valid"), [(49, False), (50, True), (80, True), (100, True), (101, False)])
def test_the_clinic_admin_may_set_the_diary_coverage_between_50_and_100_percent(percent, valid):
    from django.core.exceptions import ValidationError

    from patients.models import PatientSettings

    settings_row = PatientSettings.current()
    assert settings_row.diary_min_coverage_percent == 80  # the default
    settings_row.diary_min_coverage_percent = percent
    if valid:
        settings_row.full_clean()
    else:
        with pytest.raises(ValidationError, match="diary_min_coverage_percent"):
            settings_row.full_clean()
