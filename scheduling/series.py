"""Booking a course: the pure rule that proposes a series of free slots for a course's induction
(docs/clinical.md §9.9), with no database. The series services (scheduling.services, "Booking a course") feed it
what they read; the tests feed it by hand.

The plan is the protocol's: so many sessions, each at least ``min_days`` and at most ``max_days`` calendar days after
the one before. Each session keeps, where it can, the first session's time of day and chair; the days aim halfway
between the least and the most gap. Closed weekdays, closure days, the shorter hours of a Saturday, the chairs' and the
patient's other bookings are all honoured. When no free slot exists for some session within the most days after the
one before (whatever the earlier sessions' days), nothing is proposed and ``problem`` says which session and why.

Ref: issue #18 ("Book a course"); Murrough 2013, Phillips 2019 (six infusions over about two weeks)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from scheduling.slots import STEP, Busy, Hours, clashes, hours_problem, open_bounds

FIRST_NOT_FREE = "No chair is free for the first session from {day:%a %-d %b} to {last:%a %-d %b}."
GAP_NOT_KEPT = (
    "Session {n} cannot be booked {low} to {high} days after session {prev} ({day:%a %-d %b}): {why}. Nothing is "
    "proposed; choose another start date or chair."
)
ALL_CLOSED = "the clinic is closed on each of those days"
NONE_FREE = "no chair is free then"


@dataclass(frozen=True)
class Plan:
    """A course's induction as the protocol plans it (infusions.Protocol)."""

    sessions: int
    min_days: int
    max_days: int

    @classmethod
    def of(cls, protocol: Any) -> Plan:
        return cls(protocol.planned_induction_sessions, protocol.induction_min_days_between,
                   protocol.induction_max_days_between)  # fmt: skip

    @property
    def target_days(self) -> int:
        """The gap aimed at: halfway between the least and the most (rounded down), 2 for the usual 1 to 4."""
        return max(self.min_days, (self.min_days + self.max_days) // 2)


@dataclass(frozen=True)
class Slot:
    """One proposed session: its start and the chair (its id)."""

    start: dt.datetime
    chair: int


@dataclass(frozen=True)
class Proposal:
    """The series proposed (every session, in order), or none and the reason."""

    slots: tuple[Slot, ...] = ()
    problem: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.slots)


def propose_series(
    *, plan: Plan, first: dt.datetime, chair: int, chairs: Sequence[int], busy: Mapping[int, Iterable[Busy]],
    patient_busy: Iterable[Busy], length: dt.timedelta, hours: Mapping[int, Hours], closures: Mapping[dt.date, str],
    zone: dt.tzinfo,
) -> Proposal:  # fmt: skip
    """Propose ``plan.sessions`` slots from ``first`` (the first session's wished day and time) in ``chair``.

    ``chairs`` are the chairs in use (ids; ``chair`` is tried first, then these in order); ``busy`` maps a chair to
    its live bookings' [start, end), ``patient_busy`` the patient's own; ``length`` is the protocol's infusion and
    observation time; ``hours`` and ``closures`` as in scheduling/slots.py. The first session may move forward at
    most ``plan.max_days`` days from the wished day; each later one lands ``min_days`` to ``max_days`` days after
    the one before, by calendar date."""
    local = first.astimezone(zone)
    wished = local.time()
    order = [chair, *(c for c in chairs if c != chair)]
    taken = {c: sorted(busy.get(c, ())) for c in order}
    own = sorted(patient_busy)

    def free(start: dt.datetime, c: int) -> bool:
        return not clashes(start, start + length, (*taken[c], *own))

    @cache
    def best(day: dt.date) -> Slot | None:
        """The day's free slot nearest the wished time, in the wished chair if it can."""
        bounds = open_bounds(day, hours, closures, zone)
        if bounds is None:
            return None
        opens, closes = bounds
        wanted = dt.datetime.combine(day, wished, tzinfo=zone)
        found = None
        start = opens
        while start + length <= closes:
            for rank, c in enumerate(order):
                if free(start, c):
                    key = (abs(start - wanted), rank)
                    if found is None or key < found[0]:
                        found = (key, Slot(start, c))
                    break  # a later chair at the same time ranks lower
            start += STEP
        return found[1] if found else None

    def same_time(slot: Slot) -> bool:
        return slot.start.astimezone(zone).time() == wished

    def later_days(day: dt.date) -> list[tuple[dt.date, Slot]]:
        """The days a session may fall after one on ``day``, most wished first: same time of day before another
        time, then nearest the aimed gap (the later of two equally near), then the nearest time and the chair."""
        found = []
        for gap in range(plan.min_days, plan.max_days + 1):
            later = day + dt.timedelta(days=gap)
            slot = best(later)
            if slot is not None:
                found.append(((not same_time(slot), abs(gap - plan.target_days), -gap), later, slot))
        return [(d, s) for _, d, s in sorted(found, key=lambda f: f[0])]

    stuck: dict[str, Any] = {"n": 0}

    @cache
    def rest(n: int, day: dt.date) -> tuple[Slot, ...] | None:
        """The sessions after session ``n`` (1-based) booked on ``day``, or None when they cannot all fit."""
        if n == plan.sessions:
            return ()
        for later, slot in later_days(day):
            after = rest(n + 1, later)
            if after is not None:
                return (slot, *after)
        if n + 1 > stuck["n"]:
            stuck.update(n=n + 1, day=day)
        return None

    first_day = local.date()
    for offset in range(plan.max_days + 1):
        day = first_day + dt.timedelta(days=offset)
        slot = best(day) if offset else _exact_or_best(best(day), first, order, free, hours, closures, zone, length)
        if slot is None:
            continue
        after = rest(1, day)
        if after is not None:
            return Proposal((slot, *after))
    if not stuck["n"]:
        last = first_day + dt.timedelta(days=plan.max_days)
        return Proposal(problem=FIRST_NOT_FREE.format(day=first_day, last=last))
    n, day = stuck["n"], stuck["day"]
    window = [day + dt.timedelta(days=g) for g in range(plan.min_days, plan.max_days + 1)]
    closed = all(open_bounds(d, hours, closures, zone) is None for d in window)
    return Proposal(problem=GAP_NOT_KEPT.format(n=n, low=plan.min_days, high=plan.max_days, prev=n - 1, day=day,
                                                why=ALL_CLOSED if closed else NONE_FREE))  # fmt: skip


def _exact_or_best(
    fallback: Slot | None, first: dt.datetime, order: list[int], free: Any, hours: Mapping[int, Hours],
    closures: Mapping[dt.date, str], zone: dt.tzinfo, length: dt.timedelta,
) -> Slot | None:  # fmt: skip
    """The first session at exactly the time asked for (not only on the quarter-hours) when it is free and open."""
    if hours_problem(start=first, length=length, hours=hours, closures=closures, zone=zone) is None:
        for c in order:
            if free(first, c):
                return Slot(first, c)
    return fallback
