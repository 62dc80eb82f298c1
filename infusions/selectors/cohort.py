"""Cohort outcomes per protocol and indication for a period: a fixed number of SQL queries whatever the data size.

Definitions (shown on the report page too, so a reader knows what each figure means; docs/clinical.md §9.6):
- **Cohort**: patients with at least one infusion given (started, not voided) in the period, grouped by the
  protocol of that session's course and the patient's primary indication.
- **Induction completion**: among courses started in the period, those a clinician marked completed or moved on to
  maintenance, over those plus the drop-outs: courses stopped (broken down by the reason recorded) and courses still
  in induction with no session for the clinic's lapse limit (lapsed). Courses under way are shown apart.
- **Measures**: PHQ-9 for depression indications; for headache indications monthly migraine days, HIT-6, MIDAS and
  the NRS pain questionnaire; the NRS pain questionnaire for the others. Questionnaires: baseline = the latest form
  marked baseline, else the first one recorded, up to the end of the period; latest = the newest form after it
  within the period. Migraine days: the diary month before the first infusion against the newest diary month over
  by the end of the period, per 28 days, each month covered as ``PatientSettings`` asks.
- **Evaluable**: judged by the same functions as the history page (patients/response.py), on the clinic's local
  dates: a follow-up on a later local day than the baseline, a baseline outside the normal band and not already in
  remission, diary months covered. The others are counted as not evaluable, by reason.
- **Response and remission**: the measure's responder rule (PHQ-9 down ≥50 %, pain down ≥30 % (IMMPACT moderate),
  HIT-6 down ≥5 points, MIDAS down ≥5 points or ≥30 %, migraine days down ≥50 %); remission (PHQ-9 below 5) counts
  whether or not the drop reached 50 %. Only PHQ-9 has a remission figure here.
- **Median change**: latest minus baseline, among evaluable patients (points; migraine days per 28 days).
- **Side-effect rate**: given sessions with at least one (non-voided) side effect, over given sessions.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from clinic.dates import local_day_bounds
from infusions.choices import CourseStopReason, SessionStatus
from infusions.hooks import cohort_flag_sql
from infusions.lifecycle import GIVEN_STATUSES
from infusions.models import InfusionSettings
from patients.choices import DEPRESSION_INDICATIONS, HEADACHE_INDICATIONS, Indication
from patients.diary import MonthSummary
from patients.models import PatientSettings
from patients.response import (
    MEASURE_NAMES,
    MIGRAINE_DAYS,
    REASON_LABELS,
    REMISSION_AT_MOST,
    REMISSION_BELOW,
    Observation,
    ResponseStatus,
    Status,
    is_responder,
    migraine_days_response,
    questionnaire_response,
)

HEADACHE_MEASURES = (MIGRAINE_DAYS, "hit6", "midas", "nrs_pain")


def cohort_measures(indication: str) -> tuple[str, ...]:
    """The measures a cohort's response is judged on, the primary one first (docs/clinical.md §9.6)."""
    if indication in DEPRESSION_INDICATIONS:
        return ("phq9",)
    if indication in HEADACHE_INDICATIONS:
        return HEADACHE_MEASURES
    return ("nrs_pain",)


def primary_measure(indication: str) -> str:
    """The first measure a cohort's response is judged on."""
    return cohort_measures(indication)[0]


@dataclass
class MeasureOutcome:
    """One measure's figures for one cohort row: evaluable patients and their response, the others by reason."""

    measure: str
    evaluable: int = 0
    responders: int = 0
    remissions: int = 0
    changes: list[int | Decimal] = field(default_factory=list)
    not_evaluable: Counter[str] = field(default_factory=Counter)  # reason code → patients

    def add(self, status: ResponseStatus) -> None:
        """Count one patient's figure (the same ``ResponseStatus`` the history page shows)."""
        if status.reason is not None or status.baseline is None or status.latest is None:
            self.not_evaluable[status.reason.code if status.reason else Status.NOT_EVALUABLE] += 1
            return
        self.evaluable += 1
        self.changes.append(status.latest.value - status.baseline.value)
        self.responders += is_responder(self.measure, status.baseline.value, status.latest.value)
        self.remissions += status.status == Status.REMISSION

    @property
    def label(self) -> str:
        return "NRS pain" if self.measure == "nrs_pain" else MEASURE_NAMES[self.measure]

    @property
    def has_remission(self) -> bool:
        return self.measure in REMISSION_BELOW or self.measure in REMISSION_AT_MOST

    @property
    def not_evaluable_total(self) -> int:
        return sum(self.not_evaluable.values())

    @property
    def not_evaluable_reasons(self) -> list[tuple[str, int]]:
        """(reason, patients), most frequent first, in the words the page shows."""
        return [(REASON_LABELS.get(code, "not evaluable"), n) for code, n in self.not_evaluable.most_common()]

    @property
    def response_rate(self) -> Decimal | None:
        return _rate(self.responders, self.evaluable)

    @property
    def remission_rate(self) -> Decimal | None:
        return _rate(self.remissions, self.evaluable) if self.has_remission else None

    @property
    def median_change(self) -> Decimal | None:
        if not self.changes:
            return None
        median = statistics.median(Decimal(change) for change in self.changes)
        return Decimal(str(median)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class CohortRow:
    protocol: str
    indication: str
    outcomes: list[MeasureOutcome]
    patients: int = 0
    sessions: int = 0
    sessions_with_side_effect: int = 0
    courses_completed: int = 0  # completed, or moved on to maintenance (the induction was completed)
    courses_stopped: int = 0
    courses_lapsed: int = 0  # still in induction, no session for the clinic's lapse limit: drop-outs in practice
    courses_under_way: int = 0
    stop_reasons: Counter[str] = field(default_factory=Counter)

    @property
    def indication_label(self) -> str:
        return Indication(self.indication).label if self.indication in Indication.values else self.indication

    @property
    def primary(self) -> MeasureOutcome:
        return self.outcomes[0]

    def outcome(self, measure: str) -> MeasureOutcome:
        return next(o for o in self.outcomes if o.measure == measure)

    @property
    def courses_dropped_out(self) -> int:
        return self.courses_stopped + self.courses_lapsed

    @property
    def courses_ended(self) -> int:
        return self.courses_completed + self.courses_dropped_out

    @property
    def completion_rate(self) -> Decimal | None:
        return _rate(self.courses_completed, self.courses_ended)

    @property
    def drop_out_reasons(self) -> list[tuple[str, int]]:
        """Stopped courses by reason (labels, most first), then the lapsed ones."""
        found = [(CourseStopReason(code).label if code in CourseStopReason.values else "Not recorded", n)
                 for code, n in self.stop_reasons.most_common()]  # fmt: skip
        return [*found, ("Lapsed", self.courses_lapsed)] if self.courses_lapsed else found

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
           CASE WHEN p.primary_indication = ANY(%(depression)s) THEN %(depression_measures)s::text[]
                WHEN p.primary_indication = ANY(%(headache)s) THEN %(headache_measures)s::text[]
                ELSE %(other_measures)s::text[] END AS measures
    FROM given g
    JOIN patients_patient p ON p.id = g.patient_id
)
SELECT k.protocol_id, pr.name, k.primary_indication, m.measure, m.n, k.sessions, k.with_side_effect,
       b.total, b.completed_at, l.total, l.completed_at, d.first_given, d.months
FROM cohort k
CROSS JOIN LATERAL unnest(k.measures) WITH ORDINALITY AS m(measure, n)
JOIN infusions_protocol pr ON pr.id = k.protocol_id
LEFT JOIN LATERAL (
    SELECT q.total, q.completed_at FROM patients_questionnaireresponse q
    WHERE q.patient_id = k.patient_id AND q.instrument = m.measure AND q.voided_at IS NULL
      AND q.completed_at < %(end)s
    ORDER BY (q.timepoint = 'baseline') DESC,
             CASE WHEN q.timepoint = 'baseline' THEN q.completed_at END DESC,
             q.completed_at ASC
    LIMIT 1
) b ON true
LEFT JOIN LATERAL (
    SELECT q.total, q.completed_at FROM patients_questionnaireresponse q
    WHERE q.patient_id = k.patient_id AND q.instrument = m.measure AND q.voided_at IS NULL
      AND q.completed_at > b.completed_at AND q.completed_at < %(end)s
    ORDER BY q.completed_at DESC
    LIMIT 1
) l ON true
LEFT JOIN LATERAL (
    SELECT (SELECT min(s.started_at) FROM infusions_infusionsession s
            WHERE s.patient_id = k.patient_id AND s.voided_at IS NULL AND s.status = ANY(%(given)s)) AS first_given,
           (SELECT json_agg(json_build_array(mm.y, mm.mo, mm.days, mm.headache, mm.migraine) ORDER BY mm.y, mm.mo)
            FROM (
                SELECT extract(year FROM e.entry_date)::int AS y, extract(month FROM e.entry_date)::int AS mo,
                       count(*) AS days, count(*) FILTER (WHERE e.had_headache) AS headache,
                       count(*) FILTER (WHERE {migraine_day}) AS migraine
                FROM patients_headachediaryentry e
                WHERE e.patient_id = k.patient_id AND e.voided_at IS NULL AND e.entry_date <= %(last_day)s
                GROUP BY 1, 2
            ) mm) AS months
    WHERE m.measure = %(migraine_days)s
) d ON true
"""
# A migraine day as patients/diary.py ``is_migraine_day`` says (docs/clinical.md §10.1), counted in the database: a
# year's headache cohort would otherwise send every diary row to Python. A test checks both agree.
MIGRAINE_DAY_SQL = "e.had_headache AND (e.migraine_features OR e.migraine_specific_medication)"

COURSES_SQL = """
SELECT c.protocol_id, pr.name, p.primary_indication,
       count(*) FILTER (WHERE c.status IN ('completed', 'maintenance')) AS completed,
       count(*) FILTER (WHERE c.status = 'stopped') AS stopped,
       count(*) FILTER (WHERE c.status = 'induction' AND l.last_day < %(lapsed_before)s) AS lapsed,
       count(*) FILTER (WHERE c.status = 'induction' AND l.last_day >= %(lapsed_before)s) AS under_way,
       array_agg(c.stop_reason_code) FILTER (WHERE c.status = 'stopped') AS stop_reasons
FROM infusions_treatmentcourse c
JOIN infusions_protocol pr ON pr.id = c.protocol_id
JOIN patients_patient p ON p.id = c.patient_id
CROSS JOIN LATERAL (
    SELECT coalesce((max(s.scheduled_for) AT TIME ZONE %(zone)s)::date, c.started_on) AS last_day
    FROM infusions_infusionsession s
    WHERE s.course_id = c.id AND s.voided_at IS NULL AND s.status <> ALL(%(not_held)s)
) l
WHERE c.voided_at IS NULL AND c.started_on >= %(first_day)s AND c.started_on <= %(last_day)s
GROUP BY 1, 2, 3
"""

# PostgreSQL compiles a statement with LLVM (JIT) when its estimated cost is high, as a year's cohort at 100,000
# patients is: the compilation alone took 2 to 5 s on Debian's PostgreSQL 15, for statements that run in tens of
# milliseconds (make bench, issue #8). The report turns it off for its own transaction only.
NO_JIT_SQL = "SET LOCAL jit = off"


def cohort_outcomes(
    first_day: dt.date, last_day: dt.date, *, min_coverage_percent: int | None = None, lapse_days: int | None = None
) -> list[CohortRow]:
    """The report's rows for the clinic-local days ``first_day`` to ``last_day`` inclusive: three queries, and one
    more each for the diary-coverage setting (``PatientSettings``) and the course lapse limit (``InfusionSettings``)
    unless the caller passes them."""
    start, end = local_day_bounds(first_day, last_day)
    if min_coverage_percent is None:
        min_coverage_percent = PatientSettings.current().diary_min_coverage_percent
    if lapse_days is None:
        lapse_days = InfusionSettings.current().course_lapse_days
    as_of = min(last_day, timezone.localdate())
    params: dict[str, Any] = {
        "start": start,
        "end": end,
        "first_day": first_day,
        "last_day": last_day,
        "given": [str(s) for s in GIVEN_STATUSES],
        "depression": [str(i) for i in DEPRESSION_INDICATIONS],
        "headache": [str(i) for i in HEADACHE_INDICATIONS],
        "depression_measures": list(cohort_measures(Indication.TRD)),
        "headache_measures": list(HEADACHE_MEASURES),
        "other_measures": list(cohort_measures("")),
        "migraine_days": MIGRAINE_DAYS,
        # A course lapses after ``lapse_days`` without a session (infusions.courses.is_lapsed, in SQL).
        "lapsed_before": timezone.localdate() - dt.timedelta(days=lapse_days),
        "zone": timezone.get_current_timezone_name(),
        "not_held": [str(SessionStatus.CANCELLED), str(SessionStatus.NO_SHOW)],
    }
    rows: dict[tuple[int, str], CohortRow] = {}

    def row(protocol_id: int, protocol: str, indication: str) -> CohortRow:
        key = (protocol_id, indication)
        if key not in rows:
            rows[key] = CohortRow(protocol, indication, [MeasureOutcome(m) for m in cohort_measures(indication)])
        return rows[key]

    sql = COHORT_SQL.replace("{side_effect_sessions}", cohort_flag_sql("side_effect"))
    sql = sql.replace("{migraine_day}", MIGRAINE_DAY_SQL)
    # savepoint=False: inside the request's transaction (ATOMIC_REQUESTS) this adds no SAVEPOINT statements.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(NO_JIT_SQL)
        cursor.execute(sql, params)
        for protocol_id, protocol, indication, measure, n, sessions, with_side_effect, *outcome in cursor.fetchall():
            r = row(protocol_id, protocol, indication)
            if n == 1:  # one line per measure: the patient and the sessions are counted on the first
                r.patients += 1
                r.sessions += sessions
                r.sessions_with_side_effect += with_side_effect
            r.outcome(measure).add(_status(measure, *outcome, as_of=as_of, min_coverage=min_coverage_percent))
        cursor.execute(COURSES_SQL, params)
        for protocol_id, protocol, indication, completed, stopped, lapsed, under_way, reasons in cursor.fetchall():
            r = row(protocol_id, protocol, indication)
            r.courses_completed, r.courses_stopped, r.courses_lapsed = completed, stopped, lapsed
            r.courses_under_way, r.stop_reasons = under_way, Counter(reasons or [])
    return sorted(rows.values(), key=lambda r: (r.protocol, r.indication_label))


def _local_observation(total: int | None, at: dt.datetime | None) -> Observation | None:
    """A form's total on the clinic's local day, as the history page dates it (the database hands back UTC: a
    form filled in at 20:00 in New York is on the next day in UTC)."""
    if total is None or at is None:
        return None
    return Observation(total, at.astimezone(timezone.get_current_timezone()).date())  # localtime(), minus its checks


def _status(
    measure: str, base: int | None, base_at: dt.datetime | None, latest: int | None, latest_at: dt.datetime | None,
    first_given: dt.datetime | None, months: list[list[int]] | None, *, as_of: dt.date, min_coverage: int,
) -> ResponseStatus:  # fmt: skip
    """One patient's figure for one measure, by the same rules as the history page (patients/response.py)."""
    if measure == MIGRAINE_DAYS:
        first = timezone.localtime(first_given).date() if first_given is not None else None
        summaries = [MonthSummary.of(*month) for month in months or []]
        return migraine_days_response(summaries, first, as_of=as_of, min_coverage_percent=min_coverage)
    status = questionnaire_response(measure, _local_observation(base, base_at), _local_observation(latest, latest_at))
    if status is None:  # every cohort measure has a responder rule
        raise ValueError(f"{measure} has no responder rule")
    return status


TOTAL_KEYS = ("patients", "sessions", "sessions_with_side_effect", "courses_completed", "courses_stopped",
              "courses_lapsed")  # fmt: skip


def totals(rows: list[CohortRow]) -> dict[str, int]:
    """The report's last line: each count summed over the rows, in one pass."""
    sums = dict.fromkeys(TOTAL_KEYS, 0)
    for r in rows:
        for key in TOTAL_KEYS:
            sums[key] += getattr(r, key)
    return sums
