"""Vital-sign alerts: check one set of vitals against alert thresholds.

These are pure functions: no models and no database. Vitals are whole numbers (mmHg, beats/min, %, breaths/min,
MOAA/S points), so this module uses ``int`` rather than the ``Decimal`` that STYLE.md 2 asks for in dosing maths.

The defaults in ``Thresholds`` come from docs/clinical.md §4.2 (sources: §13). A clinic admin can change
them in the admin: ``VitalThresholdSettings`` (infusions/models/reference.py) builds the ``Thresholds`` in use.

- Treatment-emergent hypertension is BP >=165/100 (Rodrigues 2022 [R31]). Both limits are inclusive.
- "Unstable vitals" in an ED low-dose ketamine protocol [R30]: SBP <90, HR <50 or >150, RR <10 or >30. The
  headache trial [R30b] sets lower floors (SBP <80, RR <8). The stricter [R30] floors are used here.
- SpO2 <92% comes from the headache-trial exclusion criteria [R30b].
- A notable BP rise from baseline is SBP >=40 or DBP >=25 mmHg (Spravato label [R10]).
- Before dosing, BP >140/90 means "consider delaying" (Spravato label [R9]). This is a strict ">".
- Deep sedation is MOAA/S <=2, where the patient responds only to mild prodding or shaking, or not at all
  (Chernik et al. 1990, J Clin Psychopharmacol 10(4):244-51). See docs/clinical.md §4.5. The MOAA/S
  scale itself is the one the Spravato label uses [R12d].

The SBP >180 and >200 ceilings in [R30] and [R30b] are not used: the 165/100 limit [R31] already fires first.

The Sanacora 2017 APA consensus thresholds (commonly quoted as BP >180/100 or HR >110) are NOT used. Their full
text was not retrieved (docs/clinical.md §4.6 [R22]). Check that source before adopting them as
defaults.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

FIELD_ORDER = ("systolic", "diastolic", "heart_rate", "spo2", "resp_rate", "sedation")

HIGH = "High"
LOW = "Low"
RISE = "Rise"
DEEP_SEDATION = "Deep sedation"


@dataclass(frozen=True)
class Thresholds:
    """Alert limits. Each field's comment gives its source and says whether the limit is inclusive."""

    systolic_high: int = 165  # mmHg; alert at >= (hypertension ">=165/100", Rodrigues 2022 [R31])
    diastolic_high: int = 100  # mmHg; alert at >= [R31]
    systolic_low: int = 90  # mmHg; alert at < ("SBP <90" unstable, ED low-dose protocol [R30])
    heart_rate_high: int = 150  # beats/min; alert at > ("HR >150" [R30])
    heart_rate_low: int = 50  # beats/min; alert at < ("HR <50" [R30])
    spo2_low: int = 92  # %; alert at < ("SpO2 <92%", headache-trial exclusion [R30b])
    resp_rate_high: int = 30  # breaths/min; alert at > ("RR >30" [R30])
    resp_rate_low: int = 10  # breaths/min; alert at < ("RR <10" [R30])
    systolic_rise: int = 40  # mmHg above baseline; alert at >= ("SBP rise >=40", Spravato label [R10])
    diastolic_rise: int = 25  # mmHg above baseline; alert at >= ("DBP rise >=25" [R10])
    sedation_low: int = 2  # MOAA/S; alert at <= (2 = responds only to prodding/shaking or not at all, Chernik 1990)
    predose_systolic_max: int = 140  # mmHg; alert at > ("BP >140/90": consider delaying, Spravato label [R9])
    predose_diastolic_max: int = 90  # mmHg; alert at > [R9]


@dataclass(frozen=True)
class VitalsReading:
    """One set of vitals. A field left as None was not measured, and a None never raises an alert."""

    systolic: int | None = None  # mmHg
    diastolic: int | None = None  # mmHg
    heart_rate: int | None = None  # beats/min
    spo2: int | None = None  # %
    resp_rate: int | None = None  # breaths/min
    sedation: int | None = None  # MOAA/S 0-5


@dataclass(frozen=True)
class Alert:
    """One threshold crossed. ``word`` appears next to the value so that colour is never the only signal."""

    code: str  # stable machine code, e.g. "systolic_high", "diastolic_rise", "sedation_deep", "predose_bp_high"
    field: str  # the VitalsReading field it concerns (one of FIELD_ORDER)
    word: str  # "High" / "Low" / "Rise" / "Deep sedation"
    message: str  # a full sentence for staff, with the value and the limit


def evaluate(reading: VitalsReading, thresholds: Thresholds, baseline: VitalsReading | None = None) -> list[Alert]:
    """Return the alerts for ``reading``, ordered by FIELD_ORDER.

    Within one field, a level alert comes before a rise alert. A None value never alerts. A rise is checked only
    when ``baseline`` is given and both values are present.

    Rules (the limit is taken from ``thresholds``; the defaults and sources are listed on ``Thresholds``):
    - systolic >= systolic_high -> "systolic_high". The limit is inclusive: [R31] defines hypertension as ">=165".
    - systolic < systolic_low -> "systolic_low". The limit is exclusive: [R30] says "SBP <90".
    - systolic - baseline.systolic >= systolic_rise -> "systolic_rise". Inclusive: [R10] says "rise >=40".
    - diastolic >= diastolic_high -> "diastolic_high". Inclusive: [R31] says ">=.../100".
    - diastolic - baseline.diastolic >= diastolic_rise -> "diastolic_rise". Inclusive: [R10] says ">=25".
    - heart_rate > heart_rate_high -> "heart_rate_high", and heart_rate < heart_rate_low -> "heart_rate_low".
      Both are exclusive: [R30] says "HR <50 or >150".
    - spo2 < spo2_low -> "spo2_low". Exclusive: [R30b] says "SpO2 <92%".
    - resp_rate > resp_rate_high -> "resp_rate_high", and resp_rate < resp_rate_low -> "resp_rate_low".
      Both are exclusive: [R30] says "RR <10 or >30".
    - sedation <= sedation_low -> "sedation_deep". Inclusive: MOAA/S 2 itself means the patient responds only to
      mild prodding or shaking (Chernik 1990).
    """
    t = thresholds
    base = baseline or VitalsReading()
    alerts: list[Alert] = []

    sbp = reading.systolic
    if sbp is not None:
        if sbp >= t.systolic_high:
            alerts.append(
                Alert("systolic_high", "systolic", HIGH, f"Systolic {sbp} mmHg is at or above {t.systolic_high}.")
            )
        if sbp < t.systolic_low:
            alerts.append(Alert("systolic_low", "systolic", LOW, f"Systolic {sbp} mmHg is below {t.systolic_low}."))
        if base.systolic is not None and (rise := sbp - base.systolic) >= t.systolic_rise:
            message = f"Systolic rose {rise} mmHg from baseline {base.systolic} (limit {t.systolic_rise})."
            alerts.append(Alert("systolic_rise", "systolic", RISE, message))

    dbp = reading.diastolic
    if dbp is not None:
        if dbp >= t.diastolic_high:
            alerts.append(
                Alert("diastolic_high", "diastolic", HIGH, f"Diastolic {dbp} mmHg is at or above {t.diastolic_high}.")
            )
        if base.diastolic is not None and (rise := dbp - base.diastolic) >= t.diastolic_rise:
            message = f"Diastolic rose {rise} mmHg from baseline {base.diastolic} (limit {t.diastolic_rise})."
            alerts.append(Alert("diastolic_rise", "diastolic", RISE, message))

    hr = reading.heart_rate
    if hr is not None:
        if hr > t.heart_rate_high:
            alerts.append(
                Alert("heart_rate_high", "heart_rate", HIGH, f"Heart rate {hr} bpm is above {t.heart_rate_high}.")
            )
        if hr < t.heart_rate_low:
            alerts.append(
                Alert("heart_rate_low", "heart_rate", LOW, f"Heart rate {hr} bpm is below {t.heart_rate_low}.")
            )

    spo2 = reading.spo2
    if spo2 is not None and spo2 < t.spo2_low:
        alerts.append(Alert("spo2_low", "spo2", LOW, f"SpO2 {spo2}% is below {t.spo2_low}%."))

    rr = reading.resp_rate
    if rr is not None:
        if rr > t.resp_rate_high:
            alerts.append(
                Alert("resp_rate_high", "resp_rate", HIGH, f"Respiratory rate {rr}/min is above {t.resp_rate_high}.")
            )
        if rr < t.resp_rate_low:
            alerts.append(
                Alert("resp_rate_low", "resp_rate", LOW, f"Respiratory rate {rr}/min is below {t.resp_rate_low}.")
            )

    sedation = reading.sedation
    if sedation is not None and sedation <= t.sedation_low:
        alerts.append(
            Alert(
                "sedation_deep",
                "sedation",
                DEEP_SEDATION,
                f"MOAA/S {sedation} is at or below {t.sedation_low}: "
                "responds only to prodding or shaking, or not at all.",
            )
        )

    return alerts


def evaluate_predose(reading: VitalsReading, thresholds: Thresholds) -> list[Alert]:
    """Return the pre-dose alerts: "predose_bp_high" first, if it fires, then everything ``evaluate`` returns.

    The pre-dose rule: if systolic > predose_systolic_max or diastolic > predose_diastolic_max, there is one
    "predose_bp_high" alert. Both limits are exclusive: the Spravato label [R9] says ">140/90", so 140/90 itself
    passes. The alert's field is "systolic" when the systolic limit is crossed and "diastolic" otherwise. When both
    are crossed, the message names both values. ``evaluate`` runs without a baseline, because the pre-dose reading
    is itself the baseline.
    """
    t = thresholds
    parts: list[str] = []
    field = ""
    if reading.diastolic is not None and reading.diastolic > t.predose_diastolic_max:
        parts.append(f"diastolic {reading.diastolic} mmHg is above {t.predose_diastolic_max}")
        field = "diastolic"
    if reading.systolic is not None and reading.systolic > t.predose_systolic_max:
        parts.insert(0, f"systolic {reading.systolic} mmHg is above {t.predose_systolic_max}")
        field = "systolic"

    alerts: list[Alert] = []
    if parts:
        alerts.append(
            Alert(
                "predose_bp_high",
                field,
                HIGH,
                f"Pre-dose {' and '.join(parts)}; consider delaying the dose.",
            )
        )
    return alerts + evaluate(reading, thresholds)


def out_of_range_fields(alerts: Iterable[Alert]) -> set[str]:
    """Return the reading fields that have at least one alert, e.g. to mark those values in a vitals table.

    A "predose_bp_high" alert contributes only its own ``field``. When both systolic and diastolic are above the
    pre-dose limit, that field is "systolic".
    """
    return {alert.field for alert in alerts}
