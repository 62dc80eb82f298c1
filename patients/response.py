"""Treatment response from a baseline and a later value: pure functions, no database.

Rules (docs/clinical.md §9):
- A figure is judged only when it is evaluable (§9.1): a baseline, a follow-up on a later day, and a baseline from
  which a response is possible: not in the instrument's normal band (its first band: PHQ-9 0-4, MADRS 0-6, HIT-6
  36-49, MIDAS 0-5, pain 0) and not already in remission. Otherwise the status is "not evaluable", with the reason
  (``NotEvaluable``): a drop from PHQ-9 4 to 2 is not a treatment response.
- Depression: **response** is a drop of at least 50 % from baseline; **remission** is PHQ-9 below 5 (real-world
  ketamine, ORKA-1 [R26]) or MADRS 12 or less (ketamine RCTs [R86]). MADRS ≤10 is also used; ≤12 is the looser of the
  two lines (reached sooner, so more patients count as remitted than under ≤10). It is kept because the cited trials
  use it, and a baseline at or under it is not evaluable.
- Pain (NRS 0-10): IMMPACT [R90]: a drop of at least 30 % is moderate (clinically important), at least 50 %
  substantial; about 2 points is the clinically important difference (Farrar 2001 [R91]).
- Acute headache: a drop of at least 2 points from before to after the infusion makes a responder (Schwenk 2018,
  Pomeroy 2017 [R23, R23b]).
- HIT-6: a drop of at least 5 points. MIDAS: a drop of at least 5 points from a baseline of 11-20, of at least 30 %
  from a baseline above 20; below 11 the rule says nothing (American Headache Society [R98]).
- Monthly migraine days: at least 50 % fewer than at baseline, per 28 days of diary, in months the diary covers
  (§9.5; IHS [R93]). The baseline month is the month before the first infusion's.
Lower is better for every measure here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from patients.diary import MonthSummary
from patients.scoring import INSTRUMENTS

RESPONSE_DROP = Decimal(50)
PAIN_MODERATE_DROP = Decimal(30)
PAIN_SUBSTANTIAL_DROP = Decimal(50)
HEADACHE_POINTS = 2
MMD_RESPONSE_DROP = Decimal(50)
HIT6_RESPONSE_POINTS = 5
MIDAS_POINTS_FROM = 11  # baseline 11-20: a drop of MIDAS_RESPONSE_POINTS
MIDAS_PERCENT_ABOVE = 20  # baseline above 20: a drop of MIDAS_RESPONSE_DROP
MIDAS_RESPONSE_POINTS = 5
MIDAS_RESPONSE_DROP = Decimal(30)
REMISSION_BELOW = {"phq9": 5}  # strictly below
REMISSION_AT_MOST = {"madrs": 12}  # at or below
MIGRAINE_DAYS = "migraine_days"


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
IMPROVED = {Status.REMISSION, Status.RESPONSE, Status.SUBSTANTIAL, Status.MODERATE}


class Reason:
    """Why a figure is not evaluable: codes the cohort report counts by, each with its label."""

    NO_INFUSION = "no_infusion"
    NO_BASELINE = "no_baseline"
    NO_FOLLOW_UP = "no_follow_up"
    BASELINE_NORMAL = "baseline_normal"
    BASELINE_REMISSION = "baseline_remission"
    BASELINE_NO_RULE = "baseline_no_rule"
    BASELINE_MONTH_GAPS = "baseline_month_gaps"
    LATEST_MONTH_GAPS = "latest_month_gaps"


REASON_LABELS = {
    Reason.NO_INFUSION: "no infusion given yet",
    Reason.NO_BASELINE: "no baseline",
    Reason.NO_FOLLOW_UP: "no follow-up after the baseline",
    Reason.BASELINE_NORMAL: "baseline already in the normal range",
    Reason.BASELINE_REMISSION: "baseline already in remission",
    Reason.BASELINE_NO_RULE: "no responder rule for that baseline",
    Reason.BASELINE_MONTH_GAPS: "baseline month's diary missing or too gappy",
    Reason.LATEST_MONTH_GAPS: "latest month's diary too gappy",
}


@dataclass(frozen=True)
class NotEvaluable:
    """A figure that cannot be judged: ``code`` (one of ``Reason``) and the sentence shown to the clinician."""

    code: str
    detail: str

    @property
    def label(self) -> str:
        return REASON_LABELS[self.code]


@dataclass(frozen=True)
class Observation:
    value: int | Decimal
    on: dt.date


@dataclass(frozen=True)
class ResponseStatus:
    measure: str
    baseline: Observation | None
    latest: Observation | None
    status: str
    rule: str
    baseline_note: str = ""
    reason: NotEvaluable | None = None  # set when the status is "not evaluable"
    latest_note: str = ""

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def change(self) -> int | Decimal | None:
        if self.baseline is None or self.latest is None:
            return None
        return self.latest.value - self.baseline.value

    @property
    def change_display(self) -> str:
        """The change with its sign: "-3" for scores, "-5.6" for migraine days per 28 days."""
        change = self.change
        if change is None:
            return ""
        return f"{change:+}" if isinstance(change, int) else f"{change:+.1f}"

    @property
    def percent_change(self) -> Decimal | None:
        if self.baseline is None or self.latest is None:
            return None
        return percent_change(self.baseline.value, self.latest.value)

    @property
    def improved(self) -> bool:
        return self.status in IMPROVED

    @property
    def evaluable(self) -> bool:
        return self.status != Status.NOT_EVALUABLE


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


def in_remission(instrument: str, value: int | Decimal) -> bool:
    if instrument in REMISSION_BELOW:
        return value < REMISSION_BELOW[instrument]
    if instrument in REMISSION_AT_MOST:
        return value <= REMISSION_AT_MOST[instrument]
    return False


REMISSION_TEXT = {"phq9": "PHQ-9 below 5", "madrs": "MADRS 12 or less"}


def baseline_gap(measure: str, value: int | Decimal) -> NotEvaluable | None:
    """Why a response cannot be judged from this baseline, or None when it can (docs/clinical.md §9.1).

    A baseline in the instrument's normal band, or already in remission, has nothing to respond from: PHQ-9 4 → 2
    is not a treatment response. No migraine days at baseline is the same for the diary. A MIDAS baseline of 6-10
    (grade II) has no responder rule [R98]."""
    instrument = INSTRUMENTS.get(measure)
    if instrument is None:
        if measure == MIGRAINE_DAYS and value == 0:
            return NotEvaluable(Reason.BASELINE_NORMAL, "No migraine days in the baseline month: nothing to reduce.")
        return None
    normal = instrument.normal_band
    if normal.low <= value <= normal.high:
        span = f"{normal.low}" if normal.low == normal.high else f"{normal.low}–{normal.high}"
        return NotEvaluable(
            Reason.BASELINE_NORMAL,
            f"Baseline {value} is in the {instrument.name} band “{normal.label}” ({span}): nothing to respond from.",
        )
    if in_remission(measure, value):
        return NotEvaluable(
            Reason.BASELINE_REMISSION,
            f"Baseline {value} already meets remission ({REMISSION_TEXT[measure]}): nothing to respond from.",
        )
    if measure == "midas" and value < MIDAS_POINTS_FROM:
        return NotEvaluable(
            Reason.BASELINE_NO_RULE,
            f"Baseline {value} (grade II): the responder rule starts at a baseline of {MIDAS_POINTS_FROM}.",
        )
    return None


def not_evaluable(measure: str, baseline: Observation | None, latest: Observation | None) -> NotEvaluable | None:
    """Why this baseline and latest cannot be judged, or None: no baseline, a baseline nothing can respond from, or
    no follow-up on a later (clinic-local) day."""
    if baseline is None:
        return NotEvaluable(Reason.NO_BASELINE, "No baseline recorded.")
    gap = baseline_gap(measure, baseline.value)
    if gap is not None:
        return gap
    if latest is None or latest.on <= baseline.on:
        return NotEvaluable(Reason.NO_FOLLOW_UP, "No follow-up on a later day than the baseline yet.")
    return None


def is_responder(measure: str, baseline: int | Decimal, latest: int | Decimal) -> bool:
    """The measure's responder rule, for an evaluable baseline (``baseline_gap`` is None)."""
    if measure == "hit6":
        return baseline - latest >= HIT6_RESPONSE_POINTS
    if measure == "midas":
        if baseline > MIDAS_PERCENT_ABOVE:
            return reduction_at_least(baseline, latest, MIDAS_RESPONSE_DROP)
        return baseline >= MIDAS_POINTS_FROM and baseline - latest >= MIDAS_RESPONSE_POINTS
    if measure == "nrs_pain":
        return reduction_at_least(baseline, latest, PAIN_MODERATE_DROP)
    if measure == MIGRAINE_DAYS:
        return reduction_at_least(baseline, latest, MMD_RESPONSE_DROP)
    return reduction_at_least(baseline, latest, RESPONSE_DROP)  # PHQ-9, MADRS


def measure_status(measure: str, baseline: Observation | None, latest: Observation | None) -> str:
    """The status of a measure with a responder rule (``RULES``): remission outranks response; pain is graded."""
    if not_evaluable(measure, baseline, latest) is not None or baseline is None or latest is None:
        return Status.NOT_EVALUABLE
    if in_remission(measure, latest.value):
        return Status.REMISSION
    if measure == "nrs_pain" and reduction_at_least(baseline.value, latest.value, PAIN_SUBSTANTIAL_DROP):
        return Status.SUBSTANTIAL
    if is_responder(measure, baseline.value, latest.value):
        return Status.MODERATE if measure == "nrs_pain" else Status.RESPONSE
    return Status.NO_RESPONSE


def depression_status(instrument: str, baseline: Observation | None, latest: Observation | None) -> str:
    """PHQ-9 or MADRS: remission, response (≥50 % drop), no response, or not evaluable."""
    return measure_status(instrument, baseline, latest)


def pain_status(baseline: Observation | None, latest: Observation | None) -> str:
    """NRS pain: ≥50 % substantial, ≥30 % moderate (IMMPACT [R90])."""
    return measure_status("nrs_pain", baseline, latest)


def headache_session_response(before: int | None, after: int | None) -> bool | None:
    """One infusion: a drop of at least 2 points (before → after) is an acute responder [R23]; None if unscored."""
    if before is None or after is None:
        return None
    return before - after >= HEADACHE_POINTS


def migraine_days_status(baseline: Observation | None, latest: Observation | None) -> str:
    """Monthly migraine days (per 28 days): ≥50 % fewer than the baseline month is a response."""
    return measure_status(MIGRAINE_DAYS, baseline, latest)


RULES = {
    "phq9": "Response: ≥50 % drop from baseline. Remission: PHQ-9 below 5 (ORKA-1 [R26]).",
    "madrs": "Response: ≥50 % drop from baseline. Remission: MADRS 12 or less [R86].",
    "nrs_pain": "≥30 % drop: moderate, ≥50 %: substantial improvement (IMMPACT [R90]).",
    "hit6": "Response: HIT-6 down ≥5 points (AHS [R98]).",
    "midas": "Response: MIDAS down ≥5 points from a baseline of 11–20, ≥30 % from above 20 (AHS [R98]).",
    MIGRAINE_DAYS: "Response: ≥50 % fewer migraine days per 28 days than the baseline month (IHS [R93]).",
    "session_pain": "Acute response: pain down ≥2 points from before to after the infusion [R23].",
}
MEASURE_NAMES = {MIGRAINE_DAYS: "Monthly migraine days"} | {code: i.name for code, i in INSTRUMENTS.items()}


def questionnaire_status(instrument: str, baseline: Observation | None, latest: Observation | None) -> str | None:
    """The status for instruments that have a responder rule; None for GAD-7, which has change scores only
    (docs/clinical.md §9.1)."""
    if instrument not in RULES:
        return None
    return measure_status(instrument, baseline, latest)


def questionnaire_response(
    instrument: str, baseline: Observation | None, latest: Observation | None, note: str = ""
) -> ResponseStatus | None:
    """A questionnaire's status with its rule and, when it is not evaluable, the reason; None without a rule."""
    status = questionnaire_status(instrument, baseline, latest)
    if status is None:
        return None
    return ResponseStatus(
        INSTRUMENTS[instrument].name,
        baseline,
        latest,
        status,
        RULES[instrument],
        note,
        reason=not_evaluable(instrument, baseline, latest),
    )


def _coverage_gap(code: str, month: MonthSummary, min_percent: int, role: str) -> NotEvaluable:
    return NotEvaluable(
        code,
        f"{month.label} ({role}): diary kept on {month.days_recorded} of {month.days_in_month} days "
        f"({month.coverage_percent} %); at least {min_percent} % is needed.",
    )


def _month_before(day: dt.date) -> tuple[int, int]:
    return (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)


def _month_observation(month: MonthSummary) -> tuple[Observation | None, str]:
    """A diary month as the figure judged (migraine days per 28 days, dated its last day) and how it was counted."""
    per_28 = month.migraine_days_per_28
    if per_28 is None:
        return None, ""
    counted = f"{month.label}: {month.migraine_days} migraine days in {month.days_recorded} days of diary"
    return Observation(per_28, month.last_day), counted


def migraine_days_response(
    months: Sequence[MonthSummary], first_infusion: dt.date | None, *, as_of: dt.date, min_coverage_percent: int
) -> ResponseStatus:
    """Monthly migraine days, baseline against latest, each counted per 28 days of diary (docs/clinical.md §9.5).

    Baseline: the calendar month before the month of the first infusion (the month just before treatment, as the
    trials' baseline is [R93]); latest: the newest diary month after it that is over by ``as_of`` or complete. Each
    must have diary entries on at least ``min_coverage_percent`` % of its days (``PatientSettings``), or the figure
    is not evaluable and says which month fell short: a gappy month understates the migraine days (§10.1)."""
    name, rule = MEASURE_NAMES[MIGRAINE_DAYS], RULES[MIGRAINE_DAYS]

    def result(
        baseline: Observation | None, latest: Observation | None, gap: NotEvaluable | None, notes: tuple[str, str]
    ) -> ResponseStatus:
        gap = gap or not_evaluable(MIGRAINE_DAYS, baseline, latest)
        status = Status.NOT_EVALUABLE if gap else migraine_days_status(baseline, latest)
        return ResponseStatus(name, baseline, latest, status, rule, notes[0], reason=gap, latest_note=notes[1])

    if first_infusion is None:
        return result(None, None, NotEvaluable(Reason.NO_INFUSION, "No infusion given yet."), ("", ""))
    by_month = {(m.year, m.month): m for m in months}
    year, month = _month_before(first_infusion)
    base = by_month.get((year, month))
    if base is None:
        label = dt.date(year, month, 1).strftime("%b %Y")
        gap = NotEvaluable(Reason.BASELINE_MONTH_GAPS, f"No diary for {label}, the month before the first infusion.")
        return result(None, None, gap, ("", ""))
    if not base.covers(min_coverage_percent):
        return result(
            None, None, _coverage_gap(Reason.BASELINE_MONTH_GAPS, base, min_coverage_percent, "baseline"), ("", "")
        )
    baseline, base_note = _month_observation(base)
    base_note += ", the month before the first infusion"
    over = [
        m
        for m in months
        if (m.year, m.month) > (year, month) and ((m.year, m.month) < (as_of.year, as_of.month) or m.complete)
    ]
    if not over:
        gap = NotEvaluable(Reason.NO_FOLLOW_UP, f"No diary month after {base.label} is over yet.")
        return result(baseline, None, gap, (base_note, ""))
    last = max(over, key=lambda m: (m.year, m.month))
    if not last.covers(min_coverage_percent):
        gap = _coverage_gap(Reason.LATEST_MONTH_GAPS, last, min_coverage_percent, "latest")
        return result(baseline, None, gap, (base_note, ""))
    latest, latest_note = _month_observation(last)
    return result(baseline, latest, None, (base_note, latest_note))
