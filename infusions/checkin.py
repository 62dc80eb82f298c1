"""Check-in rules that read the patient (docs/clinical.md §2.2, §2.3): pure functions, no database."""

from __future__ import annotations

from patients.choices import Sex

CHILDBEARING_AGES = (12, 55)  # inclusive; the app's conservative widening of the WHO's 15 to 49 years [R101]
SEXES_TO_ASK = frozenset({Sex.FEMALE, Sex.INTERSEX, Sex.UNKNOWN})  # a recorded sex that may carry a pregnancy

ESCORT_NAME_NEEDED = "Name the escort or driver taking the patient home (patients may not drive after ketamine)."
ESCORT_PHONE_NEEDED = "Record the escort's phone number; reschedule if there is no escort."


def pregnancy_test_applies(sex: str, age: int) -> bool:
    """Whether "not applicable" may not be the pregnancy answer: a recorded sex that may carry a pregnancy, at an
    age from 12 to 55 years (both included)."""
    low, high = CHILDBEARING_AGES
    return sex in SEXES_TO_ASK and low <= age <= high
