"""Response and remission rules on crafted baselines and follow-ups (docs/clinical.md §9)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from patients import response
from patients.diary import MonthSummary
from patients.response import Observation, Reason, Status

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
        (5, 2, Status.REMISSION),  # 5 is the bottom of "mild": a baseline a response can come from
        (4, 2, Status.NOT_EVALUABLE),  # started in the none-minimal band: nothing to respond from (issue #16)
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


@pytest.mark.parametrize(
    ("instrument", "baseline", "reason"),
    [
        ("phq9", 4, Reason.BASELINE_NORMAL),  # top of 0-4 "none-minimal"
        ("phq9", 5, None),
        ("madrs", 6, Reason.BASELINE_NORMAL),  # top of 0-6 "normal"
        ("madrs", 7, Reason.BASELINE_REMISSION),  # mild, but already at or under the remission line of 12
        ("madrs", 12, Reason.BASELINE_REMISSION),
        ("madrs", 13, None),
        ("gad7", 4, Reason.BASELINE_NORMAL),
        ("gad7", 5, None),
        ("hit6", 49, Reason.BASELINE_NORMAL),  # top of 36-49 "little or no impact"
        ("hit6", 50, None),
        ("midas", 5, Reason.BASELINE_NORMAL),  # grade I
        ("midas", 6, Reason.BASELINE_NO_RULE),  # grade II: the AHS rule starts at 11
        ("midas", 10, Reason.BASELINE_NO_RULE),
        ("midas", 11, None),
        ("nrs_pain", 0, Reason.BASELINE_NORMAL),
        ("nrs_pain", 1, None),
        ("migraine_days", Decimal("0.0"), Reason.BASELINE_NORMAL),
        ("migraine_days", Decimal("0.9"), None),
    ],
)
def test_a_baseline_in_the_normal_band_or_in_remission_is_not_evaluable(instrument, baseline, reason) -> None:
    gap = response.baseline_gap(instrument, baseline)
    assert (gap.code if gap else None) == reason
    if gap:
        assert gap.label  # every reason has words for the cohort report


def test_phq9_from_4_to_2_says_why_it_is_not_a_response() -> None:
    status = response.questionnaire_response("phq9", obs(4, DAY0), obs(2))
    assert (status.status, status.reason.code) == (Status.NOT_EVALUABLE, Reason.BASELINE_NORMAL)
    assert status.reason.detail == "Baseline 4 is in the PHQ-9 band “None–minimal” (0–4): nothing to respond from."
    madrs = response.questionnaire_response("madrs", obs(12, DAY0), obs(6))
    assert (madrs.status, madrs.reason.code) == (Status.NOT_EVALUABLE, Reason.BASELINE_REMISSION)
    assert "MADRS 12 or less" in madrs.reason.detail


def test_a_normal_baseline_is_the_reason_even_before_a_follow_up() -> None:
    """The lasting reason comes first: a follow-up will not make a normal baseline evaluable."""
    assert response.not_evaluable("phq9", obs(3, DAY0), None).code == Reason.BASELINE_NORMAL
    assert response.not_evaluable("phq9", obs(12, DAY0), None).code == Reason.NO_FOLLOW_UP
    assert response.not_evaluable("phq9", None, obs(3)).code == Reason.NO_BASELINE
    assert response.not_evaluable("phq9", obs(12, DAY0), obs(3)) is None


@pytest.mark.parametrize(
    ("baseline", "latest", "status"),
    [
        (50, 45, Status.RESPONSE),
        (50, 46, Status.NO_RESPONSE),
        (66, 61, Status.RESPONSE),
        (49, 36, Status.NOT_EVALUABLE),
    ],
)
def test_hit6_response_is_a_fall_of_5_points(baseline: int, latest: int, status: str) -> None:
    assert response.questionnaire_status("hit6", obs(baseline, DAY0), obs(latest)) == status


@pytest.mark.parametrize(
    ("baseline", "latest", "status"),
    [
        (11, 6, Status.RESPONSE),  # 11-20: 5 points
        (11, 7, Status.NO_RESPONSE),
        (20, 15, Status.RESPONSE),
        (20, 16, Status.NO_RESPONSE),
        (21, 14, Status.RESPONSE),  # above 20: 30 % (33.3 %)
        (21, 15, Status.NO_RESPONSE),  # 28.6 %, though 6 points
        (30, 21, Status.RESPONSE),  # exactly 30 %
        (30, 22, Status.NO_RESPONSE),
        (10, 0, Status.NOT_EVALUABLE),  # grade II: no rule
        (5, 0, Status.NOT_EVALUABLE),  # grade I
    ],
)
def test_midas_response_is_5_points_from_11_to_20_and_30_percent_above(baseline, latest, status) -> None:
    assert response.questionnaire_status("midas", obs(baseline, DAY0), obs(latest)) == status


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
    assert response.questionnaire_response("gad7", obs(15, DAY0), obs(3)) is None
    assert response.questionnaire_status("hit6", obs(66, DAY0), obs(40)) == Status.RESPONSE
    assert response.questionnaire_status("phq9", obs(15, DAY0), obs(3)) == Status.REMISSION
    assert response.questionnaire_status("nrs_pain", obs(8, DAY0), obs(3)) == Status.SUBSTANTIAL


def test_change_is_shown_with_its_sign_for_scores_and_for_migraine_days() -> None:
    score = response.questionnaire_response("phq9", obs(18, DAY0), obs(9))
    assert score.change_display == "-9"
    days = response.ResponseStatus("Monthly migraine days", obs(Decimal("11.2"), DAY0), obs(Decimal("5.6")), "", "")
    assert days.change_display == "-5.6"


# Monthly migraine days from diary months (docs/clinical.md §9.5) -------------------------------------------------

FIRST_INFUSION = dt.date(2026, 3, 10)  # baseline month: February 2026 (28 days)
AS_OF = dt.date(2026, 5, 15)  # April is over; May is not


def month(year: int, number: int, recorded: int, migraine: int) -> MonthSummary:
    return MonthSummary.of(year, number, days_recorded=recorded, headache_days=migraine, migraine_days=migraine)


def mmd(*months: MonthSummary, first: dt.date | None = FIRST_INFUSION, coverage: int = 80):
    return response.migraine_days_response(list(months), first, as_of=AS_OF, min_coverage_percent=coverage)


def test_migraine_days_are_compared_per_28_days_of_diary() -> None:
    status = mmd(month(2026, 2, 28, 10), month(2026, 4, 28, 5))  # April: 28 of 30 days (93 %)
    assert (status.baseline.value, status.latest.value) == (Decimal("10.0"), Decimal("5.0"))
    assert status.status == Status.RESPONSE  # exactly 50 %
    assert (status.baseline.on, status.latest.on) == (dt.date(2026, 2, 28), dt.date(2026, 4, 30))
    assert status.baseline_note == "Feb 2026: 10 migraine days in 28 days of diary, the month before the first infusion"
    assert status.latest_note == "Apr 2026: 5 migraine days in 28 days of diary"
    assert mmd(month(2026, 2, 28, 10), month(2026, 4, 28, 6)).status == Status.NO_RESPONSE  # 40 %
    # 12 in 30 days is 11.2 per 28 days: the same count means less in a longer stretch of diary.
    assert mmd(month(2026, 2, 28, 12), month(2026, 4, 30, 12)).latest.value == Decimal("11.2")


@pytest.mark.parametrize(
    ("recorded", "coverage", "evaluable"),
    [(23, 80, True), (22, 80, False), (22, 78, True), (28, 100, True), (27, 100, False)],
)
def test_the_baseline_month_counts_only_when_the_diary_covers_enough_of_it(recorded, coverage, evaluable) -> None:
    """February: 23 of 28 days is 82.1 %, 22 is 78.6 % (under 79 %, under 80 %)."""
    status = mmd(month(2026, 2, recorded, 10), month(2026, 4, 30, 2), coverage=coverage)
    assert (status.status != Status.NOT_EVALUABLE) is evaluable
    if not evaluable:
        assert status.reason.code == Reason.BASELINE_MONTH_GAPS
        assert status.baseline is None  # a gappy month's count is not shown as if it were the baseline


def test_a_gappy_baseline_month_says_how_gappy() -> None:
    status = mmd(month(2026, 2, 22, 14), month(2026, 4, 30, 2))
    assert status.reason.detail == (
        "Feb 2026 (baseline): diary kept on 22 of 28 days (78.6 %); at least 80 % is needed."
    )


@pytest.mark.parametrize(("recorded", "evaluable"), [(24, True), (23, False)])
def test_the_latest_month_counts_only_when_the_diary_covers_80_percent_of_it(recorded, evaluable) -> None:
    """April has 30 days: 24 is 80 % exactly, 23 is 76.7 %. A mostly blank latest month gave "Response" before."""
    status = mmd(month(2026, 2, 28, 12), month(2026, 4, recorded, 2))
    assert (status.status == Status.RESPONSE) is evaluable
    if not evaluable:
        assert (status.status, status.reason.code) == (Status.NOT_EVALUABLE, Reason.LATEST_MONTH_GAPS)
        assert "Apr 2026 (latest): diary kept on 23 of 30 days (76.7 %)" in status.reason.detail


def test_a_mostly_blank_latest_month_is_not_a_response() -> None:
    status = mmd(month(2026, 2, 28, 12), month(2026, 3, 31, 8), month(2026, 4, 3, 0))
    assert (status.status, status.reason.code) == (Status.NOT_EVALUABLE, Reason.LATEST_MONTH_GAPS)


def test_the_baseline_is_the_month_just_before_the_first_infusion_not_an_older_one() -> None:
    """A complete January does not stand in for a missing February (issue #16 item 9: "however long before")."""
    status = mmd(month(2026, 1, 31, 12), month(2026, 4, 30, 2))
    assert (status.status, status.reason.code) == (Status.NOT_EVALUABLE, Reason.BASELINE_MONTH_GAPS)
    assert status.reason.detail == "No diary for Feb 2026, the month before the first infusion."
    january_start = mmd(month(2025, 12, 31, 12), month(2026, 2, 28, 2), first=dt.date(2026, 1, 5))
    assert january_start.status == Status.RESPONSE  # the month before January is last year's December


def test_a_month_still_under_way_is_not_the_latest() -> None:
    status = mmd(month(2026, 2, 28, 12), month(2026, 5, 14, 0))  # 15 May: May is not over, nor complete
    assert (status.status, status.reason.code) == (Status.NOT_EVALUABLE, Reason.NO_FOLLOW_UP)
    assert status.reason.detail == "No diary month after Feb 2026 is over yet."


def test_no_infusion_and_no_migraine_days_at_baseline_are_not_evaluable() -> None:
    assert mmd(month(2026, 2, 28, 12), first=None).reason.code == Reason.NO_INFUSION
    assert mmd(month(2026, 2, 28, 0), month(2026, 4, 30, 0)).reason.code == Reason.BASELINE_NORMAL
