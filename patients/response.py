"""Treatment response from a baseline and a later value: pure functions, no database.

Rules (docs/clinical.md §9):
- Depression: **response** is a drop of at least 50 % from baseline; **remission** is PHQ-9 below 5 (real-world
  ketamine, ORKA-1 [R26]) or MADRS 12 or less (ketamine RCTs [R86]; ≤10 is also used, marked ❓ there, so the
  stricter-to-reach ≤12 of the cited trials is used here).
- Pain (NRS 0-10): IMMPACT [R90]: a drop of at least 30 % is moderate (clinically important), at least 50 %
  substantial; about 2 points is the clinically important difference (Farrar 2001 [R91]).
- Acute headache: a drop of at least 2 points from before to after the infusion makes a responder (Schwenk 2018,
  Pomeroy 2017 [R23, R23b]).
- Monthly migraine days: at least 50 % fewer than at baseline. docs/clinical.md §9.5: the exact IHS wording is
  ❓; 50 % is the primary responder threshold of the IHS guidelines for controlled trials of preventive treatment
  of chronic migraine (Tassorelli 2018 [R93]), used here.
Lower is better for every measure here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

RESPONSE_DROP = Decimal(50)
PAIN_MODERATE_DROP = Decimal(30)
PAIN_SUBSTANTIAL_DROP = Decimal(50)
HEADACHE_POINTS = 2
MMD_RESPONSE_DROP = Decimal(50)
REMISSION_BELOW = {"phq9": 5}  # strictly below
REMISSION_AT_MOST = {"madrs": 12}  # at or below


class Status:
    REMISSION = "remission"
    RESPONSE = "response"
    SUBSTANTIAL = "substantial"  # pain ≥50 %
    MODERATE = "moderate"  # pain ≥30 %
    NO_RESPONSE = "no_response"
    NOT_EVALUABLE = "not_evaluable"


STATUS_LABELS = {
    Status.REMISSION: "Remission",
    Status.RESPONSE: "Response",
    Status.SUBSTANTIAL: "Substantial improvement (≥50 %)",
    Status.MODERATE: "Moderate improvement (≥30 %)",
    Status.NO_RESPONSE: "No response yet",
    Status.NOT_EVALUABLE: "Not evaluable",
}


@dataclass(frozen=True)
class Observation:
    value: int
    on: dt.date


@dataclass(frozen=True)
class ResponseStatus:
    measure: str
    baseline: Observation | None
    latest: Observation | None
    status: str
    rule: str
    baseline_note: str = ""

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def change(self) -> int | None:
        if self.baseline is None or self.latest is None:
            return None
        return self.latest.value - self.baseline.value

    @property
    def percent_change(self) -> Decimal | None:
        if self.baseline is None or self.latest is None:
            return None
        return percent_change(self.baseline.value, self.latest.value)

    @property
    def improved(self) -> bool:
        return self.status in {Status.REMISSION, Status.RESPONSE, Status.SUBSTANTIAL, Status.MODERATE}


def percent_change(baseline: int | Decimal, latest: int | Decimal) -> Decimal | None:
    """Change from baseline in percent, rounded to one decimal (negative is a drop). None when baseline is 0."""
    if baseline == 0:
        return None
    change = (Decimal(latest) - Decimal(baseline)) * 100 / Decimal(baseline)
    return change.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def reduction_at_least(baseline: int | Decimal, latest: int | Decimal, percent: Decimal) -> bool:
    """Latest is at least ``percent`` below baseline (exact arithmetic, no rounding: 18 → 9 is exactly 50 %)."""
    if baseline <= 0:
        return False
    return (Decimal(baseline) - Decimal(latest)) * 100 >= percent * Decimal(baseline)


def in_remission(instrument: str, value: int) -> bool:
    if instrument in REMISSION_BELOW:
        return value < REMISSION_BELOW[instrument]
    if instrument in REMISSION_AT_MOST:
        return value <= REMISSION_AT_MOST[instrument]
    return False


def depression_status(instrument: str, baseline: Observation | None, latest: Observation | None) -> str:
    """PHQ-9 or MADRS: remission, response (≥50 % drop), no response, or not evaluable (no follow-up yet).

    Remission is judged on the latest score alone only once there is a follow-up after the baseline, and counts
    only when the patient started above the remission line (a baseline in remission is not a treatment effect)."""
    if baseline is None or latest is None or latest.on <= baseline.on:
        return Status.NOT_EVALUABLE
    if in_remission(instrument, latest.value) and not in_remission(instrument, baseline.value):
        return Status.REMISSION
    if reduction_at_least(baseline.value, latest.value, RESPONSE_DROP):
        return Status.RESPONSE
    return Status.NO_RESPONSE


def pain_status(baseline: Observation | None, latest: Observation | None) -> str:
    """NRS pain: ≥50 % substantial, ≥30 % moderate (IMMPACT [R90])."""
    if baseline is None or latest is None or latest.on <= baseline.on or baseline.value == 0:
        return Status.NOT_EVALUABLE
    if reduction_at_least(baseline.value, latest.value, PAIN_SUBSTANTIAL_DROP):
        return Status.SUBSTANTIAL
    if reduction_at_least(baseline.value, latest.value, PAIN_MODERATE_DROP):
        return Status.MODERATE
    return Status.NO_RESPONSE


def headache_session_response(before: int | None, after: int | None) -> bool | None:
    """One infusion: a drop of at least 2 points (before → after) is an acute responder [R23]; None if unscored."""
    if before is None or after is None:
        return None
    return before - after >= HEADACHE_POINTS


def migraine_days_status(baseline: Observation | None, latest: Observation | None) -> str:
    """Monthly migraine days: ≥50 % fewer than the baseline month is a response."""
    if baseline is None or latest is None or latest.on <= baseline.on or baseline.value == 0:
        return Status.NOT_EVALUABLE
    if reduction_at_least(baseline.value, latest.value, MMD_RESPONSE_DROP):
        return Status.RESPONSE
    return Status.NO_RESPONSE


RULES = {
    "phq9": "Response: ≥50 % drop from baseline. Remission: PHQ-9 below 5 (ORKA-1 [R26]).",
    "madrs": "Response: ≥50 % drop from baseline. Remission: MADRS 12 or less [R86].",
    "nrs_pain": "≥30 % drop: moderate, ≥50 %: substantial improvement (IMMPACT [R90]).",
    "migraine_days": "Response: ≥50 % fewer monthly migraine days than the baseline month (IHS [R93]).",
    "session_pain": "Acute response: pain down ≥2 points from before to after the infusion [R23].",
}


def questionnaire_status(instrument: str, baseline: Observation | None, latest: Observation | None) -> str | None:
    """The status for instruments that have a responder rule in the reference; None for the others (GAD-7,
    HIT-6, MIDAS have change scores only: docs/clinical.md §9.1 gives no responder rule)."""
    if instrument in ("phq9", "madrs"):
        return depression_status(instrument, baseline, latest)
    if instrument == "nrs_pain":
        return pain_status(baseline, latest)
    return None
