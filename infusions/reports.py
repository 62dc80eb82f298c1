"""Cohort outcomes per protocol and indication for a period: a fixed number of SQL queries whatever the data size.

Definitions (shown on the report page too, so a reader knows what each figure means):
- **Cohort**: patients with at least one infusion given (started, not voided) in the period, grouped by the
  protocol of that session's course and the patient's primary indication.
- **Induction completion**: among courses started in the period, those whose given sessions reached the planned
  number, over those that either reached it or were stopped before it (courses still under way are shown apart).
- **Response and remission**: on the indication's primary measure (PHQ-9 for depression indications, the NRS pain
  questionnaire otherwise), baseline = the latest form marked baseline, else the first one recorded, up to the end
  of the period; latest = the newest form after it within the period. The rules are those of patients/response.py
  (docs/clinical.md §9.6): response is a drop of at least 50 % (PHQ-9) or 30 % (pain, IMMPACT moderate); remission is
  PHQ-9 below 5 from a baseline of 5 or more, and counts whether or not the drop reached 50 %. A patient needs a
  follow-up on a later day than the baseline to be evaluable. Pain has no remission figure.
- **Median change**: latest minus baseline, points, among evaluable patients.
- **Side-effect rate**: given sessions with at least one (non-voided) side effect, over given sessions.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction

from clinic.dates import local_day_bounds
from infusions.hooks import cohort_flag_sql
from infusions.lifecycle import GIVEN_STATUSES
from patients.choices import DEPRESSION_INDICATIONS, Indication
from patients.response import PAIN_MODERATE_DROP, RESPONSE_DROP, in_remission, reduction_at_least


def primary_measure(indication: str) -> str:
    """The questionnaire a cohort's response is judged on."""
    return "phq9" if indication in DEPRESSION_INDICATIONS else "nrs_pain"


@dataclass
class CohortRow:
    protocol: str
    indication: str
    measure: str
    patients: int = 0
    sessions: int = 0
    sessions_with_side_effect: int = 0
    courses_completed: int = 0
    courses_stopped_early: int = 0
    courses_under_way: int = 0
    evaluable: int = 0
    responders: int = 0
    remissions: int = 0
    changes: list[int] = field(default_factory=list)

    @property
    def indication_label(self) -> str:
        return Indication(self.indication).label if self.indication in Indication.values else self.indication

    @property
    def measure_label(self) -> str:
        return {"phq9": "PHQ-9", "nrs_pain": "NRS pain"}[self.measure]

    @property
    def completion_rate(self) -> Decimal | None:
        return _rate(self.courses_completed, self.courses_completed + self.courses_stopped_early)

    @property
    def response_rate(self) -> Decimal | None:
        return _rate(self.responders, self.evaluable)

    @property
    def remission_rate(self) -> Decimal | None:
        return _rate(self.remissions, self.evaluable) if self.measure == "phq9" else None

    @property
    def median_change(self) -> Decimal | None:
        if not self.changes:
            return None
        return Decimal(str(statistics.median(self.changes))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def side_effect_rate(self) -> Decimal | None:
        return _rate(self.sessions_with_side_effect, self.sessions)


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# The report reads two populations: the cohort (the period's given sessions, with their patients' outcomes) and the
# courses started in the period. Each is read in one statement and one pass (make bench, issue #8).
#
# The cohort in one pass over the period's given sessions: one row per (protocol, patient) with the patient's
# sessions, those of them with a side effect, and the baseline and latest of the primary measure; Python then adds
# each row to its (protocol, indication) group as it comes. Sessions with a side effect: one hash of the sessions
# that have any (non-voided) event (the subquery side effects register with ``hooks.register_cohort_flag``), rather
# than a probe of the events' index for each of a year's ~100,000 sessions.
COHORT_SQL = """
WITH given AS (
    SELECT c.protocol_id, s.patient_id, count(*) AS sessions, count(a.session_id) AS with_side_effect
    FROM infusions_infusionsession s
    JOIN infusions_treatmentcourse c ON c.id = s.course_id
    LEFT JOIN ({side_effect_sessions}) a ON a.session_id = s.id
    WHERE s.voided_at IS NULL AND s.status = ANY(%(given)s) AND s.started_at >= %(start)s AND s.started_at < %(end)s
    GROUP BY 1, 2
), cohort AS (
    SELECT g.*, p.primary_indication,
           CASE WHEN p.primary_indication = ANY(%(depression)s) THEN 'phq9' ELSE 'nrs_pain' END AS measure
    FROM given g
    JOIN patients_patient p ON p.id = g.patient_id
)
SELECT k.protocol_id, pr.name, k.primary_indication, k.measure, k.sessions, k.with_side_effect,
       b.total, b.completed_at, l.total, l.completed_at
FROM cohort k
JOIN infusions_protocol pr ON pr.id = k.protocol_id
LEFT JOIN LATERAL (
    SELECT q.total, q.completed_at FROM patients_questionnaireresponse q
    WHERE q.patient_id = k.patient_id AND q.instrument = k.measure AND q.voided_at IS NULL
      AND q.completed_at < %(end)s
    ORDER BY (q.timepoint = 'baseline') DESC,
             CASE WHEN q.timepoint = 'baseline' THEN q.completed_at END DESC,
             q.completed_at ASC
    LIMIT 1
) b ON true
LEFT JOIN LATERAL (
    SELECT q.total, q.completed_at FROM patients_questionnaireresponse q
    WHERE q.patient_id = k.patient_id AND q.instrument = k.measure AND q.voided_at IS NULL
      AND q.completed_at > b.completed_at AND q.completed_at < %(end)s
    ORDER BY q.completed_at DESC
    LIMIT 1
) l ON true
"""

COURSES_SQL = """
SELECT c.protocol_id, pr.name, p.primary_indication,
       count(*) FILTER (WHERE n.given >= c.planned_sessions) AS completed,
       count(*) FILTER (WHERE n.given < c.planned_sessions AND c.status = 'stopped') AS stopped_early,
       count(*) FILTER (WHERE n.given < c.planned_sessions AND c.status <> 'stopped') AS under_way
FROM infusions_treatmentcourse c
JOIN infusions_protocol pr ON pr.id = c.protocol_id
JOIN patients_patient p ON p.id = c.patient_id
CROSS JOIN LATERAL (
    SELECT count(*) AS given FROM infusions_infusionsession s
    WHERE s.course_id = c.id AND s.voided_at IS NULL AND s.status = ANY(%(given)s)
) n
WHERE c.voided_at IS NULL AND c.started_on >= %(first_day)s AND c.started_on <= %(last_day)s
GROUP BY 1, 2, 3
"""

# PostgreSQL compiles a statement with LLVM (JIT) when its estimated cost is high, as a year's cohort at 100,000
# patients is: the compilation alone took 2 to 5 s on Debian's PostgreSQL 15, for statements that run in tens of
# milliseconds (make bench, issue #8). The report turns it off for its own transaction only.
NO_JIT_SQL = "SET LOCAL jit = off"


def cohort_outcomes(first_day: dt.date, last_day: dt.date) -> list[CohortRow]:
    """The report's rows for the clinic-local days ``first_day`` to ``last_day`` inclusive (three queries)."""
    start, end = local_day_bounds(first_day, last_day)
    params = {
        "start": start,
        "end": end,
        "first_day": first_day,
        "last_day": last_day,
        "given": [str(s) for s in GIVEN_STATUSES],
        "depression": [str(i) for i in DEPRESSION_INDICATIONS],
    }
    rows: dict[tuple[int, str], CohortRow] = {}

    def row(protocol_id: int, protocol: str, indication: str) -> CohortRow:
        key = (protocol_id, indication)
        if key not in rows:
            rows[key] = CohortRow(protocol, indication, primary_measure(indication))
        return rows[key]

    # savepoint=False: inside the request's transaction (ATOMIC_REQUESTS) this adds no SAVEPOINT statements.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(NO_JIT_SQL)
        cursor.execute(COHORT_SQL.replace("{side_effect_sessions}", cohort_flag_sql("side_effect")), params)
        for protocol_id, protocol, indication, measure, sessions, with_side_effect, *outcome in cursor.fetchall():
            r = row(protocol_id, protocol, indication)
            r.patients += 1
            r.sessions += sessions
            r.sessions_with_side_effect += with_side_effect
            _add_outcome(r, measure, *outcome)
        cursor.execute(COURSES_SQL, params)
        for protocol_id, protocol, indication, completed, stopped_early, under_way in cursor.fetchall():
            r = row(protocol_id, protocol, indication)
            r.courses_completed, r.courses_stopped_early, r.courses_under_way = completed, stopped_early, under_way
    return sorted(rows.values(), key=lambda r: (r.protocol, r.indication_label))


def _add_outcome(
    r: CohortRow, measure: str, base: int | None, base_at: dt.datetime | None, latest: int | None,
    latest_at: dt.datetime | None,
) -> None:  # fmt: skip
    """Count one patient's baseline and latest of the primary measure into the row, when they are evaluable."""
    if base is None or latest is None or base_at is None or latest_at is None:
        return
    if latest_at.date() <= base_at.date() or (measure == "nrs_pain" and base == 0):
        return  # a same-day repeat is not a follow-up; a pain-free baseline cannot improve
    r.evaluable += 1
    r.changes.append(latest - base)
    drop = RESPONSE_DROP if measure == "phq9" else PAIN_MODERATE_DROP
    r.responders += reduction_at_least(base, latest, drop)
    r.remissions += measure == "phq9" and in_remission(measure, latest) and not in_remission(measure, base)


TOTAL_KEYS = ("patients", "sessions", "sessions_with_side_effect", "courses_completed", "courses_stopped_early")


def totals(rows: list[CohortRow]) -> dict[str, int]:
    """The report's last line: each count summed over the rows, in one pass."""
    sums = dict.fromkeys(TOTAL_KEYS, 0)
    for r in rows:
        for key in TOTAL_KEYS:
            sums[key] += getattr(r, key)
    return sums
