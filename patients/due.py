"""Which questionnaires a patient should have answered before a visit: pure functions, no database
(docs/clinical.md §8.9).

- The questionnaires asked ahead of a visit follow the patient's main indication: PHQ-9 and GAD-7 for depression and
  PTSD, HIT-6 and MIDAS for headache disorders. Pain is rated at the chair (NRS) and MADRS by a clinician, so neither
  is asked ahead.
- One is due for a visit when none was completed within its recall period before that visit (PHQ-9 and GAD-7 14
  days, HIT-6 28, MIDAS 90): an older answer no longer covers the weeks up to the infusion.
- Before the patient's first infusion each is a baseline: without it, the response to treatment cannot be judged
  (§9.1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from patients.choices import DEPRESSION_INDICATIONS, HEADACHE_INDICATIONS, Indication
from patients.scoring import GAD7, HIT6, MIDAS, PHQ9, Instrument

#: The questionnaires asked ahead of a visit, by the patient's main indication (the first is the one response is
#: judged on, §9.6). An indication not listed (pain, other) asks none ahead.
ASKED_AHEAD: dict[str, tuple[Instrument, ...]] = {
    **{indication: (PHQ9, GAD7) for indication in (*DEPRESSION_INDICATIONS, Indication.PTSD)},
    **{indication: (HIT6, MIDAS) for indication in HEADACHE_INDICATIONS},
}


def asked_ahead(indication: str) -> tuple[Instrument, ...]:
    """The questionnaires a patient with this main indication answers before a visit."""
    return ASKED_AHEAD.get(indication, ())


def is_due(instrument: Instrument, last_completed: dt.datetime | None, visit: dt.datetime) -> bool:
    """Whether ``instrument`` must be answered again before ``visit``: never answered, or last answered more than its
    recall period before the visit. An answer exactly one recall period before still covers it."""
    if instrument.recall_days is None:
        return False
    return last_completed is None or last_completed < visit - dt.timedelta(days=instrument.recall_days)


def due_before(indication: str, last_completed: dict[str, dt.datetime], visit: dt.datetime) -> list[Instrument]:
    """The questionnaires due before ``visit``, given when each was last completed (by instrument code)."""
    return [i for i in asked_ahead(indication) if is_due(i, last_completed.get(i.code), visit)]


def missing_baselines(indication: str, answered_before_first: Iterable[str]) -> list[Instrument]:
    """The questionnaires asked ahead that have no answer before the first infusion (by instrument code)."""
    answered = set(answered_before_first)
    return [i for i in asked_ahead(indication) if i.code not in answered]
