"""The canonical form of a time range (a booking's period): its ends in UTC ISO 8601 and its bounds, so the same
period hashes the same whichever zone it was written in."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

from clinic.canonical import canonical_json, canonical_value


def test_a_time_range_is_its_bounds_and_its_ends_in_utc():
    eastern = ZoneInfo("America/New_York")
    period = DateTimeTZRange(
        dt.datetime(2026, 3, 2, 9, tzinfo=eastern), dt.datetime(2026, 3, 2, 10, 40, tzinfo=eastern)
    )
    assert canonical_value(period) == {
        "bounds": "[)",
        "lower": "2026-03-02T14:00:00+00:00",
        "upper": "2026-03-02T15:40:00+00:00",
    }
    utc = DateTimeTZRange(dt.datetime(2026, 3, 2, 14, tzinfo=dt.UTC), dt.datetime(2026, 3, 2, 15, 40, tzinfo=dt.UTC))
    assert canonical_json(period) == canonical_json(utc)


def test_an_open_ended_and_an_empty_range_have_a_plain_form():
    start = dt.datetime(2026, 3, 2, 14, tzinfo=dt.UTC)
    assert canonical_value(DateTimeTZRange(start, None, "[)")) == {
        "bounds": "[)",
        "lower": "2026-03-02T14:00:00+00:00",
        "upper": None,
    }
    assert canonical_value(DateTimeTZRange(empty=True)) == {"empty": True}


def test_a_range_of_naive_times_is_refused_like_a_naive_time():
    with pytest.raises(ValueError, match="Naive datetimes"):
        canonical_value(DateTimeTZRange(dt.datetime(2026, 3, 2, 9), dt.datetime(2026, 3, 2, 10)))  # noqa: DTZ001
