"""What the nurse reads at a glance on the chart's "now" strip (docs/clinical.md §3.9, §4.1): pure rules, no
database. The times come from the pump's segments; the alerts are the ones a running infusion can raise by itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from infusions.dosing import RateSegment

RECHECK_MINUTES = 5  # default; the clinic tunes InfusionSettings.vitals_recheck_minutes


@dataclass(frozen=True)
class InfusionClock:
    planned_end: dt.datetime | None
    minutes_left: int | None
    alerts: list[str] = field(default_factory=list)


def paused_minutes(segments: list[RateSegment], now: dt.datetime) -> Decimal:
    """Minutes the pump stood at 0 so far."""
    total = Decimal(0)
    for segment in segments:
        if segment.rate_mg_h == 0:
            total += Decimal(((segment.end or now) - segment.start).total_seconds()) / 60
    return total


def infusion_clock(
    *,
    segments: list[RateSegment],
    fixed_dose: bool,
    planned_minutes: int | None,
    planned_mg: Decimal | None,
    given_mg: Decimal,
    now: dt.datetime,
) -> InfusionClock:
    """When the infusion should end and what is wrong with how it runs.

    A fixed dose ends when the bag is empty: the planned end is now plus what is left at the running rate. It raises
    an alert when it runs past its planned time (paused minutes added to it) or when the given dose reaches the
    planned dose while the pump still runs. A continuous infusion with a planned duration ends at start + duration +
    paused minutes and raises an alert past it. Boundaries: exactly the planned time is not yet past it."""
    if not segments:
        return InfusionClock(None, None)
    started, running = segments[0].start, segments[-1]
    pump_on = running.end is None and running.rate_mg_h > 0
    planned_end, alerts = None, []
    due_by = None
    if planned_minutes:
        due_by = started + dt.timedelta(minutes=float(planned_minutes + paused_minutes(segments, now)))
    if fixed_dose and planned_mg is not None:
        left = max(planned_mg - given_mg, Decimal(0))
        if pump_on:
            planned_end = now + dt.timedelta(hours=float(left / running.rate_mg_h))
        if pump_on and given_mg >= planned_mg:
            alerts.append(f"The planned {planned_mg.normalize():f} mg has been given and the pump still runs: stop it.")
        elif due_by is not None and now > due_by:
            alerts.append(f"Running past its planned {planned_minutes} min: check the pump and the bag.")
    elif due_by is not None:
        planned_end = due_by
        if now > due_by and pump_on:
            alerts.append(f"Running past its planned {planned_minutes} min.")
    minutes_left = None if planned_end is None else max(int((planned_end - now).total_seconds() // 60), 0)
    return InfusionClock(planned_end, minutes_left, alerts)


def next_vitals_due(
    *, last_taken: dt.datetime | None, last_had_alert: bool, since: dt.datetime, interval: int, recheck: int
) -> dt.datetime:
    """The next set is due one interval after the last, or ``recheck`` minutes after a set with an alert, whichever
    is sooner (docs/clinical.md §4.1)."""
    last = last_taken or since
    due = last + dt.timedelta(minutes=interval)
    if last_taken is not None and last_had_alert:
        due = min(due, last + dt.timedelta(minutes=recheck))
    return due
