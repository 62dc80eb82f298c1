"""The pure rules of the schedule (scheduling/slots.py) at their boundaries: opening and closing time, closure days,
closed weekdays, the observation time pushing a session past closing, and the next free start."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from scheduling.slots import Hours, hours_problem, next_free_start

ZONE = ZoneInfo("America/New_York")
WEEK = {d: Hours(dt.time(8), dt.time(18)) for d in range(5)} | {5: Hours(dt.time(9), dt.time(13))}
MONDAY = dt.date(2027, 3, 1)  # a Monday
SESSION = dt.timedelta(minutes=40 + 60)  # 40 min infusion + 60 min observation


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZONE)


def problem(start: dt.datetime, length: dt.timedelta = SESSION, closures: dict | None = None) -> str | None:
    return hours_problem(start=start, length=length, hours=WEEK, closures=closures or {}, zone=ZONE)


def free(after: dt.datetime, busy: list | None = None, closures: dict | None = None, **kw) -> dt.datetime | None:
    return next_free_start(after=after, length=SESSION, busy=busy or [], hours=WEEK, closures=closures or {},
                           zone=ZONE, **kw)  # fmt: skip


def test_a_session_may_start_at_opening_time():
    assert problem(at(MONDAY, 8)) is None


def test_a_session_a_minute_before_opening_is_refused():
    assert problem(at(MONDAY, 7, 59)) == "The clinic opens at 08:00 on Mondays."


def test_a_session_may_end_exactly_at_closing_time():
    assert problem(at(MONDAY, 16, 20)) is None  # 16:20 + 1 h 40 min = 18:00


def test_the_observation_time_pushing_past_closing_is_refused():
    assert problem(at(MONDAY, 16, 21)) == (
        "With its infusion and observation time (1 h 40 min) the session would end at 18:01, "
        "after closing time (18:00)."
    )


def test_saturday_has_its_own_shorter_hours():
    saturday = MONDAY + dt.timedelta(days=5)
    assert problem(at(saturday, 9)) is None
    assert "after closing time (13:00)" in problem(at(saturday, 11, 30))
    assert problem(at(saturday, 8, 30)) == "The clinic opens at 09:00 on Saturdays."


def test_a_weekday_without_hours_is_closed():
    assert problem(at(MONDAY + dt.timedelta(days=6), 10)) == "The clinic is closed on Sundays."


def test_a_closure_day_is_refused_with_its_reason():
    assert problem(at(MONDAY, 10), closures={MONDAY: "Staff training"}) == (
        "The clinic is closed on Mon 1 Mar 2027 (Staff training)."
    )


def test_next_free_start_is_the_time_asked_when_free():
    assert free(at(MONDAY, 10)) == at(MONDAY, 10)


def test_next_free_start_rounds_up_to_the_quarter_hour_from_opening():
    assert free(at(MONDAY, 10, 1)) == at(MONDAY, 10, 15)


def test_next_free_start_before_opening_is_opening_time():
    assert free(at(MONDAY, 6)) == at(MONDAY, 8)


def test_next_free_start_is_the_end_of_the_booking_in_the_way():
    busy = [(at(MONDAY, 9), at(MONDAY, 10, 40))]
    assert free(at(MONDAY, 9), busy) == at(MONDAY, 10, 40)


def test_a_booking_ending_when_the_next_starts_does_not_clash():
    busy = [(at(MONDAY, 8), at(MONDAY, 9, 40)), (at(MONDAY, 11, 20), at(MONDAY, 13))]
    assert free(at(MONDAY, 8), busy) == at(MONDAY, 9, 40)  # 9:40-11:20 fits exactly between the two


def test_a_gap_too_short_for_the_session_is_skipped():
    busy = [(at(MONDAY, 8), at(MONDAY, 9, 45)), (at(MONDAY, 11), at(MONDAY, 12))]
    assert free(at(MONDAY, 8), busy) == at(MONDAY, 12)


def test_when_the_rest_of_the_day_is_too_short_the_next_open_day_is_proposed():
    assert free(at(MONDAY, 16, 30)) == at(MONDAY + dt.timedelta(days=1), 8)


def test_closure_days_and_sundays_are_skipped():
    friday, saturday = MONDAY + dt.timedelta(days=4), MONDAY + dt.timedelta(days=5)
    closures = {saturday: "Holiday"}
    assert free(at(friday, 17), closures=closures) == at(MONDAY + dt.timedelta(days=7), 8)


@pytest.mark.parametrize("horizon", [0, 1])
def test_nothing_free_within_the_horizon_is_none(horizon):
    busy = [(at(MONDAY, 0), at(MONDAY + dt.timedelta(days=3), 0))]
    assert free(at(MONDAY, 8), busy, horizon_days=horizon) is None
