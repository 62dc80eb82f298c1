"""Times typed as the clinic's clocks show them, through the nights the clocks change (clinic.dates, clinic.forms).

America/New_York: on 1 Nov 2026 the clocks go back at 02:00 EDT (01:00-01:59 happen twice, first at UTC-4 then at
UTC-5); on 14 Mar 2027 they go forward at 02:00 EST (02:00-02:59 never happen). Ref: docs/clinical.md §12.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from clinic.dates import NonexistentLocalTime, wall_clock_instant
from clinic.forms import WallClockDateTimeField
from tests.clock import travel

NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def wall(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("typed", "now", "moment"),
    [
        # An ordinary time is that time, whatever "now" is.
        ("2026-12-06T10:00", "2026-12-06T15:05", "2026-12-06T15:00"),
        ("2026-07-01T09:00", "2026-01-01T00:00", "2026-07-01T13:00"),
        # The repeated hour, first time round (EDT): only the first 01:30 has happened yet.
        ("2026-11-01T01:30", "2026-11-01T05:40", "2026-11-01T05:30"),
        # Second time round (EST): both have happened; the later, the one just past, is meant.
        ("2026-11-01T01:30", "2026-11-01T06:40", "2026-11-01T06:30"),
        # Second time round, a time not yet reached again: the earlier one, the only one in the past.
        ("2026-11-01T01:50", "2026-11-01T06:40", "2026-11-01T05:50"),
        # Booked ahead (both in the future): the first.
        ("2026-11-01T01:15", "2026-10-30T12:00", "2026-11-01T05:15"),
        # Either side of the repeated hour: one moment only.
        ("2026-11-01T00:59", "2026-11-01T12:00", "2026-11-01T04:59"),
        ("2026-11-01T02:00", "2026-11-01T12:00", "2026-11-01T07:00"),
        # Either side of the skipped hour.
        ("2027-03-14T01:59", "2027-03-14T12:00", "2027-03-14T06:59"),
        ("2027-03-14T03:00", "2027-03-14T12:00", "2027-03-14T07:00"),
    ],
)
def test_a_typed_time_is_the_moment_the_clinics_clock_showed_it(typed, now, moment):
    assert wall_clock_instant(wall(typed), zone=NEW_YORK, now=utc(now)) == utc(moment)


@pytest.mark.parametrize("typed", ["2027-03-14T02:00", "2027-03-14T02:30", "2027-03-14T02:59"])
def test_a_time_in_the_skipped_hour_is_refused_with_the_reason(typed):
    with pytest.raises(NonexistentLocalTime, match="did not happen on 14 Mar 2027: the clocks went forward"):
        wall_clock_instant(wall(typed), zone=NEW_YORK, now=utc("2027-03-14T12:00"))


def test_the_chart_field_takes_the_repeated_hour_and_names_the_skipped_one(settings):
    settings.TIME_ZONE = "America/New_York"
    field = WallClockDateTimeField()
    with travel("2026-11-01T01:45:00-04:00"):
        assert field.clean("2026-11-01T01:30") == utc("2026-11-01T05:30")
    with travel("2026-11-01T01:45:00-05:00"):
        assert field.clean("2026-11-01T01:30") == utc("2026-11-01T06:30")
    with pytest.raises(ValidationError, match="did not happen") as refused:
        field.clean("2027-03-14T02:30")
    assert refused.value.code == "nonexistent_time"
    assert field.clean("2026-11-01T01:30-05:00") == utc("2026-11-01T06:30")  # an offset given is taken as given
    with pytest.raises(ValidationError, match="Enter a date and time"):
        field.clean("yesterday")
