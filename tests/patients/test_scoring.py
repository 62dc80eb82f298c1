"""Questionnaire scoring against the published ranges and bands, at every band boundary (docs/clinical.md §8)."""

from __future__ import annotations

import itertools

import pytest

from patients import scoring
from patients.scoring import GAD7, HIT6, INSTRUMENTS, MADRS, MIDAS, NRS_PAIN, PHQ9


def answers_summing_to(instrument: scoring.Instrument, total: int) -> dict[str, int]:
    """Answers to every scored item, each an allowed value, that add up to ``total`` (a small exhaustive search)."""
    items = instrument.scored_items

    def fill(index: int, remaining: int) -> dict[str, int] | None:
        if index == len(items):
            return {} if remaining == 0 else None
        rest_max = sum(max(i.allowed) for i in items[index + 1 :])
        rest_min = sum(min(i.allowed) for i in items[index + 1 :])
        for value in sorted(items[index].allowed, reverse=True):
            if rest_min <= remaining - value <= rest_max and (found := fill(index + 1, remaining - value)) is not None:
                return {items[index].key: value, **found}
        return None

    answers = fill(0, total)
    assert answers is not None, f"{instrument.name} cannot total {total}"
    return answers


def test_ranges_match_the_published_ones() -> None:
    assert (PHQ9.min_score, PHQ9.max_score) == (0, 27)
    assert (GAD7.min_score, GAD7.max_score) == (0, 21)
    assert (HIT6.min_score, HIT6.max_score) == (36, 78)
    assert (MADRS.min_score, MADRS.max_score) == (0, 60)
    assert (NRS_PAIN.min_score, NRS_PAIN.max_score) == (0, 10)
    assert (MIDAS.min_score, MIDAS.max_score) == (0, 450)


@pytest.mark.parametrize("instrument", list(INSTRUMENTS.values()), ids=lambda i: i.code)
def test_bands_cover_the_whole_range_without_gaps_or_overlaps(instrument: scoring.Instrument) -> None:
    bands = instrument.bands
    assert bands[0].low == instrument.min_score
    assert bands[-1].high == instrument.max_score
    for lower, upper in itertools.pairwise(bands):
        assert upper.low == lower.high + 1


BOUNDARIES = [
    # PHQ-9: 5/10/15/20 (Kroenke 2001)
    (PHQ9, 0, "minimal"), (PHQ9, 4, "minimal"), (PHQ9, 5, "mild"), (PHQ9, 9, "mild"), (PHQ9, 10, "moderate"),
    (PHQ9, 14, "moderate"), (PHQ9, 15, "moderately_severe"), (PHQ9, 19, "moderately_severe"),
    (PHQ9, 20, "severe"), (PHQ9, 27, "severe"),
    # GAD-7: 5/10/15 (Spitzer 2006)
    (GAD7, 4, "minimal"), (GAD7, 5, "mild"), (GAD7, 9, "mild"), (GAD7, 10, "moderate"), (GAD7, 14, "moderate"),
    (GAD7, 15, "severe"), (GAD7, 21, "severe"),
    # MIDAS grades 0-5, 6-10, 11-20, 21+ (Stewart 2001)
    (MIDAS, 0, "grade_1"), (MIDAS, 5, "grade_1"), (MIDAS, 6, "grade_2"), (MIDAS, 10, "grade_2"),
    (MIDAS, 11, "grade_3"), (MIDAS, 20, "grade_3"), (MIDAS, 21, "grade_4"), (MIDAS, 450, "grade_4"),
    # HIT-6 36-78, cut-points 49/55/59
    (HIT6, 36, "little"), (HIT6, 49, "little"), (HIT6, 50, "some"), (HIT6, 55, "some"), (HIT6, 56, "substantial"),
    (HIT6, 59, "substantial"), (HIT6, 60, "severe"), (HIT6, 78, "severe"),
    # MADRS (Snaith): 0-6, 7-19, 20-34, 35-60
    (MADRS, 6, "none"), (MADRS, 7, "mild"), (MADRS, 19, "mild"), (MADRS, 20, "moderate"), (MADRS, 34, "moderate"),
    (MADRS, 35, "severe"), (MADRS, 60, "severe"),
    # NRS pain
    (NRS_PAIN, 0, "none"), (NRS_PAIN, 1, "mild"), (NRS_PAIN, 3, "mild"), (NRS_PAIN, 4, "moderate"),
    (NRS_PAIN, 6, "moderate"), (NRS_PAIN, 7, "severe"), (NRS_PAIN, 10, "severe"),
]  # fmt: skip


@pytest.mark.parametrize(("instrument", "total", "band"), BOUNDARIES, ids=lambda v: getattr(v, "code", v))
def test_score_and_band_at_each_boundary(instrument: scoring.Instrument, total: int, band: str) -> None:
    result = scoring.score(instrument, answers_summing_to(instrument, total))
    assert result.total == total
    assert result.band.code == band


def test_hit6_answers_use_the_scoring_guide_values() -> None:
    answers = {"1": 13, "2": 11, "3": 10, "4": 8, "5": 6, "6": 13}
    assert scoring.score(HIT6, answers).total == 61


def test_unscored_items_are_not_added() -> None:
    answers = {**answers_summing_to(PHQ9, 12), "difficulty": 3}
    assert scoring.score(PHQ9, answers).total == 12
    midas = {"1": 2, "2": 3, "3": 0, "4": 1, "5": 4, "A": 30, "B": 7}
    assert scoring.score(MIDAS, midas).total == 10


def test_an_incomplete_form_names_every_missing_question() -> None:
    answers = answers_summing_to(PHQ9, 10)
    del answers["4"], answers["9"]
    with pytest.raises(scoring.IncompleteAnswers) as error:
        scoring.score(PHQ9, answers)
    assert error.value.missing == ["4", "9"]


def test_optional_items_may_be_left_blank() -> None:
    assert scoring.score(PHQ9, {**answers_summing_to(PHQ9, 3), "difficulty": None}).total == 3


@pytest.mark.parametrize(("instrument", "key", "value"), [(PHQ9, "1", 4), (HIT6, "1", 7), (MIDAS, "1", 91)])
def test_a_value_outside_the_item_is_refused(instrument: scoring.Instrument, key: str, value: int) -> None:
    answers = {**answers_summing_to(instrument, instrument.min_score), key: value}
    with pytest.raises(scoring.InvalidAnswer):
        scoring.score(instrument, answers)


@pytest.mark.parametrize(("item9", "alert"), [(0, False), (1, True), (2, True), (3, True)])
def test_phq9_item_9_above_zero_raises_the_suicide_risk_alert(item9: int, alert: bool) -> None:
    answers = {**{str(n): 0 for n in range(1, 9)}, "9": item9}
    assert scoring.suicide_risk(PHQ9, answers) is alert


@pytest.mark.parametrize(("item10", "alert"), [(0, False), (1, False), (2, True), (3, True), (4, True), (6, True)])
def test_madrs_item_10_at_2_or_more_raises_the_suicide_risk_alert(item10: int, alert: bool) -> None:
    """2 is the first anchor of item 10 that names suicidal thoughts ("only fleeting", [R83]; docs/clinical.md §8.3)."""
    answers = {**{str(n): 6 for n in range(1, 10)}, "10": item10}  # the other items at their worst do not alert
    assert scoring.suicide_risk(MADRS, answers) is alert


def test_only_the_instruments_with_a_suicide_item_raise_the_alert() -> None:
    assert scoring.suicide_risk(GAD7, {"9": 3}) is False
    assert scoring.suicide_risk(HIT6, {str(n): 13 for n in range(1, 7)}) is False
    assert {code for code, i in scoring.INSTRUMENTS.items() if i.risk_item} == {"phq9", "madrs"}
    assert (PHQ9.risk_item.key, MADRS.risk_item.key) == ("9", "10")


def test_each_instrument_lists_its_normal_band_first() -> None:
    """The lowest band is the one a baseline has nothing to respond from (docs/clinical.md §9.1)."""
    assert {code: (i.normal_band.low, i.normal_band.high) for code, i in scoring.INSTRUMENTS.items()} == {
        "phq9": (0, 4),
        "gad7": (0, 4),
        "midas": (0, 5),
        "hit6": (36, 49),
        "nrs_pain": (0, 0),
        "madrs": (0, 6),
    }
