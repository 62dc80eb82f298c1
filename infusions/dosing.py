"""Ketamine dose and pump-rate arithmetic: pure functions, Decimal in and out.

Formulas (docs/clinical.md §3.1): the prescribed rate is dose_mg / hours (dose_mg = mg/kg x weight), or for a
continuous protocol mg/kg/h x weight. The nurse programs the pump in mL/h: the prescribed rate / final concentration,
rounded to the pump's resolution (a property of the preparation, default 0.1 mL/h). That programmed mL/h is what runs,
so every mg figure that follows is computed from it: delivered mg/h = programmed mL/h x concentration, and the total
given is summed from the delivered rate of each segment actually run, never typed (docs/clinical.md §3.1, §3.8).

When the rounding moves the delivered rate more than the clinic's limit (default 5 %) away from the prescription, the
dose needs the same second check as an out-of-range dose, and a preparation that fits better is named
(``rounding_problem``, ``better_preparation``).

Rounding: mg to 0.01 mg and mL to 0.01 mL, half-up, on the values shown; the pump rate to its resolution, half-up.
Delivered mg/h are exact products (no rounding), so totals stay exact.

Safety rules encoded here:
- Above the clinician's order or the protocol's hard maximum: refused.
- Outside the protocol's usual range: allowed only with a second staff member's confirmation.
- Concentration guard: a computed volume 5x or more away from the clinic's usual volume for the protocol asks for a
  double check; 10-fold errors come from vial mix-ups (950 mg given instead of 95 mg with 100 mg/mL vials,
  docs/clinical.md §3.5 [R60], [R61]; ISMP on custom concentrations [R62]).
- "Low-dose" ceiling: infusion <= 1 mg/kg/h (Pennsylvania low-dose ketamine guideline, 2020 [R18]); the seeded
  continuous protocols use it as the top of their usual range (docs/clinical.md §3.3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Generic, TypeVar

from clinic.formatting import trim_decimal as _fmt  # the chart's own rule for dropping trailing zeros

MG = Decimal("0.01")
ML = Decimal("0.01")
PUMP_STEP_ML_H = Decimal("0.1")  # the default pump resolution
RATE_ROUNDING_LIMIT = Decimal("0.05")  # default; the clinic tunes InfusionSettings.rate_rounding_limit_percent
SIXTY = Decimal(60)
MICROSECONDS_PER_HOUR = Decimal(3_600_000_000)
UNUSUAL_VOLUME_FACTOR = Decimal(5)


class DosingMode:
    """How a protocol prescribes: a dose in mg/kg over a set time, or a continuous rate in mg/kg/h."""

    DOSE_OVER_TIME = "dose_over_time"
    CONTINUOUS = "continuous"


def _round(value: Decimal, step: Decimal) -> Decimal:
    return value.quantize(step, rounding=ROUND_HALF_UP)


def to_pump_step(value: Decimal, step: Decimal = PUMP_STEP_ML_H) -> Decimal:
    """``value`` rounded half-up to a multiple of ``step`` (a pump's resolution: 0.1, 0.01, 0.5 mL/h ...)."""
    require_positive(step=step)
    return ((value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step).quantize(step)


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
    rate_mg_h_exact: Decimal  # the prescribed rate, unrounded
    pump_step_ml_h: Decimal = PUMP_STEP_ML_H

    @property
    def prescribed_mg_h(self) -> Decimal:
        return self.rate_mg_h_exact

    @property
    def rate_ml_h(self) -> Decimal:
        """What the nurse programs: the prescribed rate in mL/h, rounded to the pump's resolution."""
        return to_pump_step(self.rate_mg_h_exact / self.concentration_mg_ml, self.pump_step_ml_h)

    @property
    def rate_mg_h(self) -> Decimal:
        """What the pump delivers at the programmed rate (exact, not rounded)."""
        return self.rate_ml_h * self.concentration_mg_ml

    @property
    def deviation(self) -> Decimal:
        """Delivered minus prescribed, as a share of the prescribed rate (-0.034 = 3.4 % less)."""
        return (self.rate_mg_h - self.rate_mg_h_exact) / self.rate_mg_h_exact

    @property
    def dose_mg(self) -> Decimal | None:
        """The planned dose: mg/kg x kg (the bag), or for a continuous rate the delivered rate over the planned time."""
        if self.mode == DosingMode.DOSE_OVER_TIME:
            return _round(self.weight_kg * self.dose_per_kg, MG)
        if self.minutes:
            return _round(self.rate_mg_h * Decimal(self.minutes) / SIXTY, MG)
        return None

    @property
    def volume_ml(self) -> Decimal | None:
        """The bag's volume (dose over time), or what the pump runs over the planned duration (continuous)."""
        if self.mode == DosingMode.DOSE_OVER_TIME:
            return _round(self.weight_kg * self.dose_per_kg / self.concentration_mg_ml, ML)
        if self.minutes:
            return _round(self.rate_ml_h * Decimal(self.minutes) / SIXTY, ML)
        return None

    @property
    def differs(self) -> bool:
        """True when the programmed rate delivers other than the prescribed mg/h (shown side by side then)."""
        return _round(self.rate_mg_h, MG) != _round(self.rate_mg_h_exact, MG)

    @property
    def rate_text(self) -> str:
        """The pump line: "pump 0.7 mL/h = 7 mg/h delivered (prescribed 7.25 mg/h, 3.4 % less)"."""
        text = f"pump {_fmt(self.rate_ml_h)} mL/h = {_fmt(_round(self.rate_mg_h, MG))} mg/h delivered"
        if self.differs:
            text += f" (prescribed {_fmt(_round(self.rate_mg_h_exact, MG))} mg/h, {percent_text(self.deviation)})"
        return text

    @property
    def explanation(self) -> str:
        """The calculation as a sentence, e.g. 72.5 kg × 0.5 mg/kg = 36.25 mg · at 1 mg/mL = 36.25 mL · ..."""
        conc = f"at {_fmt(self.concentration_mg_ml)} mg/mL"
        dose_mg, volume_ml = self.dose_mg, self.volume_ml  # both set for a dose over time or a planned duration
        if self.mode == DosingMode.DOSE_OVER_TIME and dose_mg is not None and volume_ml is not None:
            return (
                f"{_fmt(self.weight_kg)} kg × {_fmt(self.dose_per_kg)} mg/kg = {_fmt(dose_mg)} mg · "
                f"{conc} = {_fmt(volume_ml)} mL · over {self.minutes} min · {self.rate_text}"
            )
        text = (
            f"{_fmt(self.weight_kg)} kg × {_fmt(self.dose_per_kg)} mg/kg/h = "
            f"{_fmt(_round(self.rate_mg_h_exact, MG))} mg/h · {conc} · {self.rate_text}"
        )
        if self.minutes and dose_mg is not None and volume_ml is not None:
            text += f" · for {self.minutes} min = {_fmt(dose_mg)} mg ({_fmt(volume_ml)} mL)"
        return text


def percent_text(share: Decimal) -> str:
    """-0.0345 -> "3.4 % less", 0.08 -> "8 % more"."""
    words = "less" if share < 0 else "more"
    shown = _round(abs(share) * 100, Decimal("0.1"))
    return f"{_fmt(shown)} % {words}" if shown else f"under 0.1 % {words}"


def calculate(
    *,
    mode: str,
    weight_kg: Decimal,
    dose_per_kg: Decimal,
    concentration_mg_ml: Decimal,
    minutes: int | None,
    pump_step_ml_h: Decimal = PUMP_STEP_ML_H,
) -> DoseCalculation:
    """Dose, volume and pump rate for a weight, a prescribed dose and the chosen preparation's final concentration."""
    require_positive(weight_kg=weight_kg, dose_per_kg=dose_per_kg, concentration_mg_ml=concentration_mg_ml)
    if mode == DosingMode.DOSE_OVER_TIME:
        if minutes is None:
            raise ValueError("minutes must be greater than zero")
        require_positive(minutes=minutes)
        rate = weight_kg * dose_per_kg * SIXTY / Decimal(minutes)
    elif mode == DosingMode.CONTINUOUS:
        rate = weight_kg * dose_per_kg
    else:
        raise ValueError(f"unknown dosing mode {mode!r}")
    return DoseCalculation(mode, weight_kg, dose_per_kg, concentration_mg_ml, minutes, rate, pump_step_ml_h)


def rounding_problem(calc: DoseCalculation, limit: Decimal = RATE_ROUNDING_LIMIT) -> str:
    """A sentence when the pump's rounding moves the delivered rate more than ``limit`` (a share) from the
    prescription, or when the pump cannot run this slowly at all; empty otherwise. The limit itself is allowed."""
    if calc.rate_ml_h <= 0:
        return (
            f"The prescribed {_fmt(_round(calc.rate_mg_h_exact, MG))} mg/h is below the pump's smallest step "
            f"({_fmt(calc.pump_step_ml_h)} mL/h) at {_fmt(calc.concentration_mg_ml)} mg/mL: use a weaker preparation."
        )
    if abs(calc.deviation) <= limit:
        return ""
    return (
        f"At {_fmt(calc.concentration_mg_ml)} mg/mL the pump's {_fmt(calc.pump_step_ml_h)} mL/h steps give "
        f"{_fmt(_round(calc.rate_mg_h, MG))} mg/h instead of the prescribed {_fmt(_round(calc.rate_mg_h_exact, MG))} "
        f"mg/h ({percent_text(calc.deviation)}, more than {_fmt(limit * 100)} %)."
    )


P = TypeVar("P")  # a preparation: the dosing rules read only its concentration and pump step, passed alongside


@dataclass(frozen=True)
class PreparationFit(Generic[P]):
    """A preparation (anything with a name, a final concentration and a pump step) and how well it fits a dose."""

    preparation: P
    calculation: DoseCalculation


def better_preparation(
    calc: DoseCalculation, candidates: Iterable[tuple[P, Decimal, Decimal]], limit: Decimal = RATE_ROUNDING_LIMIT
) -> PreparationFit[P] | None:
    """Among ``candidates`` (preparation, final mg/mL, pump step), the one whose rounding comes closest to the
    prescription within ``limit``, preferring the stronger (less volume) on a tie; None if none fits."""
    fits = []
    for preparation, concentration, step in candidates:
        other = calculate(mode=calc.mode, weight_kg=calc.weight_kg, dose_per_kg=calc.dose_per_kg,
                          concentration_mg_ml=concentration, minutes=calc.minutes, pump_step_ml_h=step)  # fmt: skip
        if other.rate_ml_h > 0 and abs(other.deviation) <= limit:
            fits.append((abs(other.deviation), -concentration, PreparationFit(preparation, other)))
    if not fits:
        return None
    return min(fits, key=lambda fit: fit[:2])[2]


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


def rate_segments(changes: list[Any], end: dt.datetime | None) -> list[RateSegment]:
    """The pump's segments from its rate changes in time order (anything with ``at`` and ``rate_mg_h``): each runs
    until the next change, the last until ``end`` (None: still running)."""
    ends = [change.at for change in changes[1:]] + [end] if changes else []
    return [RateSegment(change.at, until, change.rate_mg_h) for change, until in zip(changes, ends, strict=True)]


def total_mg(segments: Iterable[RateSegment], *, until: dt.datetime) -> Decimal:
    """Milligrams given: the sum over segments of the delivered rate x time, to 0.01 mg (paused segments run at 0).
    Overlaps are the caller's error."""
    total = Decimal(0)
    for segment in segments:
        end = min(segment.end or until, until)
        if end <= segment.start:
            continue
        # Multiply before dividing, in whole microseconds: rate x time stays exact until the one division, so a
        # total of exactly 4.625 mg rounds to 4.63 (a float or a divided-first hour loses the half).
        micro = Decimal((end - segment.start) // dt.timedelta(microseconds=1))
        total += segment.rate_mg_h * micro / MICROSECONDS_PER_HOUR
    return _round(total, MG)


LB_PER_KG = Decimal("2.20462")
WEIGHT_CHANGE_LIMIT = Decimal("0.10")  # default; the clinic tunes InfusionSettings.weight_change_limit_percent
UNIT_MIX_UP = (Decimal("2.0"), Decimal("2.4"))  # a ratio this close to 2.2 reads as pounds typed as kilograms


def weight_change_problem(
    weight_kg: Decimal, last_kg: Decimal | None, limit: Decimal = WEIGHT_CHANGE_LIMIT, *, last_when: str = ""
) -> str:
    """A sentence when today's weight needs an explicit confirmation before it doses anything
    (docs/clinical.md §3.7): a ratio to the last recorded weight near 2.2 either way (pounds typed as kilograms, or
    kilograms as pounds), or a change of more than ``limit`` (a share; the limit itself is allowed). Empty when no
    weight is on record or the change is within the limit."""
    if not last_kg:
        return ""
    since = f" ({_fmt(last_kg)} kg{', ' + last_when if last_when else ''})"
    ratio = weight_kg / last_kg
    low, high = UNIT_MIX_UP
    if low <= ratio <= high:
        return (f"{_fmt(weight_kg)} kg is about 2.2 times the last weight{since}: was it weighed in pounds? "
                f"{_fmt(weight_kg)} lb is {_fmt(_round(weight_kg / LB_PER_KG, Decimal('0.1')))} kg.")  # fmt: skip
    if low <= 1 / ratio <= high:
        return f"{_fmt(weight_kg)} kg is about 2.2 times less than the last weight{since}: was it typed in kilograms?"
    change = (weight_kg - last_kg) / last_kg
    if abs(change) <= limit:
        return ""
    return (f"{_fmt(weight_kg)} kg is {percent_text(change)} than the last weight{since}, beyond "
            f"{_fmt(limit * 100)} %: weigh again.")  # fmt: skip


def mg_per_kg_h(rate_mg_h: Decimal, weight_kg: Decimal) -> Decimal:
    """A pump rate expressed back in mg/kg/h (to 0.01), for comparing with the low-dose ceiling."""
    require_positive(weight_kg=weight_kg)
    return _round(rate_mg_h / weight_kg, Decimal("0.01"))
