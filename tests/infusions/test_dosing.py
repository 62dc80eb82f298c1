"""Dose and pump-rate arithmetic against hand-worked examples (infusions/dosing.py, docs/clinical.md §3.1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from infusions.dosing import DosingMode, RateSegment, calculate, check_dose, mg_per_kg_h, total_mg, volume_is_unusual


def over_40_min(weight: str, mg_per_kg: str, conc: str):
    return calculate(
        mode=DosingMode.DOSE_OVER_TIME,
        weight_kg=D(weight),
        dose_per_kg=D(mg_per_kg),
        concentration_mg_ml=D(conc),
        minutes=40,
    )


def test_depression_standard_dose_worked_example():
    """0.5 mg/kg over 40 min (Fava 2018 [R21]); 72.5 kg at 1 mg/mL, worked by hand:
    72.5 x 0.5 = 36.25 mg; 36.25 mg / 1 mg/mL = 36.25 mL; 36.25 mL / (40/60 h) = 54.375 -> 54.4 mL/h."""
    calc = over_40_min("72.5", "0.5", "1")
    assert (calc.dose_mg, calc.volume_ml, calc.rate_ml_h, calc.rate_mg_h) == (
        D("36.25"),
        D("36.25"),
        D("54.4"),
        D("54.4"),
    )
    assert calc.explanation == (
        "72.5 kg × 0.5 mg/kg = 36.25 mg · at 1 mg/mL = 36.25 mL · over 40 min · pump 54.4 mL/h = 54.4 mg/h "
        "delivered (prescribed 54.38 mg/h, under 0.1 % more)"
    )


@pytest.mark.parametrize(
    ("conc", "volume_ml", "rate_ml_h"),
    [
        # Same 36.25 mg over 40 min (54.375 mg/h) for each preparation:
        ("1", "36.25", "54.4"),  # 1 mg/mL bag: 54.375 mL/h
        ("2", "18.13", "27.2"),  # 18.125 mL -> 18.13; 27.1875 -> 27.2
        ("10", "3.63", "5.4"),  # undiluted 10 mg/mL: 3.625 -> 3.63; 5.4375 -> 5.4
        ("50", "0.73", "1.1"),  # undiluted 50 mg/mL: 0.725 -> 0.73; 1.0875 -> 1.1
        ("100", "0.36", "0.5"),  # undiluted 100 mg/mL: 0.3625 -> 0.36; 0.54375 -> 0.5
    ],
)
def test_volume_and_pump_rate_for_each_preparation(conc, volume_ml, rate_ml_h):
    calc = over_40_min("72.5", "0.5", conc)
    assert calc.dose_mg == D("36.25")
    assert (calc.volume_ml, calc.rate_ml_h) == (D(volume_ml), D(rate_ml_h))


def test_continuous_migraine_start_rate():
    """Refractory migraine: start 0.1 mg/kg/h (Lauritsen 2016 [R25]); 80 kg -> 8 mg/h -> 8.0 mL/h at 1 mg/mL."""
    calc = calculate(
        mode=DosingMode.CONTINUOUS, weight_kg=D("80"), dose_per_kg=D("0.1"), concentration_mg_ml=D("1"), minutes=None
    )
    assert (calc.rate_mg_h, calc.rate_ml_h, calc.dose_mg) == (D("8.0"), D("8.0"), None)
    assert calc.explanation == "80 kg × 0.1 mg/kg/h = 8 mg/h · at 1 mg/mL · pump 8 mL/h = 8 mg/h delivered"


def test_continuous_crps_four_hours():
    """CRPS 0.35 mg/kg/h x 4 h ([R15b]); 70 kg -> 24.5 mg/h prescribed; at 2 mg/mL 12.25 -> 12.3 mL/h programmed,
    which delivers 12.3 x 2 = 24.6 mg/h: over 240 min 98.4 mg in 49.2 mL (the pump's figures, not the order's)."""
    calc = calculate(
        mode=DosingMode.CONTINUOUS, weight_kg=D("70"), dose_per_kg=D("0.35"), concentration_mg_ml=D("2"), minutes=240
    )
    assert (calc.prescribed_mg_h, calc.rate_ml_h, calc.rate_mg_h, calc.dose_mg, calc.volume_ml) == (
        D("24.5"),
        D("12.3"),
        D("24.6"),
        D("98.40"),
        D("49.20"),
    )


def test_rounding_is_half_up_at_the_pump_resolution():
    """60 kg x 0.5 mg/kg over 40 min at 1 mg/mL = 45 mL/h exactly; 60.1 kg -> 45.075 -> 45.1."""
    assert over_40_min("60", "0.5", "1").rate_ml_h == D("45.0")
    assert over_40_min("60.1", "0.5", "1").rate_ml_h == D("45.1")


@pytest.mark.parametrize("bad", [{"weight_kg": D(0)}, {"dose_per_kg": D("-0.5")}, {"concentration_mg_ml": D(0)}])
def test_non_positive_inputs_are_refused(bad):
    args = {"weight_kg": D(70), "dose_per_kg": D("0.5"), "concentration_mg_ml": D(1), **bad}
    with pytest.raises(ValueError, match="greater than zero"):
        calculate(mode=DosingMode.DOSE_OVER_TIME, minutes=40, **args)


def test_dose_over_time_needs_minutes():
    with pytest.raises(ValueError, match="minutes"):
        calculate(
            mode=DosingMode.DOSE_OVER_TIME, weight_kg=D(70), dose_per_kg=D("0.5"), concentration_mg_ml=D(1), minutes=0
        )


DEPRESSION = {"unit": "mg/kg", "usual_min": D("0.1"), "usual_max": D("1.0"), "hard_max": D("1.5")}


@pytest.mark.parametrize(
    ("dose", "order_max", "status"),
    [
        ("0.5", None, "ok"),
        ("0.1", None, "ok"),  # usual range is inclusive
        ("1.0", None, "ok"),
        ("0.05", None, "confirm"),
        ("1.1", None, "confirm"),
        ("1.5", None, "confirm"),  # at the hard maximum: allowed, with a second check (outside usual)
        ("1.51", None, "refused"),
        ("0.75", "0.7", "refused"),  # above this patient's order
        ("0.7", "0.7", "ok"),
        ("0", None, "refused"),
    ],
)
def test_check_dose(dose, order_max, status):
    result = check_dose(D(dose), order_max=D(order_max) if order_max else None, **DEPRESSION)
    assert result.status == status


def test_refusals_and_confirmations_explain_themselves():
    assert check_dose(D("2"), **DEPRESSION).message == "2 mg/kg is above the protocol's hard maximum of 1.5."
    assert check_dose(D("0.8"), order_max=D("0.6"), **DEPRESSION).message == (
        "0.8 mg/kg is above this patient's order (0.6 mg/kg)."
    )
    assert "a second staff member must confirm" in check_dose(D("1.2"), **DEPRESSION).message


@pytest.mark.parametrize(
    ("volume", "usual", "unusual"),
    [("36", "36", False), ("180", "36", True), ("179", "36", False), ("7.2", "36", True), ("7.3", "36", False)],
)
def test_tenfold_error_guard_flags_volumes_five_times_off(volume, usual, unusual):
    assert volume_is_unusual(D(volume), D(usual)) is unusual


def test_no_usual_volume_means_no_guard():
    assert volume_is_unusual(D("999"), None) is False


T0 = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)


def test_total_is_summed_from_rate_segments():
    """8 mg/h for 3 h, then 16 mg/h for 1.5 h, then stopped: 24 + 24 = 48 mg."""
    segments = [
        RateSegment(T0, T0 + dt.timedelta(hours=3), D(8)),
        RateSegment(T0 + dt.timedelta(hours=3), T0 + dt.timedelta(hours=4.5), D(16)),
    ]
    assert total_mg(segments, until=T0 + dt.timedelta(hours=6)) == D("48.00")


def test_running_segment_counts_up_to_now():
    """54.4 mg/h running for 20 minutes: 18.13 mg so far."""
    assert total_mg([RateSegment(T0, None, D("54.4"))], until=T0 + dt.timedelta(minutes=20)) == D("18.13")


def test_rate_back_in_mg_per_kg_per_hour():
    assert mg_per_kg_h(D("65.2"), D("85.8")) == D("0.76")  # Schwenk 2018 mean max 65.2 mg/h ~ 0.76 mg/kg/h [R23]
