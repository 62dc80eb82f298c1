"""Discharge reads the recorded vitals (docs/clinical.md §5.1, §5.4): pure rules, no database.

- The modified PADSS vital-signs item is computed, never typed: the largest change of blood pressure (systolic or
  diastolic) or pulse between the baseline and the last set, as a share of the baseline: within 20 % scores 2, more
  than 20 % up to 40 % scores 1, more than 40 % scores 0 (Chung 1995 [R33]).
- Discharge is blocked while the last set has an alert, or when the last set is older than the protocol's vitals
  interval; a clinician may override with a written reason (``session_override_discharge``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from infusions.vitals import VitalsReading

WITHIN = Decimal("0.20")
FURTHER = Decimal("0.40")
MEASURES = (("systolic", "systolic"), ("diastolic", "diastolic"), ("heart_rate", "pulse"))


@dataclass(frozen=True)
class VitalSignsItem:
    """The PADSS vital-signs item and the change it was scored from, as a sentence for the chart."""

    score: int
    change: Decimal  # the largest relative change, 0.25 = 25 %
    explanation: str


def padss_vital_signs(last: VitalsReading, baseline: VitalsReading) -> VitalSignsItem:
    """Score the vital-signs item from the last set against the baseline. Measures missing from either are skipped;
    with none to compare, the item scores 0 (the patient cannot be judged stable on nothing)."""
    changes = []
    for field, word in MEASURES:
        before, now = getattr(baseline, field), getattr(last, field)
        if before and now is not None:
            changes.append((Decimal(abs(now - before)) / Decimal(before), word, before, now))
    if not changes:
        return VitalSignsItem(0, Decimal(0), "No vitals to compare with the baseline: record a set.")
    change, word, before, now = max(changes, key=lambda item: item[0])
    score = 2 if change <= WITHIN else 1 if change <= FURTHER else 0
    percent = (change * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return VitalSignsItem(score, change, f"{score}: largest change {word} {before} → {now} ({percent} % of baseline)")


@dataclass(frozen=True)
class VitalsProblems:
    """Why the recorded vitals do not allow discharge yet: the last set's open alerts (their messages) and, when the
    last set is missing or out of date, that sentence. False when neither: the vitals allow discharge."""

    alerts: tuple[str, ...] = ()
    recency: str = ""

    def __bool__(self) -> bool:
        return bool(self.alerts or self.recency)

    @property
    def sentences(self) -> list[str]:
        """Each problem as the chart lists it."""
        return [f"Open vitals alert: {alert}" for alert in self.alerts] + ([self.recency] if self.recency else [])

    @property
    def summary(self) -> str:
        """One sentence for the discharge form (the chart lists each problem above it)."""
        count = len(self.alerts)
        reasons = [f"{count} open vitals alert{'s' if count > 1 else ''}"] if count else []
        reasons += [self.recency.rstrip(".")] if self.recency else []
        return f"Not yet: {'; '.join(reasons)}. Record a set in range, or a clinician overrides with a reason."


def discharge_vitals_problems(
    *, latest_alerts: list[dict[str, Any]], latest_taken_at: dt.datetime | None, now: dt.datetime, interval_minutes: int
) -> VitalsProblems:
    """Why the recorded vitals do not allow discharge yet (falsy: they do). The interval itself is allowed."""
    alerts = tuple(alert["message"] for alert in latest_alerts)
    if latest_taken_at is None:
        return VitalsProblems(alerts, "No vitals recorded: record a set before discharge.")
    if now - latest_taken_at > dt.timedelta(minutes=interval_minutes):
        minutes = int((now - latest_taken_at).total_seconds() // 60)
        return VitalsProblems(alerts, f"The last vitals are {minutes} min old (more than {interval_minutes} min): "
                                      "record a new set.")  # fmt: skip
    return VitalsProblems(alerts)
