"""Vital-sign alert thresholds (infusions/vitals.py; docs/clinical.md §4.2 [R9, R10, R30, R30b, R31], Chernik 1990)."""

from __future__ import annotations

import pytest

from infusions.vitals import (
    FIELD_ORDER,
    Alert,
    Thresholds,
    VitalsReading,
    evaluate,
    evaluate_predose,
    out_of_range_fields,
)

DEFAULTS = Thresholds()


def codes(alerts: list[Alert]) -> list[str]:
    return [alert.code for alert in alerts]


def test_default_thresholds_match_cited_sources():
    assert Thresholds() == Thresholds(
        systolic_high=165,  # >=165/100, Rodrigues 2022 [R31]
        diastolic_high=100,
        systolic_low=90,  # SBP <90, ED protocol [R30]
        heart_rate_high=150,  # HR <50 or >150 [R30]
        heart_rate_low=50,
        spo2_low=92,  # SpO2 <92% [R30b]
        resp_rate_high=30,  # RR <10 or >30 [R30]
        resp_rate_low=10,
        systolic_rise=40,  # SBP rise >=40 / DBP rise >=25, Spravato label [R10]
        diastolic_rise=25,
        sedation_low=2,  # MOAA/S <=2, Chernik 1990
        predose_systolic_max=140,  # pre-dose >140/90, Spravato label [R9]
        predose_diastolic_max=90,
    )


def test_normal_vitals_raise_no_alerts():
    reading = VitalsReading(systolic=120, diastolic=80, heart_rate=72, spo2=98, resp_rate=14, sedation=5)
    assert evaluate(reading, DEFAULTS, baseline=reading) == []
    assert evaluate_predose(reading, DEFAULTS) == []


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        # Hypertension is ">=165/100" [R31]: the limit itself alerts.
        ("systolic", 164, None),
        ("systolic", 165, "systolic_high"),
        ("systolic", 166, "systolic_high"),
        ("diastolic", 99, None),
        ("diastolic", 100, "diastolic_high"),
        ("diastolic", 101, "diastolic_high"),
        # "SBP <90" [R30]: 90 itself passes.
        ("systolic", 91, None),
        ("systolic", 90, None),
        ("systolic", 89, "systolic_low"),
        # "HR <50 or >150" [R30]: the limits themselves pass.
        ("heart_rate", 149, None),
        ("heart_rate", 150, None),
        ("heart_rate", 151, "heart_rate_high"),
        ("heart_rate", 51, None),
        ("heart_rate", 50, None),
        ("heart_rate", 49, "heart_rate_low"),
        # "SpO2 <92%" [R30b].
        ("spo2", 93, None),
        ("spo2", 92, None),
        ("spo2", 91, "spo2_low"),
        # "RR <10 or >30" [R30].
        ("resp_rate", 29, None),
        ("resp_rate", 30, None),
        ("resp_rate", 31, "resp_rate_high"),
        ("resp_rate", 11, None),
        ("resp_rate", 10, None),
        ("resp_rate", 9, "resp_rate_low"),
        # MOAA/S <=2: responds only to prodding or shaking, or not at all (Chernik 1990).
        ("sedation", 3, None),
        ("sedation", 2, "sedation_deep"),
        ("sedation", 1, "sedation_deep"),
        ("sedation", 0, "sedation_deep"),
    ],
)
def test_value_alerts_only_once_past_its_limit(field, value, expected):
    alerts = evaluate(VitalsReading(**{field: value}), DEFAULTS)

    assert codes(alerts) == ([expected] if expected else [])
    assert all(alert.field == field for alert in alerts)


@pytest.mark.parametrize(
    ("field", "baseline", "value", "expected"),
    [
        # "SBP rise >=40 or DBP rise >=25 mmHg" [R10]: the limit itself alerts.
        ("systolic", 120, 159, None),
        ("systolic", 120, 160, "systolic_rise"),
        ("systolic", 120, 161, "systolic_rise"),
        ("diastolic", 70, 94, None),
        ("diastolic", 70, 95, "diastolic_rise"),
        ("diastolic", 70, 96, "diastolic_rise"),
        # A fall is not a rise.
        ("systolic", 160, 120, None),
        ("diastolic", 95, 70, None),
    ],
)
def test_rise_from_baseline_alerts_at_its_limit(field, baseline, value, expected):
    alerts = evaluate(VitalsReading(**{field: value}), DEFAULTS, baseline=VitalsReading(**{field: baseline}))

    assert codes(alerts) == ([expected] if expected else [])
    assert all(alert.field == field for alert in alerts)


@pytest.mark.parametrize(
    "baseline",
    [None, VitalsReading(), VitalsReading(heart_rate=70)],
    ids=["no-baseline", "empty-baseline", "baseline-without-bp"],
)
def test_rise_is_not_checked_without_a_baseline_value(baseline):
    reading = VitalsReading(systolic=160, diastolic=95)

    assert evaluate(reading, DEFAULTS, baseline=baseline) == []


# Limits that every measured value would cross, so only a missing value can explain the absence of an alert.
EVERYTHING_ALERTS = Thresholds(
    systolic_high=0,
    diastolic_high=0,
    systolic_low=1000,
    heart_rate_high=-1,
    heart_rate_low=1000,
    spo2_low=1000,
    resp_rate_high=-1,
    resp_rate_low=1000,
    systolic_rise=-1000,
    diastolic_rise=-1000,
    sedation_low=1000,
    predose_systolic_max=-1,
    predose_diastolic_max=-1,
)


def test_unmeasured_values_never_alert():
    assert evaluate(VitalsReading(), EVERYTHING_ALERTS, baseline=VitalsReading()) == []
    assert evaluate(VitalsReading(), EVERYTHING_ALERTS, baseline=VitalsReading(systolic=120, diastolic=80)) == []
    assert evaluate(VitalsReading(systolic=120, diastolic=80), EVERYTHING_ALERTS, baseline=VitalsReading()) != []
    assert evaluate_predose(VitalsReading(), EVERYTHING_ALERTS) == []


@pytest.mark.parametrize("field", FIELD_ORDER)
def test_only_the_measured_value_alerts(field):
    alerts = evaluate(VitalsReading(**{field: 50}), EVERYTHING_ALERTS, baseline=VitalsReading(**{field: 50}))

    assert alerts
    assert out_of_range_fields(alerts) == {field}


def test_alerts_come_in_field_order_with_level_before_rise():
    reading = VitalsReading(sedation=1, resp_rate=35, spo2=85, heart_rate=160, diastolic=105, systolic=170)
    baseline = VitalsReading(systolic=120, diastolic=70)

    alerts = evaluate(reading, DEFAULTS, baseline=baseline)

    assert codes(alerts) == [
        "systolic_high",
        "systolic_rise",
        "diastolic_high",
        "diastolic_rise",
        "heart_rate_high",
        "spo2_low",
        "resp_rate_high",
        "sedation_deep",
    ]
    assert [alert.field for alert in alerts] == [
        "systolic",
        "systolic",
        "diastolic",
        "diastolic",
        "heart_rate",
        "spo2",
        "resp_rate",
        "sedation",
    ]


def test_low_alerts_keep_field_order():
    reading = VitalsReading(systolic=80, heart_rate=40, spo2=88, resp_rate=6, sedation=0)

    assert codes(evaluate(reading, DEFAULTS)) == [
        "systolic_low",
        "heart_rate_low",
        "spo2_low",
        "resp_rate_low",
        "sedation_deep",
    ]


MESSAGE_CASES = [
    (VitalsReading(systolic=172), None, "systolic_high", "High", "Systolic 172 mmHg is at or above 165."),
    (VitalsReading(systolic=84), None, "systolic_low", "Low", "Systolic 84 mmHg is below 90."),
    (
        VitalsReading(systolic=170),
        VitalsReading(systolic=128),
        "systolic_rise",
        "Rise",
        "Systolic rose 42 mmHg from baseline 128 (limit 40).",
    ),
    (VitalsReading(diastolic=104), None, "diastolic_high", "High", "Diastolic 104 mmHg is at or above 100."),
    (
        VitalsReading(diastolic=99),
        VitalsReading(diastolic=72),
        "diastolic_rise",
        "Rise",
        "Diastolic rose 27 mmHg from baseline 72 (limit 25).",
    ),
    (VitalsReading(heart_rate=153), None, "heart_rate_high", "High", "Heart rate 153 bpm is above 150."),
    (VitalsReading(heart_rate=44), None, "heart_rate_low", "Low", "Heart rate 44 bpm is below 50."),
    (VitalsReading(spo2=89), None, "spo2_low", "Low", "SpO2 89% is below 92%."),
    (VitalsReading(resp_rate=33), None, "resp_rate_high", "High", "Respiratory rate 33/min is above 30."),
    (VitalsReading(resp_rate=7), None, "resp_rate_low", "Low", "Respiratory rate 7/min is below 10."),
    (
        VitalsReading(sedation=1),
        None,
        "sedation_deep",
        "Deep sedation",
        "MOAA/S 1 is at or below 2: responds only to prodding or shaking, or not at all.",
    ),
]


@pytest.mark.parametrize(
    ("reading", "baseline", "code", "word", "message"), MESSAGE_CASES, ids=[case[2] for case in MESSAGE_CASES]
)
def test_alert_states_its_value_and_limit_in_words(reading, baseline, code, word, message):
    (alert,) = [alert for alert in evaluate(reading, DEFAULTS, baseline=baseline) if alert.code == code]

    assert (alert.code, alert.word, alert.message) == (code, word, message)


@pytest.mark.parametrize(
    ("reading", "expected_field", "fragments"),
    [
        (VitalsReading(systolic=140, diastolic=90), None, []),
        (VitalsReading(systolic=139, diastolic=89), None, []),
        (VitalsReading(systolic=141, diastolic=90), "systolic", ["systolic 141 mmHg is above 140"]),
        (VitalsReading(systolic=140, diastolic=91), "diastolic", ["diastolic 91 mmHg is above 90"]),
        (
            VitalsReading(systolic=141, diastolic=91),
            "systolic",
            ["systolic 141 mmHg is above 140", "diastolic 91 mmHg is above 90"],
        ),
        (VitalsReading(systolic=141), "systolic", ["systolic 141 mmHg is above 140"]),
        (VitalsReading(diastolic=91), "diastolic", ["diastolic 91 mmHg is above 90"]),
    ],
)
def test_predose_bp_above_140_90_alerts_once(reading, expected_field, fragments):
    alerts = [alert for alert in evaluate_predose(reading, DEFAULTS) if alert.code == "predose_bp_high"]

    if expected_field is None:
        assert alerts == []
    else:
        (alert,) = alerts
        assert (alert.field, alert.word) == (expected_field, "High")
        assert alert.message.startswith("Pre-dose ")
        assert alert.message.endswith("consider delaying the dose.")
        for fragment in fragments:
            assert fragment in alert.message


def test_predose_names_the_systolic_before_the_diastolic():
    (alert,) = evaluate_predose(VitalsReading(systolic=150, diastolic=95), DEFAULTS)

    assert alert.message == "Pre-dose systolic 150 mmHg is above 140 and diastolic 95 mmHg is above 90; " + (
        "consider delaying the dose."
    )


def test_predose_puts_its_bp_alert_before_the_in_session_alerts():
    reading = VitalsReading(systolic=80, diastolic=95, spo2=90)

    assert codes(evaluate_predose(reading, DEFAULTS)) == ["predose_bp_high", "systolic_low", "spo2_low"]


def test_predose_includes_in_session_alerts_even_when_bp_passes():
    reading = VitalsReading(systolic=120, diastolic=80, heart_rate=45, sedation=2)

    assert codes(evaluate_predose(reading, DEFAULTS)) == ["heart_rate_low", "sedation_deep"]


def test_predose_severe_hypertension_raises_both_predose_and_level_alerts():
    reading = VitalsReading(systolic=170, diastolic=102)

    assert codes(evaluate_predose(reading, DEFAULTS)) == ["predose_bp_high", "systolic_high", "diastolic_high"]


@pytest.mark.parametrize(
    ("thresholds", "reading", "baseline", "expected"),
    [
        (Thresholds(systolic_high=150), VitalsReading(systolic=149), None, []),
        (Thresholds(systolic_high=150), VitalsReading(systolic=150), None, ["systolic_high"]),
        (Thresholds(diastolic_high=95), VitalsReading(diastolic=95), None, ["diastolic_high"]),
        (Thresholds(systolic_low=100), VitalsReading(systolic=99), None, ["systolic_low"]),
        (Thresholds(heart_rate_high=110), VitalsReading(heart_rate=111), None, ["heart_rate_high"]),
        (Thresholds(heart_rate_low=55), VitalsReading(heart_rate=54), None, ["heart_rate_low"]),
        (Thresholds(spo2_low=95), VitalsReading(spo2=94), None, ["spo2_low"]),
        (Thresholds(resp_rate_high=24), VitalsReading(resp_rate=25), None, ["resp_rate_high"]),
        (Thresholds(resp_rate_low=8), VitalsReading(resp_rate=9), None, []),
        (Thresholds(resp_rate_low=8), VitalsReading(resp_rate=7), None, ["resp_rate_low"]),
        (Thresholds(sedation_low=3), VitalsReading(sedation=3), None, ["sedation_deep"]),
        (Thresholds(sedation_low=1), VitalsReading(sedation=2), None, []),
        (Thresholds(systolic_rise=20), VitalsReading(systolic=140), VitalsReading(systolic=120), ["systolic_rise"]),
        (Thresholds(diastolic_rise=15), VitalsReading(diastolic=85), VitalsReading(diastolic=70), ["diastolic_rise"]),
    ],
)
def test_custom_thresholds_replace_the_defaults(thresholds, reading, baseline, expected):
    assert codes(evaluate(reading, thresholds, baseline=baseline)) == expected


def test_custom_limit_appears_in_the_message():
    (alert,) = evaluate(VitalsReading(spo2=94), Thresholds(spo2_low=95))

    assert alert.message == "SpO2 94% is below 95%."


@pytest.mark.parametrize(
    ("reading", "expected"),
    [
        (VitalsReading(systolic=130, diastolic=85), []),
        (VitalsReading(systolic=131, diastolic=85), ["predose_bp_high"]),
        (VitalsReading(systolic=130, diastolic=86), ["predose_bp_high"]),
    ],
)
def test_custom_predose_limits_replace_the_defaults(reading, expected):
    thresholds = Thresholds(predose_systolic_max=130, predose_diastolic_max=85)

    assert codes(evaluate_predose(reading, thresholds)) == expected


def test_out_of_range_fields_collects_each_alerting_field_once():
    reading = VitalsReading(systolic=170, diastolic=80, heart_rate=72, spo2=90)
    alerts = evaluate(reading, DEFAULTS, baseline=VitalsReading(systolic=120))

    assert codes(alerts) == ["systolic_high", "systolic_rise", "spo2_low"]
    assert out_of_range_fields(alerts) == {"systolic", "spo2"}
    assert out_of_range_fields([]) == set()
