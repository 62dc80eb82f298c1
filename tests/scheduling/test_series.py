"""The course series rule (scheduling/series.py) at its boundaries: the usual Monday–Wednesday–Friday induction, a
closure in the middle pushing one session while keeping the most days, a gap that cannot be kept refused with the
session named, Saturday's shorter hours, the patient's own other booking and a taken chair."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from zoneinfo import ZoneInfo

from scheduling.series import Plan, propose_series
from scheduling.slots import Hours

ZONE = ZoneInfo("America/New_York")
WEEK = {d: Hours(dt.time(8), dt.time(18)) for d in range(5)} | {5: Hours(dt.time(9), dt.time(13))}
MONDAY = dt.date(2027, 3, 1)  # a Monday
SESSION = dt.timedelta(minutes=40 + 60)  # 40 min infusion + 60 min observation
INDUCTION = Plan(sessions=6, min_days=1, max_days=4)
A, B = 1, 2  # chair ids


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZONE)


def day(n: int) -> dt.date:
    return MONDAY + dt.timedelta(days=n)


def propose(first=None, *, plan=INDUCTION, busy=None, patient_busy=(), closures=None, hours=WEEK, chairs=(A, B)):
    return propose_series(plan=plan, first=first or at(MONDAY, 10), chair=A, chairs=list(chairs), busy=busy or {},
                          patient_busy=list(patient_busy), length=SESSION, hours=hours, closures=closures or {},
                          zone=ZONE)  # fmt: skip


def days(proposal) -> list[int]:
    return [(s.start.astimezone(ZONE).date() - MONDAY).days for s in proposal.slots]


def test_an_open_fortnight_gives_monday_wednesday_friday_at_the_same_time_and_chair():
    proposal = propose()
    assert proposal.ok, proposal.problem
    assert days(proposal) == [0, 2, 4, 7, 9, 11]
    assert {s.start.astimezone(ZONE).time() for s in proposal.slots} == {dt.time(10)}
    assert {s.chair for s in proposal.slots} == {A}


def test_a_closure_in_the_middle_pushes_one_session_and_keeps_the_most_days():
    proposal = propose(closures={day(4): "Clinic holiday"})  # the first Friday
    assert proposal.ok, proposal.problem
    got = days(proposal)
    assert got[:2] == [0, 2]
    assert got[2] == 5  # Saturday at the same time instead of the closed Friday
    gaps = [b - a for a, b in pairwise(got)]
    assert len(got) == 6
    assert all(1 <= g <= 4 for g in gaps)


def test_a_holiday_monday_moves_to_tuesday_four_days_after_friday():
    weekdays_only = {d: Hours(dt.time(8), dt.time(18)) for d in range(5)}
    plan = Plan(sessions=3, min_days=1, max_days=4)
    proposal = propose(at(day(4), 10), plan=plan, hours=weekdays_only, closures={day(7): "Holiday"})
    assert days(proposal) == [4, 8, 10]  # Friday, (Monday closed) Tuesday: the most days, 4; then Thursday


def test_a_gap_that_cannot_be_kept_is_refused_naming_the_session():
    closures = {day(n): "Training week" for n in range(3, 12)}  # Thursday to the next Friday
    proposal = propose(closures=closures)
    assert not proposal.ok
    assert proposal.slots == ()
    # Even Monday, Tuesday, Wednesday leaves the fourth session nowhere to go within 4 days.
    assert proposal.problem == (
        "Session 4 cannot be booked 1 to 4 days after session 3 (Wed 3 Mar): the clinic is closed on each of those "
        "days. Nothing is proposed; choose another start date or chair."
    )


def test_full_chairs_are_refused_with_no_chair_free():
    full = [(at(day(n), 8), at(day(n), 18)) for n in range(2, 40)]
    proposal = propose(busy={A: full, B: full})
    assert not proposal.ok
    assert "no chair is free then" in proposal.problem


def test_no_free_first_session_is_refused():
    full = [(at(day(n), 0), at(day(n), 23)) for n in range(0, 10)]
    proposal = propose(busy={A: full, B: full})
    assert proposal.problem == "No chair is free for the first session from Mon 1 Mar to Fri 5 Mar."


def test_saturday_short_hours_move_the_time_not_past_closing():
    plan = Plan(sessions=2, min_days=2, max_days=2)  # Thursday then Saturday, no other choice
    proposal = propose(at(day(3), 14), plan=plan)
    saturday = proposal.slots[1].start.astimezone(ZONE)
    assert saturday.date() == day(5)
    assert saturday + SESSION <= at(day(5), 13)  # ends by Saturday's 13:00
    assert saturday.time() == dt.time(11, 15)  # the latest quarter-hour that fits, nearest the 14:00 asked for


def test_the_patients_own_other_booking_is_never_overlapped():
    other = (at(day(2), 9, 30), at(day(2), 11))  # Wednesday, in another course or chair
    proposal = propose(plan=Plan(sessions=2, min_days=2, max_days=2), patient_busy=[other])
    wednesday = proposal.slots[1]
    assert wednesday.start == at(day(2), 11)  # the nearest free time to 10:00, in the same chair
    assert wednesday.chair == A


def test_the_same_time_on_another_day_is_preferred_to_another_time():
    other = (at(day(2), 9, 30), at(day(2), 11))
    proposal = propose(patient_busy=[other])
    assert days(proposal)[:2] == [0, 3]  # Thursday at 10:00 rather than Wednesday at 11:00
    assert all(s.start.astimezone(ZONE).time() == dt.time(10) for s in proposal.slots)


def test_a_taken_chair_moves_the_session_to_another_chair_at_the_same_time():
    proposal = propose(busy={A: [(at(day(2), 9), at(day(2), 12))]})
    wednesday = proposal.slots[1]
    assert (wednesday.start, wednesday.chair) == (at(day(2), 10), B)


def test_the_first_session_keeps_an_exact_time_off_the_quarter_hours():
    proposal = propose(at(MONDAY, 10, 7))
    assert proposal.slots[0].start == at(MONDAY, 10, 7)


def test_a_first_day_on_sunday_starts_on_monday():
    proposal = propose(at(MONDAY - dt.timedelta(days=1), 10))
    assert days(proposal)[0] == 0
