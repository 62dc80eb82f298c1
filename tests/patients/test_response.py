"""Response and remission rules on crafted baselines and follow-ups (docs/clinical.md §9)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from patients import response
from patients.response import Observation, Status

DAY0, LATER = dt.date(2026, 9, 1), dt.date(2026, 10, 15)


def obs(value: int, on: dt.date = LATER) -> Observation:
    return Observation(value, on)


@pytest.mark.parametrize(
    ("baseline", "latest", "status"),
    [
        (20, 10, Status.RESPONSE),  # exactly 50 %
        (20, 11, Status.NO_RESPONSE),  # 45 %
        (19, 9, Status.RESPONSE),  # 52.6 %
        (19, 10, Status.NO_RESPONSE),  # 47.4 %
        (18, 4, Status.REMISSION),  # below 5
        (18, 5, Status.RESPONSE),  # 5 is not remission, but ≥50 % drop
        (8, 5, Status.NO_RESPONSE),  # 37.5 %, not below 5
        (8, 4, Status.REMISSION),
        (4, 2, Status.RESPONSE),  # started in remission: not counted as remission, the drop is still ≥50 %
        (15, 18, Status.NO_RESPONSE),  # worse
    ],
)
def test_phq9_response_and_remission(baseline: int, latest: int, status: str) -> None:
    assert response.depression_status("phq9", obs(baseline, DAY0), obs(latest)) == status


@pytest.mark.parametrize(
    ("baseline", "latest", "status"),
    [(30, 12, Status.REMISSION), (30, 13, Status.RESPONSE), (30, 16, Status.NO_RESPONSE), (34, 17, Status.RESPONSE)],
)
def test_madrs_remission_is_12_or_less(baseline: int, latest: int, status: str) -> None:
    assert response.depression_status("madrs", obs(baseline, DAY0), obs(latest)) == status


def test_no_follow_up_is_not_evaluable() -> None:
    assert response.depression_status("phq9", obs(18, DAY0), None) == Status.NOT_EVALUABLE
    assert response.depression_status("phq9", obs(18, DAY0), obs(3, DAY0)) == Status.NOT_EVALUABLE
    assert response.depression_status("phq9", None, obs(3)) == Status.NOT_EVALUABLE


@pytest.mark.parametrize(
    ("baseline", "latest", "status"),
    [
        (8, 4, Status.SUBSTANTIAL),  # 50 %
        (8, 5, Status.MODERATE),  # 37.5 %
        (10, 7, Status.MODERATE),  # exactly 30 %
        (10, 8, Status.NO_RESPONSE),  # 20 %
        (7, 5, Status.NO_RESPONSE),  # 28.6 %
        (0, 0, Status.NOT_EVALUABLE),  # nothing to improve on
    ],
)
def test_pain_moderate_at_30_and_substantial_at_50_percent(baseline: int, latest: int, status: str) -> None:
    assert response.pain_status(obs(baseline, DAY0), obs(latest)) == status


@pytest.mark.parametrize(("before", "after", "responder"), [(7, 5, True), (7, 6, False), (3, 0, True), (5, 5, False)])
def test_acute_headache_response_is_a_two_point_drop(before: int, after: int, responder: bool) -> None:
    assert response.headache_session_response(before, after) is responder


def test_acute_headache_response_needs_both_scores() -> None:
    assert response.headache_session_response(6, None) is None


@pytest.mark.parametrize(
    ("baseline", "latest", "status"),
    [(12, 6, Status.RESPONSE), (12, 7, Status.NO_RESPONSE), (15, 3, Status.RESPONSE), (0, 0, Status.NOT_EVALUABLE)],
)
def test_monthly_migraine_days_response_is_half_or_fewer(baseline: int, latest: int, status: str) -> None:
    assert response.migraine_days_status(obs(baseline, DAY0), obs(latest)) == status


def test_percent_change_is_rounded_to_one_decimal_and_none_from_zero() -> None:
    assert response.percent_change(19, 10) == Decimal("-47.4")
    assert response.percent_change(10, 12) == Decimal("20.0")
    assert response.percent_change(0, 3) is None


def test_instruments_without_a_responder_rule_have_no_status() -> None:
    assert response.questionnaire_status("gad7", obs(15, DAY0), obs(3)) is None
    assert response.questionnaire_status("hit6", obs(66, DAY0), obs(40)) is None
    assert response.questionnaire_status("phq9", obs(15, DAY0), obs(3)) == Status.REMISSION
    assert response.questionnaire_status("nrs_pain", obs(8, DAY0), obs(3)) == Status.SUBSTANTIAL
