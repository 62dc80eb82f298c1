"""Which questionnaires are asked before a visit (docs/clinical.md §8.9): by the patient's main indication, due when
no answer lies within the questionnaire's recall period before the visit, and baselines before the first infusion."""

from __future__ import annotations

import datetime as dt

import pytest

from patients.choices import Indication
from patients.due import asked_ahead, due_before, is_due, missing_baselines
from patients.scoring import GAD7, HIT6, MADRS, MIDAS, NRS_PAIN, PHQ9

VISIT = dt.datetime(2027, 3, 15, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("indication", "asked"),
    [
        (Indication.TRD, ("PHQ-9", "GAD-7")),
        (Indication.DEPRESSION_SI, ("PHQ-9", "GAD-7")),
        (Indication.BIPOLAR_DEPRESSION, ("PHQ-9", "GAD-7")),
        (Indication.PTSD, ("PHQ-9", "GAD-7")),
        (Indication.CHRONIC_MIGRAINE, ("HIT-6", "MIDAS")),
        (Indication.EPISODIC_MIGRAINE, ("HIT-6", "MIDAS")),
        (Indication.OTHER_HEADACHE, ("HIT-6", "MIDAS")),
        (Indication.CRPS, ()),
        (Indication.NEUROPATHIC_PAIN, ()),
        (Indication.OTHER, ()),
    ],
)
def test_the_questionnaires_asked_ahead_follow_the_main_indication(indication, asked):
    assert tuple(i.name for i in asked_ahead(indication)) == asked


@pytest.mark.parametrize(("instrument", "days"), [(PHQ9, 14), (GAD7, 14), (HIT6, 28), (MIDAS, 90)])
def test_an_answer_covers_a_visit_up_to_its_recall_period_and_not_a_second_longer(instrument, days):
    at_the_edge = VISIT - dt.timedelta(days=days)
    assert not is_due(instrument, at_the_edge, VISIT)
    assert is_due(instrument, at_the_edge - dt.timedelta(seconds=1), VISIT)


def test_a_questionnaire_never_answered_is_due():
    assert is_due(PHQ9, None, VISIT)


@pytest.mark.parametrize("instrument", [MADRS, NRS_PAIN])
def test_clinician_rated_and_chair_side_scales_are_never_due_ahead(instrument):
    assert not is_due(instrument, None, VISIT)


def test_due_before_names_only_the_stale_ones_of_the_indication():
    recent = {"phq9": VISIT - dt.timedelta(days=3), "gad7": VISIT - dt.timedelta(days=20), "hit6": None}
    assert due_before(Indication.TRD, recent, VISIT) == [GAD7]  # type: ignore[arg-type]
    assert due_before(Indication.CRPS, {}, VISIT) == []


def test_a_baseline_is_missing_for_each_questionnaire_of_the_indication_not_answered_before_the_first_infusion():
    assert missing_baselines(Indication.CHRONIC_MIGRAINE, ["hit6", "phq9"]) == [MIDAS]
    assert missing_baselines(Indication.TRD, ["phq9", "gad7"]) == []
    assert missing_baselines(Indication.NEUROPATHIC_PAIN, []) == []
