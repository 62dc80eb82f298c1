"""Reads for the clinician's history page and the referral summary: one timeline, the chart series and the response
status of each measure, in a fixed number of queries whatever the length of the record.

The rules themselves are pure functions in ``patients/response.py`` and ``patients/scoring.py``; this module only
chooses the baseline and latest values they are given, and says which baseline it used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from clinic.formatting import DASH, or_dash, trim_decimal, two_places
from infusions import hooks
from infusions.choices import SessionStatus
from infusions.lifecycle import GIVEN_STATUSES
from infusions.models import Addendum, InfusionSession, TreatmentCourse
from patients.choices import HEADACHE_INDICATIONS
from patients.diary import MonthSummary, monthly_summaries
from patients.models import Patient, PatientSettings, QuestionnaireResponse, Timepoint
from patients.response import (
    RULES,
    Observation,
    ResponseStatus,
    headache_session_response,
    migraine_days_response,
    not_evaluable,
    pain_status,
    questionnaire_response,
)
from patients.scoring import INSTRUMENTS

# The timeline's own kinds: (tab label, order, shows the time of day). Apps above add theirs through
# ``hooks.register_history_source`` (side effects come second, at 20).
CORE_KINDS: dict[str, tuple[str, int, bool]] = {
    "session": ("Sessions", 10, True),
    "questionnaire": ("Questionnaires", 30, True),
    "screening": ("Screening", 40, False),
    "consent": ("Consent", 50, False),
    "note": ("Addenda", 60, True),
    "course": ("Courses", 70, False),
}


def _kinds() -> list[tuple[str, str, int, bool]]:
    found = [(kind, label, order, timed) for kind, (label, order, timed) in CORE_KINDS.items()]
    found += [(s.kind, s.label, s.order, s.shows_time) for s in hooks.history_sources()]
    return sorted(found, key=lambda k: k[2])


def timeline_kinds() -> dict[str, str]:
    """Each kind of timeline entry and its tab label, in tab order."""
    return {kind: label for kind, label, _, _ in _kinds()}


def _timed_kinds() -> set[str]:
    return {kind for kind, _, _, timed in _kinds() if timed}


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str
    title: str
    detail: str = ""
    url: str = ""
    flag: str = ""  # a short word shown as a badge ("Grade 3", "Voided", "Suicide risk")

    @property
    def kind_label(self) -> str:
        return timeline_kinds()[self.kind]

    @property
    def shows_time(self) -> bool:
        """Whether the time of day means something (a session, a form); screening and consent have dates only."""
        return self.kind in _timed_kinds()


class DeferredEntry:
    """A timeline entry whose words and link are made only when it is read: the page shows 50 entries of a timeline
    that holds every session, so most are only sorted and filtered (make bench, issue #8: a 320-session record)."""

    __slots__ = ("_entry", "_make", "_source", "at", "kind")

    _entry: TimelineEntry | None

    def __init__(self, at: dt.datetime, kind: str, make: Callable[[Any], TimelineEntry], source: Any) -> None:
        self.at, self.kind, self._make, self._source, self._entry = at, kind, make, source, None

    def __getattr__(self, name: str) -> Any:  # title, detail, url, flag, kind_label
        if name.startswith("_"):
            raise AttributeError(name)
        if self._entry is None:
            self._entry = self._make(self._source)
        return getattr(self._entry, name)


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """What the history page reads of one session, built from one row of values: a model instance per session (with
    its course and protocol) cost most of the page's time for a 320-session record (make bench, issue #8). Its fields
    bear the model's names, so the page's rules read it as they would an ``InfusionSession``; ``course`` is the
    patient's course, read once with its protocol."""

    course: TreatmentCourse
    pk: int
    status: str
    scheduled_for: dt.datetime
    started_at: dt.datetime | None
    dose_per_kg: Decimal | None
    total_mg: Decimal | None
    planned_dose_mg: Decimal | None
    start_rate_ml_h: Decimal | None
    pain_before: int | None
    pain_after: int | None
    cancel_reason: str

    def get_status_display(self) -> str:
        return str(SessionStatus(self.status).label)

    def get_absolute_url(self) -> str:
        return reverse("infusions:session_chart", kwargs={"pk": self.pk})

    @property
    def given_mg(self) -> Decimal | None:
        """The mg given, or the planned mg while no total is recorded."""
        return self.total_mg if self.total_mg is not None else self.planned_dose_mg


# The columns read for a summary: its fields after ``course`` (looked up from ``course_id``), in order.
SUMMARY_COLUMNS = tuple(f.name for f in fields(SessionSummary) if f.name != "course")

# A given session as the history reads it: a summary on the page, the model instance on the printable summary,
# which verifies each one's signature.
GivenSession = SessionSummary | InfusionSession


@dataclass(frozen=True, slots=True)
class SessionRow:
    """A given session as the charts' value tables show it, formatted once in Python: through template filters the
    two tables of a 320-session record took 30 ms (make bench, issue #8). Formatted by ``clinic.formatting``, as the
    filters are."""

    day: str
    pain_before: str
    pain_after: str
    dose: str
    total: str


def session_rows(sessions: Sequence[GivenSession]) -> list[SessionRow]:
    """The value tables' rows: as the template filters ``date:"j M Y"``, ``default_if_none:"—"``, ``trim`` and
    ``floatformat:"-2"`` would show them, with the month names and the time zone looked up once."""
    zone = timezone.get_current_timezone()
    months = {month: date_format(dt.date(2000, month, 1), "M") for month in range(1, 13)}
    rows = []
    for session in sessions:
        if session.started_at is None:  # given sessions have started
            continue
        day = session.started_at.astimezone(zone)
        if session.total_mg is not None:
            total = f"{two_places(session.total_mg)} mg"
        elif session.planned_dose_mg is not None:
            total = f"{two_places(session.planned_dose_mg)} mg planned"
        else:
            total = DASH
        dose = trim_decimal(session.dose_per_kg) if session.dose_per_kg is not None else DASH
        rows.append(
            SessionRow(
                day=f"{day.day} {months[day.month]} {day.year}",
                pain_before=or_dash(session.pain_before),
                pain_after=or_dash(session.pain_after),
                dose=f"{dose} {session.course.protocol.unit}",
                total=total,
            )
        )
    return rows


@dataclass
class PatientHistory:
    patient: Patient
    timeline: list[TimelineEntry | DeferredEntry]
    sessions: list[GivenSession]  # given sessions, oldest first: summaries, or model instances with session_records
    courses: list[TreatmentCourse]
    questionnaires: dict[str, list[QuestionnaireResponse]]  # per instrument, oldest first
    statuses: list[ResponseStatus]
    diary_months: list[MonthSummary]  # oldest first
    acute_headache: tuple[int, int] | None  # (responders, scored sessions) for headache patients
    sources: dict[str, list[Any]] = field(default_factory=dict)  # each registered history source's records
    charts: dict[str, Any] = field(default_factory=dict)
    session_rows: list[SessionRow] = field(default_factory=list)  # the given sessions, oldest first

    @property
    def last_given(self) -> GivenSession | None:
        return self.sessions[-1] if self.sessions else None

    @property
    def dose_range(self) -> tuple[Decimal, Decimal] | None:
        doses = [s.dose_per_kg for s in self.sessions if s.dose_per_kg is not None]
        return (min(doses), max(doses)) if doses else None

    @property
    def summaries(self) -> list[dict[str, Any]]:
        """The registered sources' parts of the printable summary: ``template`` and its ``context``."""
        return [
            {"template": s.summary_template, "context": s.summary(self.sources.get(s.kind, [])) if s.summary else {}}
            for s in hooks.history_sources()
            if s.summary_template
        ]


def _aware(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())


def _session_entry(session: SessionSummary) -> TimelineEntry:
    parts = [str(session.course.protocol)]
    if session.dose_per_kg is not None:
        unit = session.course.protocol.unit
        mg = session.given_mg
        parts.append(f"{trim_decimal(session.dose_per_kg)} {unit}" + (f" = {trim_decimal(mg)} mg" if mg else ""))
    if session.start_rate_ml_h is not None:
        parts.append(f"start rate {trim_decimal(session.start_rate_ml_h)} mL/h")
    if session.pain_before is not None or session.pain_after is not None:
        parts.append(f"pain {or_dash(session.pain_before)} → {or_dash(session.pain_after)}")
    if session.cancel_reason:
        parts.append(session.cancel_reason)
    return TimelineEntry(
        at=_started(session),
        kind="session",
        title=f"Session: {session.get_status_display().lower()}",
        detail=" · ".join(parts),
        url=session.get_absolute_url(),
    )


def _questionnaire_entry(row: QuestionnaireResponse) -> TimelineEntry:
    flag = "Suicide risk" if row.suicide_risk else ""
    return TimelineEntry(
        at=row.completed_at,
        kind="questionnaire",
        title=f"{row.definition.name} {row.total}",
        detail=f"{row.band_label} · {row.get_timepoint_display()}",
        url=reverse("patients:questionnaire_detail", args=[row.patient_id, row.pk]),
        flag=flag,
    )


def baseline_and_latest(rows: list[QuestionnaireResponse]) -> tuple[Observation | None, Observation | None, str]:
    """Baseline: the latest form marked "baseline", else the first recorded. Latest: the newest one after it. Dated
    by the clinic's local day (``timezone.localtime``), as the cohort report dates them (docs/clinical.md §9.1)."""
    if not rows:
        return None, None, ""
    marked = [r for r in rows if r.timepoint == Timepoint.BASELINE]
    base = marked[-1] if marked else rows[0]
    note = "marked baseline" if marked else "first recorded"
    after = [r for r in rows if r.completed_at > base.completed_at]
    latest = after[-1] if after else None

    def observe(row: QuestionnaireResponse | None) -> Observation | None:
        return None if row is None else Observation(row.total, timezone.localtime(row.completed_at).date())

    return observe(base), observe(latest), note


def _started(session: GivenSession) -> dt.datetime:
    """When a session started (every given one has), else its booked time: where the timeline and charts date it."""
    return session.started_at or session.scheduled_for


def _session_pain(sessions: Sequence[GivenSession]) -> tuple[Observation | None, Observation | None]:
    scored = [s for s in sessions if s.pain_before is not None]
    if not scored:
        return None, None
    first, last = scored[0], scored[-1]
    return _pain_before(first), _pain_before(last) if last is not first else None


def _pain_before(session: GivenSession) -> Observation | None:
    if session.pain_before is None:
        return None
    return Observation(session.pain_before, timezone.localtime(_started(session)).date())


def response_statuses(
    patient: Patient,
    questionnaires: dict[str, list[QuestionnaireResponse]],
    sessions: Sequence[GivenSession],
    months: list[MonthSummary],
) -> list[ResponseStatus]:
    """Each measure with a responder rule, its baseline and latest, and its status, or why it is not evaluable
    (``patients/response.py``). The diary's coverage setting is read only for headache patients (one query)."""
    statuses = []
    for code, rows in questionnaires.items():
        baseline, latest, note = baseline_and_latest(rows)
        status = questionnaire_response(code, baseline, latest, note)
        if status is not None:
            statuses.append(status)
    if any(s.pain_before is not None for s in sessions):
        baseline, latest = _session_pain(sessions)
        statuses.append(
            ResponseStatus(
                "Pain before infusion (NRS)",
                baseline,
                latest,
                pain_status(baseline, latest),
                RULES["nrs_pain"],
                "pain before the first scored infusion",
                reason=not_evaluable("nrs_pain", baseline, latest),
            )
        )
    if patient.primary_indication in HEADACHE_INDICATIONS:  # first: what migraine treatment aims at
        first = timezone.localtime(_started(sessions[0])).date() if sessions else None
        statuses.insert(
            0,
            migraine_days_response(
                months,
                first,
                as_of=timezone.localdate(),
                min_coverage_percent=PatientSettings.current().diary_min_coverage_percent,
            ),
        )
    return statuses


def _chart_data(history: PatientHistory) -> dict[str, Any]:
    """Series for static/js/outcome_charts.js; dates as ISO strings, numbers as floats."""

    def day(value: dt.datetime) -> str:
        return timezone.localtime(value).date().isoformat()

    scores = []
    for code, rows in history.questionnaires.items():
        definition = INSTRUMENTS[code]
        scores.append(
            {
                "code": code,
                "name": definition.name,
                "min": definition.min_score,
                "max": definition.max_score if code != "midas" else max(40, *(r.total for r in rows)),
                "bands": [{"low": b.low, "high": b.high, "label": b.label} for b in definition.bands],
                "points": [{"x": day(r.completed_at), "y": r.total} for r in rows],
            }
        )
    sessions = history.sessions
    zone = timezone.get_current_timezone()
    labels, before, after, per_kg, mg = [], [], [], [], []
    for s in sessions:  # one pass, each day converted once
        labels.append(_started(s).astimezone(zone).date().isoformat())
        before.append(s.pain_before)
        after.append(s.pain_after)
        per_kg.append(float(s.dose_per_kg) if s.dose_per_kg is not None else None)
        given = s.total_mg if s.total_mg is not None else s.planned_dose_mg
        mg.append(float(given) if given is not None else None)
    return {
        "scores": scores,
        "pain": {
            "shown": any(b is not None or a is not None for b, a in zip(before, after, strict=True)),
            "labels": labels,
            "before": before,
            "after": after,
        },
        "dose": {
            "labels": list(labels),
            "per_kg": per_kg,
            "mg": mg,
            "unit": sessions[0].course.protocol.unit if sessions else "mg/kg",
        },
        "migraine_days": {
            "labels": [m.label for m in history.diary_months],
            "headache": [m.headache_days for m in history.diary_months],
            "migraine": [m.migraine_days for m in history.diary_months],
        },
    }


def _by_instrument(rows: Iterable[QuestionnaireResponse]) -> dict[str, list[QuestionnaireResponse]]:
    grouped: dict[str, list[QuestionnaireResponse]] = {code: [] for code in INSTRUMENTS}
    for row in rows:
        grouped[row.instrument].append(row)
    return {code: rows for code, rows in grouped.items() if rows}


def patient_history(patient: Patient, *, session_records: bool = False) -> PatientHistory:
    """Everything the history page and the summary show: seven queries (eight for a headache patient, whose diary
    coverage setting is read), whatever the number of sessions.

    Sessions are read as values (``SessionSummary``) in one pass that builds the timeline and picks the given ones.
    ``session_records``: ``sessions`` holds the given sessions as model instances too (one more query), for the
    printable summary, which verifies each one's signature."""
    all_courses = list(patient.courses.select_related("protocol").order_by("started_on", "pk"))
    course_by_id = {c.pk: c for c in all_courses}
    courses = [c for c in all_courses if c.voided_at is None]
    active_sessions = patient.infusion_sessions.active().order_by("scheduled_for", "pk")
    timeline: list[TimelineEntry | DeferredEntry] = []
    summaries: list[SessionSummary] = []
    for course_id, *values in active_sessions.values_list("course_id", *SUMMARY_COLUMNS):
        session = SessionSummary(course_by_id[course_id], *values)
        timeline.append(DeferredEntry(_started(session), "session", _session_entry, session))
        if session.status in GIVEN_STATUSES and session.started_at is not None:
            summaries.append(session)
    summaries.sort(key=_started)
    given: list[GivenSession] = list(summaries)
    if session_records:
        records = active_sessions.filter(pk__in=[s.pk for s in summaries]).select_related("course__protocol").in_bulk()
        given = [records[s.pk] for s in summaries]
    questionnaires = _by_instrument(patient.questionnaires.active().order_by("completed_at", "pk"))
    sources = {source.kind: source.records(patient) for source in hooks.history_sources()}
    addenda = list(Addendum.objects.active().filter(session__patient=patient).select_related("created_by", "session"))
    screenings = list(patient.screenings.active().order_by("screened_on", "pk"))
    consents = list(patient.consents.active().order_by("signed_on", "pk"))
    # "patient" too: the related manager checks each row's patient_id, which would otherwise be loaded one row at a
    # time (a query per diary day; found by the headache history's query-count test, issue #16).
    diary = patient.diary_entries.active().only(
        "patient", "entry_date", "had_headache", "migraine_features", "migraine_specific_medication"
    )
    months = sorted(monthly_summaries(diary), key=lambda m: (m.year, m.month))

    timeline += [
        DeferredEntry(q.completed_at, "questionnaire", _questionnaire_entry, q)
        for rows in questionnaires.values()
        for q in rows
    ]
    for source in hooks.history_sources():
        timeline += [DeferredEntry(source.at(r), source.kind, source.entry, r) for r in sources[source.kind]]
    timeline += [
        TimelineEntry(
            at=a.created_at,
            kind="note",
            title="Addendum to the session of " + timezone.localtime(a.session.scheduled_for).strftime("%d %b %Y"),
            detail=f"{a.text} ({a.created_by.display_name if a.created_by else '—'})",
            url=a.session.get_absolute_url(),
        )
        for a in addenda
    ]
    timeline += [
        TimelineEntry(
            at=_aware(s.screened_on),
            kind="screening",
            title=f"Contraindication screening: {s.get_status_display().lower()}",
            detail=s.review_note or s.justification or "",
            url=f"{patient.get_absolute_url()}#section-screening",
        )
        for s in screenings
    ]
    for c in consents:
        timeline.append(
            TimelineEntry(
                at=_aware(c.signed_on),
                kind="consent",
                title=f"Consent signed: {c.get_consent_type_display()}",
                detail=f"Form {c.form_version}" + (f", expires {c.expires_on:%d %b %Y}" if c.expires_on else ""),
                url=f"{patient.get_absolute_url()}#section-consent",
            )
        )
        if c.withdrawn_on:
            timeline.append(
                TimelineEntry(at=_aware(c.withdrawn_on), kind="consent", title="Consent withdrawn", flag="Withdrawn")
            )
    timeline += [
        TimelineEntry(
            at=_aware(c.started_on),
            kind="course",
            title=f"Course ordered: {c.protocol}",
            detail=f"{c.planned_sessions} planned sessions · {c.get_status_display()}"
            + (f" · stopped: {c.stop_reason}" if c.stop_reason else ""),
            url=c.get_absolute_url(),
        )
        for c in courses
    ]
    timeline.sort(key=lambda e: e.at, reverse=True)

    scored_headache = None
    if patient.primary_indication in HEADACHE_INDICATIONS:
        verdicts = [headache_session_response(s.pain_before, s.pain_after) for s in given]
        scored = [v for v in verdicts if v is not None]
        scored_headache = (sum(scored), len(scored))

    history = PatientHistory(
        patient=patient,
        timeline=timeline,
        sessions=given,
        courses=courses,
        questionnaires=questionnaires,
        statuses=response_statuses(patient, questionnaires, given, months),
        diary_months=months,
        acute_headache=scored_headache,
        sources=sources,
    )
    history.charts = _chart_data(history)
    history.session_rows = session_rows(given)
    return history
