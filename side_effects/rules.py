"""Side-effect (adverse event) rules: severity grades, seriousness, and when an external report is due.

Sources (docs/clinical.md §7):
- Severity: NCI CTCAE v5.0 (27 Nov 2017) general grade definitions [R43].
- Seriousness (21 CFR 312.32(a); ICH E2A [R40-R42]): death, life-threatening, hospitalisation (new or prolonged),
  persistent or significant disability, congenital anomaly, or an important medical event. Seriousness is
  independent of severity: a grade 3 headache need not be serious; a grade 2 event needing hospitalisation is.
- Causality: WHO-UMC categories [R44].
- Reporting clocks: IND safety reports for unexpected suspected adverse reactions that are fatal or
  life-threatening within 7 calendar days, other serious and unexpected within 15 [R45] (21 CFR 312.32(c)); the
  Spravato REMS Patient Monitoring Form within 7 days of the session [R12]; MedWatch 3500 is voluntary for clinics
  [R46]: the clinic's policy default used here is 15 days for serious events, like a manufacturer report.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

GRADE_DEFINITIONS = {
    1: "Mild: asymptomatic or mild symptoms; observation only; no intervention indicated.",
    2: "Moderate: minimal, local or non-invasive intervention indicated; limits instrumental daily activities.",
    3: "Severe or medically significant but not immediately life-threatening; hospitalisation or prolongation "
    "indicated; disabling; limits self-care activities of daily living.",
    4: "Life-threatening consequences; urgent intervention indicated.",
    5: "Death related to the adverse event.",
}

DEATH = "death"
LIFE_THREATENING = "life_threatening"
SERIOUSNESS_CRITERIA = {
    DEATH: "Death",
    LIFE_THREATENING: "Life-threatening",
    "hospitalisation": "Hospitalisation (initial or prolonged)",
    "disability": "Persistent or significant disability or incapacity",
    "congenital_anomaly": "Congenital anomaly or birth defect",
    "important_medical_event": "Important medical event (needs intervention to prevent one of the above)",
}

SERIOUS_NEEDS_CRITERIA = "A serious event needs at least one seriousness criterion."
CRITERIA_NEED_SERIOUS = "Seriousness criteria were ticked but the event is not marked serious."
GRADE_5_IS_DEATH = "Grade 5 means death: mark the event serious with the criterion 'Death' and outcome 'Fatal'."


def seriousness_problems(*, grade: int, serious: bool, criteria: list[str], fatal: bool) -> dict[str, str]:
    """Consistency of grade, seriousness and outcome; empty when consistent. Grade and seriousness stay independent
    except where they cannot disagree: death is grade 5, serious, criterion death and outcome fatal."""
    problems: dict[str, str] = {}
    unknown = set(criteria) - set(SERIOUSNESS_CRITERIA)
    if unknown:
        problems["seriousness_criteria"] = f"Unknown criteria: {', '.join(sorted(unknown))}."
    if serious and not criteria:
        problems["seriousness_criteria"] = SERIOUS_NEEDS_CRITERIA
    if criteria and not serious:
        problems["serious"] = CRITERIA_NEED_SERIOUS
    died = grade == 5 or fatal or DEATH in criteria
    if died and not (grade == 5 and serious and DEATH in criteria and fatal):
        problems["grade"] = GRADE_5_IS_DEATH
    return problems


REMS = "rems"
IND = "ind"
IRB = "irb"
MEDWATCH = "medwatch"
MANUFACTURER = "manufacturer"
DESTINATIONS = {
    MEDWATCH: "FDA MedWatch (form 3500)",
    REMS: "Spravato REMS (Patient Monitoring Form)",
    IRB: "IRB",
    IND: "IND sponsor safety report",
    MANUFACTURER: "Manufacturer",
}


def report_due(
    *, destination: str, aware_on: dt.date, serious: bool, unexpected: bool, criteria: list[str]
) -> dt.date | None:
    """The date an external report is due, counted in calendar days from when the clinic became aware.

    IND and IRB: fatal or life-threatening, unexpected -> 7 days; other serious and unexpected -> 15 days; otherwise
    no expedited report (None). REMS: 7 days for every reportable event. MedWatch and manufacturer: 15 days for
    serious events (clinic policy for a voluntary report), otherwise None.
    """
    fatal_or_threatening = DEATH in criteria or LIFE_THREATENING in criteria
    days: int | None = None
    if destination in (IND, IRB):
        if serious and unexpected:
            days = 7 if fatal_or_threatening else 15
    elif destination == REMS:
        days = 7
    elif destination in (MEDWATCH, MANUFACTURER):
        days = 15 if serious else None
    else:
        raise ValueError(f"unknown destination {destination!r}")
    return aware_on + dt.timedelta(days=days) if days is not None else None


def rate_per_100(events: int, sessions: int) -> float | None:
    """Events per 100 sessions, to one decimal; None when there were no sessions (a rate would be meaningless)."""
    if sessions <= 0:
        return None
    return round(events * 100 / sessions, 1)


def safety_table(counts: dict[str, int], sessions: int | dict[str, int]) -> list[dict[str, Any]]:
    """Rows of (label, events, rate per 100 sessions), most frequent first. ``sessions`` is one denominator for
    every row, or one per label (per protocol)."""
    rows = []
    for label, events in counts.items():
        denominator = sessions if isinstance(sessions, int) else sessions.get(label, 0)
        rows.append(
            {"label": label, "events": events, "sessions": denominator, "rate": rate_per_100(events, denominator)}
        )
    return sorted(rows, key=lambda row: (-row["events"], row["label"]))
