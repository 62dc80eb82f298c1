"""What is recorded is what the pump delivers (issue #16 point 1; infusions/dosing.py, docs/clinical.md §3.1, §3.8).

The nurse programs mL/h rounded to the pump's resolution; every mg figure follows from that programmed rate x the
preparation's concentration. Worked by hand from the issue's examples, then a property over random sessions.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.accounts import roles
from infusions import services
from infusions.dosing import (
    DosingMode,
    better_preparation,
    calculate,
    percent_text,
    rounding_problem,
    to_pump_step,
)
from infusions.models import DrugPreparation, InfusionSettings, Protocol
from tests.factories import TEST_PASSWORD, UserFactory
from tests.infusions.factories import DEPRESSION_PROTOCOL, MIGRAINE_PROTOCOL
from tests.infusions.test_services import GOOD_VITALS, checked_in, earlier
from tests.stock.factories import draw_for


def continuous(weight: str, rate: str, conc: str, step: str = "0.1", minutes: int | None = None):
    return calculate(mode=DosingMode.CONTINUOUS, weight_kg=D(weight), dose_per_kg=D(rate),
                     concentration_mg_ml=D(conc), minutes=minutes, pump_step_ml_h=D(step))  # fmt: skip


def over_40_min(weight: str, dose: str, conc: str):
    return calculate(mode=DosingMode.DOSE_OVER_TIME, weight_kg=D(weight), dose_per_kg=D(dose),
                     concentration_mg_ml=D(conc), minutes=40)  # fmt: skip


# The worked examples --------------------------------------------------------------------------------------


def test_the_mg_per_hour_is_what_the_programmed_ml_per_hour_delivers():
    """72.5 kg x 0.1 mg/kg/h = 7.25 mg/h; at 10 mg/mL that is 0.725 mL/h, programmed 0.7 mL/h = 7.0 mg/h (before:
    7.3 mg/h shown and counted, 4 % more than the pump gave)."""
    calc = continuous("72.5", "0.1", "10")
    assert (calc.prescribed_mg_h, calc.rate_ml_h, calc.rate_mg_h) == (D("7.25"), D("0.7"), D("7.0"))
    assert calc.differs
    assert "pump 0.7 mL/h = 7 mg/h delivered (prescribed 7.25 mg/h, 3.4 % less)" in calc.explanation


def test_an_undiluted_syringe_that_rounds_8_percent_under_is_a_rounding_problem():
    """54.375 mg/h at 100 mg/mL = 0.54375 mL/h -> 0.5 mL/h = 50 mg/h: 8 % less than prescribed."""
    calc = over_40_min("72.5", "0.5", "100")
    assert (calc.rate_ml_h, calc.rate_mg_h) == (D("0.5"), D("50.0"))
    assert "8 % less" in rounding_problem(calc)


def test_a_rate_the_pump_cannot_run_is_named_as_such():
    calc = continuous("40", "0.001", "10")  # 0.04 mg/h = 0.004 mL/h -> 0 mL/h
    assert calc.rate_ml_h == 0
    assert "below the pump's smallest step" in rounding_problem(calc)


# Boundaries ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "step", "expected"),
    [("0.725", "0.1", "0.7"), ("0.75", "0.1", "0.8"), ("12.25", "0.1", "12.3"), ("0.054375", "0.01", "0.05"),
     ("3.24", "0.5", "3.0"), ("3.25", "0.5", "3.5"), ("45.075", "0.1", "45.1")],
)  # fmt: skip
def test_pump_rates_round_half_up_to_the_pump_step(value, step, expected):
    assert to_pump_step(D(value), D(step)) == D(expected)


def test_exactly_the_limit_is_allowed_and_just_over_it_needs_the_check():
    """A pump with 0.95 mL/h steps and 1 mg/mL: 90 kg x 0.1 = 9 mg/h = 9.47 steps -> 9 steps = 8.55 mL/h, exactly 5 %
    less; 90.1 kg: 9.01 mg/h -> still 8.55 mL/h, 5.1 % less."""
    exactly = continuous("90", "0.1", "1", step="0.95")
    assert (exactly.rate_ml_h, exactly.deviation) == (D("8.55"), D("-0.05"))
    assert rounding_problem(exactly, D("0.05")) == ""
    over = continuous("90.1", "0.1", "1", step="0.95")
    assert over.rate_ml_h == D("8.55")
    assert "5.1 % less, more than 5 %" in rounding_problem(over, D("0.05"))


def test_a_small_patient_on_a_strong_syringe_is_flagged():
    """45 kg x 0.1 mg/kg/h = 4.5 mg/h = 0.45 mL/h at 10 mg/mL -> 0.5 mL/h = 5 mg/h: 11.1 % more."""
    assert "11.1 % more" in rounding_problem(continuous("45", "0.1", "10"))


def test_a_better_preparation_is_the_closest_within_the_limit():
    """54.375 mg/h prescribed: 10 mg/mL gives 5.4 mL/h = 54 mg/h (0.7 % less), 1 mg/mL 54.4 mL/h (under 0.1 % more),
    50 mg/mL 1.1 mL/h = 55 mg/h (1.1 % more)."""
    calc = over_40_min("72.5", "0.5", "100")
    candidates = [("10 mg/mL", D(10), D("0.1")), ("1 mg/mL", D(1), D("0.1")), ("50 mg/mL", D(50), D("0.1"))]
    assert better_preparation(calc, candidates).preparation == "1 mg/mL"
    assert better_preparation(calc, candidates[2:]).preparation == "50 mg/mL"
    assert better_preparation(calc, candidates[2:], D("0.01")) is None  # 1.1 % is over a 1 % limit


def test_percent_text():
    assert (percent_text(D("-0.0344")), percent_text(D("0.08")), percent_text(D("0.0004"))) == (
        "3.4 % less",
        "8 % more",
        "under 0.1 % more",
    )


# At the chair ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def nurse(db):
    return UserFactory(username="rn", role=roles.NURSE)


def syringe() -> DrugPreparation:
    return DrugPreparation.objects.get(final_mg_ml=10)


def migraine_dosed(nurse, weight="72.5", prep=None, **second):
    """The rounding rule alone: the usual-rate guard is off and the weight confirmed (each has its own tests)."""
    Protocol.objects.filter(name=MIGRAINE_PROTOCOL).update(usual_rate_ml_h=None)
    session = checked_in(nurse, protocol_name=MIGRAINE_PROTOCOL, ordered_dose="0.1", ordered_max="1.0")
    return services.session_set_dose(session=session, by=nurse, weight_kg=D(weight), preparation=prep or syringe(),
                                     dose_per_kg=D("0.1"), weight_confirmed=True, **second)  # fmt: skip


def test_the_session_records_the_programmed_rate_and_what_it_delivers(nurse):
    session = migraine_dosed(nurse)
    assert (session.start_rate_ml_h, session.start_rate_mg_h, session.prescribed_rate_mg_h) == (
        D("0.7"), D("7.0"), D("7.25"))  # fmt: skip
    services.session_record_vitals(session=session, by=nurse, taken_at=earlier(), **GOOD_VITALS)
    draw_for(session, nurse)
    services.session_start(session=session, by=nurse, at=earlier())
    session = services.session_end_infusion(session=session, by=nurse, at=earlier() + dt.timedelta(hours=2))
    assert session.total_mg == D("14.00")  # 0.7 mL/h x 10 mg/mL x 2 h; before: 7.3 x 2 = 14.6


def test_rounding_beyond_the_limit_needs_a_second_person_and_names_a_better_preparation(nurse):
    with pytest.raises(ValidationError) as refused:
        migraine_dosed(nurse, weight="45")
    message = refused.value.message_dict["second_checker"][0]
    assert "11.1 % more" in message
    assert "Ketamine 1 mg/mL bag from 10 mg/mL vials would give pump 4.5 mL/h = 4.5 mg/h delivered" in message
    witness = UserFactory(username="rn2", role=roles.NURSE)
    session = migraine_dosed(nurse, weight="45", second_checker=witness, second_checker_password=TEST_PASSWORD)
    assert session.second_check_by == witness
    assert "11.1 % more" in session.second_check_reason


def test_the_clinic_tunes_the_rounding_limit(nurse):
    InfusionSettings.objects.filter(pk=1).update(rate_rounding_limit_percent=D(15))
    assert migraine_dosed(nurse, weight="45").second_check_by is None


def test_a_preparation_too_strong_for_the_pump_is_refused(nurse):
    DrugPreparation.objects.filter(final_mg_ml=10).update(pump_step_ml_h=D(1))  # a 1 mL/h pump: 0.3 mL/h -> 0
    with pytest.raises(ValidationError, match="below the pump's smallest step"):
        migraine_dosed(nurse, weight="30")


# The property -------------------------------------------------------------------------------------------------------

STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("titrate"), st.sampled_from([D("0.1"), D("0.2"), D("0.35"), D("0.5"), D("0.8")])),
        st.tuples(st.just("reduce"), st.sampled_from([D("0.5"), D("0.75")])),  # a share of the running mL/h
        st.tuples(st.just("pause"), st.just(D(0))),
        st.tuples(st.just("resume"), st.just(D(0))),
    ),
    max_size=6,
)


@pytest.mark.django_db(transaction=False)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    weight=st.decimals(min_value=D(40), max_value=D(140), places=1),
    protocol_name=st.sampled_from([MIGRAINE_PROTOCOL, DEPRESSION_PROTOCOL]),
    final_mg_ml=st.sampled_from([D("0.5"), D(1), D(2), D(10)]),
    steps=STEPS,
    minutes=st.lists(st.integers(1, 50), min_size=7, max_size=7),
)
def test_total_given_is_the_sum_of_delivered_segments_and_never_more_than_the_bag(
    nurse, weight, protocol_name, final_mg_ml, steps, minutes
):
    """Whatever the weight, protocol, preparation and sequence of titrations, reductions and pauses: the total given
    equals the sum over segments of programmed mL/h x concentration x hours (to 0.01 mg), and a fixed dose never
    counts more than its bag."""
    witness = UserFactory(username=f"rn-{len(steps)}-{minutes[0]}", role=roles.NURSE)
    second = {"second_checker": witness, "second_checker_password": TEST_PASSWORD}
    with transaction.atomic():
        session = checked_in(nurse, protocol_name=protocol_name, ordered_dose="0.5", ordered_max="1.0")
        prep = DrugPreparation.objects.filter(final_mg_ml=final_mg_ml).order_by("id").first()
        try:
            session = services.session_set_dose(session=session, by=nurse, weight_kg=weight, preparation=prep,
                                                 dose_per_kg=D("0.5"), weight_confirmed=True, **second)  # fmt: skip
        except ValidationError:  # a preparation the pump cannot run at this dose: refused, nothing to total
            transaction.set_rollback(True)
            return
        start = earlier()
        services.session_record_vitals(session=session, by=nurse, taken_at=start, **GOOD_VITALS)
        draw_for(session, nurse)
        services.session_start(session=session, by=nurse, at=start)
        at = start
        for (kind, value), gap in zip(steps, minutes, strict=False):
            at += dt.timedelta(minutes=gap)
            try:
                if kind == "titrate":
                    services.session_titrate(session=session, by=nurse, rate_mg_per_kg_h=value, reason="Pain 6/10",
                                             at=at, **second)  # fmt: skip
                elif kind == "reduce":
                    running = session.rate_changes.active().order_by("-at", "-id").first().rate_ml_h
                    lower = to_pump_step(running * value, prep.pump_step_ml_h)
                    services.session_reduce_rate(session=session, by=nurse, reason="Nausea", at=at, rate_ml_h=lower)
                elif kind == "pause":
                    services.session_pause(session=session, by=nurse, reason="Vomiting", at=at)
                else:
                    services.session_resume(session=session, by=nurse, at=at)
            except ValidationError:
                continue  # refused as it should be (titrating a fixed dose, resuming a running pump ...)
        end = at + dt.timedelta(minutes=minutes[-1])
        session = services.session_end_infusion(session=session, by=nurse, at=end)
        changes = list(session.rate_changes.active().order_by("at", "id"))
        expected = sum(
            (change.rate_ml_h * prep.final_mg_ml * D((nxt.at - change.at).total_seconds()) / 3600
             for change, nxt in itertools.pairwise(changes)),
            D(0),
        )  # fmt: skip
        expected = expected.quantize(D("0.01"), rounding=ROUND_HALF_UP)  # the app's rounding (docs/clinical.md §3.1)
        if session.course.protocol.is_continuous:
            assert session.total_mg == expected
        else:
            assert session.total_mg == min(expected, session.planned_dose_mg)
            assert session.total_mg <= session.planned_dose_mg
        for change in changes:
            assert change.rate_mg_h == change.rate_ml_h * prep.final_mg_ml
        transaction.set_rollback(True)
