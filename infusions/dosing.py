"""Ketamine dose and pump-rate arithmetic: pure functions, Decimal in and out.

Formulas (docs/clinical.md §3.1): dose_mg = mg/kg x weight; rate_mg_h = dose_mg / hours; rate_mL_h = rate_mg_h / final
concentration (mg/mL). Continuous protocols give mg/kg/h directly: rate_mg_h = mg/kg/h x weight. The total given is
summed from the rate segments actually run, never typed.

Rounding: mg to 0.01 mg, mL to 0.01 mL, pump rates to 0.1 mL/h (the resolution of common infusion pumps), all
half-up. Rounding happens only on the values shown and stored; intermediate values keep full precision.

Safety rules encoded here:
- Above the clinician's order or the protocol's hard maximum: refused.
- Outside the protocol's usual range: allowed only with a second staff member's confirmation.
- Concentration guard: a computed volume 5x or more away from the clinic's usual volume for the protocol asks for a
  double check; 10-fold errors come from vial mix-ups (950 mg given instead of 95 mg with 100 mg/mL vials,
  docs/clinical.md §3.5 [R60], [R61]; ISMP on custom concentrations [R62]).
- "Low-dose" ceiling: infusion <= 1 mg/kg/h (Pennsylvania low-dose ketamine guideline, 2020 [R18]) is the default hard
  maximum of the continuous protocols seeded in the reference data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MG = Decimal("0.01")
ML = Decimal("0.01")
ML_H = Decimal("0.1")
MG_H = Decimal("0.1")
SIXTY = Decimal(60)
UNUSUAL_VOLUME_FACTOR = Decimal(5)


class DosingMode:
    """How a protocol prescribes: a dose in mg/kg over a set time, or a continuous rate in mg/kg/h."""

    DOSE_OVER_TIME = "dose_over_time"
    CONTINUOUS = "continuous"


def _round(value: Decimal, step: Decimal) -> Decimal:
    return value.quantize(step, rounding=ROUND_HALF_UP)


def _fmt(value: Decimal) -> str:
    """Drop trailing zeros for display: 36.250 -> 36.25, 1.0 -> 1."""
    return f"{value.normalize():f}"


def require_positive(**values: Decimal | int | None) -> None:
    for name, value in values.items():
        if value is None or Decimal(value) <= 0:
            raise ValueError(f"{name} must be greater than zero")


@dataclass(frozen=True)
class DoseCalculation:
    """One calculation, with every input kept so a second nurse can follow it (ui.md)."""

    mode: str
    weight_kg: Decimal
    dose_per_kg: Decimal  # mg/kg (dose over time) or mg/kg/h (continuous)
    concentration_mg_ml: Decimal
    minutes: int | None  # infusion time (dose over time) or planned duration (continuous); None if open-ended
    rate_mg_h_exact: Decimal

    @property
    def dose_mg(self) -> Decimal | None:
        """The total planned dose: mg/kg x kg, or for a continuous rate the planned duration's total."""
        if self.mode == DosingMode.DOSE_OVER_TIME:
            return _round(self.weight_kg * self.dose_per_kg, MG)
        if self.minutes:
            return _round(self.rate_mg_h_exact * Decimal(self.minutes) / SIXTY, MG)
        return None

    @property
    def volume_ml(self) -> Decimal | None:
        if self.dose_mg is None:
            return None
        exact = (self.weight_kg * self.dose_per_kg) if self.mode == DosingMode.DOSE_OVER_TIME else self.dose_mg
        return _round(exact / self.concentration_mg_ml, ML)

    @property
    def rate_mg_h(self) -> Decimal:
        return _round(self.rate_mg_h_exact, MG_H)

    @property
    def rate_ml_h(self) -> Decimal:
        return _round(self.rate_mg_h_exact / self.concentration_mg_ml, ML_H)

    @property
    def explanation(self) -> str:
        """The calculation as a sentence, e.g. 72.5 kg × 0.5 mg/kg = 36.25 mg · at 1 mg/mL = 36.25 mL · ..."""
        conc = f"at {_fmt(self.concentration_mg_ml)} mg/mL"
        if self.mode == DosingMode.DOSE_OVER_TIME:
            return (
                f"{_fmt(self.weight_kg)} kg × {_fmt(self.dose_per_kg)} mg/kg = {_fmt(self.dose_mg)} mg · "
                f"{conc} = {_fmt(self.volume_ml)} mL · over {self.minutes} min = {_fmt(self.rate_ml_h)} mL/h "
                f"({_fmt(self.rate_mg_h)} mg/h)"
            )
        text = (
            f"{_fmt(self.weight_kg)} kg × {_fmt(self.dose_per_kg)} mg/kg/h = {_fmt(self.rate_mg_h)} mg/h · "
            f"{conc} = {_fmt(self.rate_ml_h)} mL/h"
        )
        if self.minutes:
            text += f" · for {self.minutes} min = {_fmt(self.dose_mg)} mg ({_fmt(self.volume_ml)} mL)"
        return text


def calculate(
    *, mode: str, weight_kg: Decimal, dose_per_kg: Decimal, concentration_mg_ml: Decimal, minutes: int | None
) -> DoseCalculation:
    """Dose, volume and pump rate for a weight, a prescribed dose and the chosen preparation's final concentration."""
    require_positive(weight_kg=weight_kg, dose_per_kg=dose_per_kg, concentration_mg_ml=concentration_mg_ml)
    if mode == DosingMode.DOSE_OVER_TIME:
        require_positive(minutes=minutes)
        rate = weight_kg * dose_per_kg * SIXTY / Decimal(minutes)
    elif mode == DosingMode.CONTINUOUS:
        rate = weight_kg * dose_per_kg
    else:
        raise ValueError(f"unknown dosing mode {mode!r}")
    return DoseCalculation(mode, weight_kg, dose_per_kg, concentration_mg_ml, minutes, rate)


@dataclass(frozen=True)
class DoseCheck:
    """Whether a prescribed dose may be given: ``ok``, ``confirm`` (second staff member) or ``refused``."""

    status: str
    message: str = ""

    @property
    def allowed(self) -> bool:
        return self.status != "refused"

    @property
    def needs_second_check(self) -> bool:
        return self.status == "confirm"


def check_dose(
    value: Decimal,
    *,
    unit: str,
    usual_min: Decimal,
    usual_max: Decimal,
    hard_max: Decimal,
    order_max: Decimal | None = None,
) -> DoseCheck:
    """Compare a dose (mg/kg) or rate (mg/kg/h) with the order, the protocol's hard maximum and its usual range.

    The maximum is inclusive: exactly the hard maximum or the order is allowed.
    """
    if value <= 0:
        return DoseCheck("refused", f"The dose must be greater than 0 {unit}.")
    if value > hard_max:
        return DoseCheck("refused", f"{_fmt(value)} {unit} is above the protocol's hard maximum of {_fmt(hard_max)}.")
    if order_max is not None and value > order_max:
        return DoseCheck("refused", f"{_fmt(value)} {unit} is above this patient's order ({_fmt(order_max)} {unit}).")
    if value < usual_min or value > usual_max:
        return DoseCheck(
            "confirm",
            f"{_fmt(value)} {unit} is outside the usual {_fmt(usual_min)}–{_fmt(usual_max)} {unit}: "
            "a second staff member must confirm.",
        )
    return DoseCheck("ok")


def volume_is_unusual(volume_ml: Decimal, usual_ml: Decimal | None) -> bool:
    """True when a computed volume is 5x or more above or below the usual one (the 10-fold-error guard)."""
    if not usual_ml or volume_ml <= 0:
        return False
    ratio = volume_ml / usual_ml
    return ratio >= UNUSUAL_VOLUME_FACTOR or ratio <= 1 / UNUSUAL_VOLUME_FACTOR


@dataclass(frozen=True)
class RateSegment:
    """The pump ran at ``rate_mg_h`` from ``start`` until ``end`` (None: still running, counted up to ``until``)."""

    start: dt.datetime
    end: dt.datetime | None
    rate_mg_h: Decimal


def total_mg(segments: Iterable[RateSegment], *, until: dt.datetime) -> Decimal:
    """Milligrams given: the sum over segments of rate x time, to 0.01 mg. Overlaps are the caller's error."""
    total = Decimal(0)
    for segment in segments:
        end = min(segment.end or until, until)
        if end <= segment.start:
            continue
        hours = Decimal((end - segment.start).total_seconds()) / Decimal(3600)
        total += segment.rate_mg_h * hours
    return _round(total, MG)


def mg_per_kg_h(rate_mg_h: Decimal, weight_kg: Decimal) -> Decimal:
    """A pump rate expressed back in mg/kg/h (to 0.01), for comparing with the low-dose ceiling."""
    require_positive(weight_kg=weight_kg)
    return _round(rate_mg_h / weight_kg, Decimal("0.01"))
