"""Side-effect rules: grade and seriousness are independent but consistent; report due dates (side_effects/rules.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from side_effects.rules import (
    CRITERIA_NEED_SERIOUS,
    GRADE_5_IS_DEATH,
    IND,
    IRB,
    MANUFACTURER,
    MEDWATCH,
    REMS,
    SERIOUS_NEEDS_CRITERIA,
    report_due,
    seriousness_problems,
)

AWARE = dt.date(2026, 11, 2)


@pytest.mark.parametrize(
    ("grade", "serious", "criteria"),
    [
        (3, False, []),  # severe but not serious: a grade 3 headache
        (2, True, ["hospitalisation"]),  # moderate yet serious: admitted for observation
        (1, True, ["important_medical_event"]),
        (4, True, ["life_threatening"]),
        (5, True, ["death"]),
    ],
)
def test_grade_and_seriousness_are_independent(grade, serious, criteria):
    assert seriousness_problems(grade=grade, serious=serious, criteria=criteria, fatal=grade == 5) == {}


def test_serious_events_need_criteria_and_criteria_need_serious():
    assert seriousness_problems(grade=3, serious=True, criteria=[], fatal=False) == {
        "seriousness_criteria": SERIOUS_NEEDS_CRITERIA
    }
    assert seriousness_problems(grade=3, serious=False, criteria=["hospitalisation"], fatal=False) == {
        "serious": CRITERIA_NEED_SERIOUS
    }


@pytest.mark.parametrize(
    ("grade", "criteria", "fatal"),
    [(5, ["hospitalisation"], True), (4, ["death"], True), (5, ["death"], False), (3, ["hospitalisation"], True)],
)
def test_death_must_be_grade_5_serious_criterion_death_and_fatal(grade, criteria, fatal):
    assert seriousness_problems(grade=grade, serious=True, criteria=criteria, fatal=fatal)["grade"] == GRADE_5_IS_DEATH


def test_unknown_criteria_are_refused():
    assert "seriousness_criteria" in seriousness_problems(grade=2, serious=True, criteria=["vibes"], fatal=False)


@pytest.mark.parametrize(
    ("destination", "serious", "unexpected", "criteria", "due"),
    [
        (IND, True, True, ["life_threatening"], AWARE + dt.timedelta(days=7)),
        (IND, True, True, ["death"], AWARE + dt.timedelta(days=7)),
        (IND, True, True, ["hospitalisation"], AWARE + dt.timedelta(days=15)),
        (IND, True, False, ["hospitalisation"], None),  # expected: no expedited IND report
        (IND, False, True, [], None),
        (IRB, True, True, ["life_threatening"], AWARE + dt.timedelta(days=7)),
        (REMS, False, False, [], AWARE + dt.timedelta(days=7)),
        (MEDWATCH, True, False, ["hospitalisation"], AWARE + dt.timedelta(days=15)),
        (MEDWATCH, False, True, [], None),
        (MANUFACTURER, True, True, ["important_medical_event"], AWARE + dt.timedelta(days=15)),
    ],
)
def test_report_due_dates(destination, serious, unexpected, criteria, due):
    """21 CFR 312.32(c): 7 calendar days for fatal/life-threatening unexpected, 15 for other serious unexpected."""
    assert (
        report_due(destination=destination, aware_on=AWARE, serious=serious, unexpected=unexpected, criteria=criteria)
        == due
    )


def test_unknown_destination_is_an_error():
    with pytest.raises(ValueError, match="unknown destination"):
        report_due(destination="fax", aware_on=AWARE, serious=True, unexpected=True, criteria=["death"])


def test_rates_per_100_sessions_on_a_known_data_set():
    """12 dissociation and 3 nausea events in 80 sessions: 15.0 and 3.8 per 100 sessions."""
    from side_effects.rules import safety_table

    rows = safety_table({"Nausea": 3, "Dissociation": 12}, 80)
    assert [(r["label"], r["events"], r["rate"]) for r in rows] == [("Dissociation", 12, 15.0), ("Nausea", 3, 3.8)]


def test_rates_by_protocol_use_each_protocols_sessions_and_survive_zero():
    from side_effects.rules import rate_per_100, safety_table

    rows = safety_table({"Depression": 2, "CRPS": 1}, {"Depression": 40, "CRPS": 0})
    assert [(r["label"], r["rate"]) for r in rows] == [("Depression", 5.0), ("CRPS", None)]
    assert rate_per_100(0, 10) == 0.0
