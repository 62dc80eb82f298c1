"""Precomputed values the generator draws from: fake names and addresses, vitals with their alerts, scored
questionnaires and dose calculations. Drawing from pools keeps millions of rows cheap to make, and every value comes
from the app's own rules (scoring, vitals alerts, dosing), so the pages show what real entries would.

Everything here is fictitious (Faker with a fixed seed; phone numbers in the 555 range, e-mail at example.org).
"""

from __future__ import annotations

import dataclasses
import json
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from faker import Faker

from infusions.dosing import calculate
from infusions.vitals import Thresholds, VitalsReading, evaluate, evaluate_predose
from patients.scoring import INSTRUMENTS, score, suicide_risk


@dataclass(frozen=True)
class Names:
    given: list[str]
    family: list[str]
    streets: list[str]
    cities: list[tuple[str, str, str]]  # city, state, ZIP
    referrers: list[str]


def names(seed: int) -> Names:
    """Names from five locales, so accents (Müller, Núñez, Łukasz) are there for the search to fold."""
    fake = Faker(["en_US", "es_MX", "de_DE", "fr_FR", "pl_PL"])
    fake.seed_instance(seed)
    us = Faker("en_US")
    us.seed_instance(seed)
    return Names(
        given=sorted({fake.first_name() for _ in range(3000)}),
        family=sorted({fake.last_name() for _ in range(5000)}),
        streets=[us.street_address() for _ in range(500)],
        cities=[(us.city(), us.state_abbr(), us.zipcode()) for _ in range(200)],
        referrers=[f"Dr. {us.first_name()} {us.last_name()}" for _ in range(300)],
    )


@dataclass(frozen=True)
class Vitals:
    """One set of vitals as table values: systolic, diastolic, heart rate, SpO2, resp. rate, sedation,
    dissociation, pain, and the alerts (JSON) the app would have stored with it."""

    values: tuple[int | None, int | None, int | None, int | None, int | None, int | None, int, int]
    alerts: str


def vitals(seed: int, *, baseline: bool, count: int = 2000) -> list[Vitals]:
    """Readings mostly in range; about 3 % high blood pressure and 1 % low SpO2, alerted as the chart would."""
    rng = random.Random(seed + (1 if baseline else 2))
    thresholds = Thresholds()
    pool = []
    for _ in range(count):
        systolic = rng.randint(105, 138)
        diastolic = rng.randint(62, min(88, systolic - 25))
        spo2 = rng.randint(95, 100)
        roll = rng.random()
        if roll < 0.03:
            systolic, diastolic = rng.randint(166, 178), rng.randint(92, 104)
        elif roll < 0.04:
            spo2 = rng.randint(89, 91)
        sedation = 5 if baseline else rng.choice([3, 4, 4, 5, 5])
        reading = VitalsReading(systolic=systolic, diastolic=diastolic, heart_rate=rng.randint(58, 96), spo2=spo2,
                                resp_rate=rng.randint(12, 18), sedation=sedation)  # fmt: skip
        alerts = evaluate_predose(reading, thresholds) if baseline else evaluate(reading, thresholds)
        dissociation = 0 if baseline else rng.choice([0, 0, 1, 1, 2])
        pain = rng.randint(3, 8) if baseline else rng.randint(0, 6)
        pool.append(
            Vitals(
                (
                    reading.systolic,
                    reading.diastolic,
                    reading.heart_rate,
                    reading.spo2,
                    reading.resp_rate,
                    reading.sedation,
                    dissociation,
                    pain,
                ),
                json.dumps([dataclasses.asdict(alert) for alert in alerts]),
            )
        )
    return pool


@dataclass(frozen=True)
class Answers:
    answers: str  # JSON
    total: int
    band: str
    suicide_risk: bool


def questionnaires(seed: int, instrument: str, per_level: int = 60) -> dict[int, list[Answers]]:
    """Scored forms at five levels of severity, 0 (none) to 4 (worst): level -> forms."""
    rng = random.Random(f"{seed}-{instrument}")
    definition = INSTRUMENTS[instrument]
    pools: dict[int, list[Answers]] = {}
    for level in range(5):
        forms = []
        for _ in range(per_level):
            answers = {}
            for item in definition.items:
                options = sorted(item.allowed)
                # Centre each answer on the level's share of the item's range, with some spread.
                position = min(max(level / 4 + rng.uniform(-0.2, 0.2), 0), 1)
                answers[item.key] = options[round(position * (len(options) - 1))]
            if instrument == "phq9" and rng.random() < 0.85:
                answers["9"] = 0  # most forms answer "not at all" to question 9
            result = score(definition, answers)
            forms.append(
                Answers(json.dumps(answers), result.total, result.band.code, suicide_risk(definition, answers))
            )
        pools[level] = forms
    return pools


@dataclass(frozen=True)
class Dose:
    weight_kg: Decimal
    dose_per_kg: Decimal
    planned_dose_mg: Decimal | None
    rate_mg_h: Decimal
    rate_ml_h: Decimal
    explanation: str


WEIGHTS_KG = [Decimal(n) / 2 for n in range(100, 261)]  # 50.0 to 130.0 kg in 0.5 kg steps


def doses(protocol: Any, concentration_mg_ml: Decimal, dose_per_kg: Decimal | None = None) -> dict[Decimal, Dose]:
    """The app's own dose calculation (infusions.dosing.calculate) for each weight of ``WEIGHTS_KG``."""
    per_kg = dose_per_kg or protocol.default_dose
    table = {}
    for weight in WEIGHTS_KG:
        calc = calculate(mode=protocol.dosing_mode, weight_kg=weight, dose_per_kg=per_kg,
                         concentration_mg_ml=concentration_mg_ml, minutes=protocol.infusion_minutes)  # fmt: skip
        table[weight] = Dose(weight, per_kg, calc.dose_mg, calc.rate_mg_h, calc.rate_ml_h, calc.explanation)
    return table
