"""The clinician's history page, the referral summary and the cohort outcome report."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import PatientAccessEvent
from infusions.history import patient_history
from infusions.models import InfusionSession
from infusions.reports import NO_JIT_SQL, cohort_outcomes
from patients.response import Status
from tests.clock import t0
from tests.factories import PatientFactory
from tests.infusions.factories import MIGRAINE_PROTOCOL, CourseFactory, SessionFactory, protocol
from tests.patients.factories import DiaryEntryFactory, QuestionnaireFactory
from tests.side_effects.factories import SideEffectFactory

pytestmark = pytest.mark.django_db


def days_ago(n: float) -> dt.datetime:
    return t0() - dt.timedelta(days=n)


def given_session(course, at: dt.datetime, **fields) -> InfusionSession:
    values = {"status": "discharged", "started_at": at, "dose_per_kg": Decimal("0.5"), "planned_dose_mg": 35, **fields}
    return SessionFactory(course=course, scheduled_for=at - dt.timedelta(minutes=15), **values)


def depression_patient_with_phq9(*totals: int, days: tuple[int, ...] | None = None):
    patient = PatientFactory(primary_indication="trd")
    days = days or tuple(range(len(totals) * 10, 0, -10))
    for n, (total, day) in enumerate(zip(totals, days, strict=True)):
        QuestionnaireFactory(patient=patient, total=total, completed_at=days_ago(day),
                             timepoint="baseline" if n == 0 else "pre_session")  # fmt: skip
    return patient


# History: response status on crafted histories ---------------------------------------------------------------------


def test_phq9_from_20_to_4_is_remission_with_the_baseline_shown():
    patient = depression_patient_with_phq9(20, 12, 4)
    status = next(s for s in patient_history(patient).statuses if s.measure == "PHQ-9")
    assert status.status == Status.REMISSION
    assert (status.baseline.value, status.latest.value, status.baseline_note) == (20, 4, "marked baseline")
    assert status.percent_change == Decimal("-80.0")


def test_a_later_form_marked_baseline_resets_the_baseline():
    patient = depression_patient_with_phq9(20, 18, 9, days=(60, 40, 5))
    QuestionnaireFactory(patient=patient, total=18, completed_at=days_ago(30), timepoint="baseline")
    status = next(s for s in patient_history(patient).statuses if s.measure == "PHQ-9")
    assert (status.baseline.value, status.latest.value) == (18, 9)
    assert status.status == Status.RESPONSE


def test_voided_questionnaires_do_not_count():
    patient = depression_patient_with_phq9(20, 4)
    latest = patient.questionnaires.order_by("-completed_at").first()
    latest.voided_at = t0()
    latest.save()
    status = next(s for s in patient_history(patient).statuses if s.measure == "PHQ-9")
    assert status.status == Status.NOT_EVALUABLE


def test_session_pain_gives_pain_response_and_the_acute_headache_count():
    patient = PatientFactory(primary_indication="chronic_migraine")
    course = CourseFactory(patient=patient, protocol=protocol(MIGRAINE_PROTOCOL), ordered_dose=Decimal("0.1"),
                           ordered_max=Decimal("1.0"))  # fmt: skip
    given_session(course, days_ago(20), pain_before=8, pain_after=5)
    given_session(course, days_ago(10), pain_before=6, pain_after=5)
    given_session(course, days_ago(2), pain_before=4, pain_after=1)
    history = patient_history(patient)
    pain = next(s for s in history.statuses if s.measure.startswith("Pain"))
    assert (pain.baseline.value, pain.latest.value, pain.status) == (8, 4, Status.SUBSTANTIAL)
    assert history.acute_headache == (2, 3)


def test_monthly_migraine_days_compare_the_month_before_the_first_infusion_with_a_later_month():
    patient = PatientFactory(primary_indication="chronic_migraine")
    course = CourseFactory(patient=patient, protocol=protocol(MIGRAINE_PROTOCOL), ordered_dose=Decimal("0.1"),
                           ordered_max=Decimal("1.0"))  # fmt: skip
    today = timezone.localdate()
    first_of_month = today.replace(day=1)
    baseline_month = (first_of_month - dt.timedelta(days=70)).replace(day=1)
    treated_month = (first_of_month - dt.timedelta(days=1)).replace(day=1)
    given_session(course, timezone.make_aware(dt.datetime.combine(baseline_month + dt.timedelta(days=40), dt.time(9))))
    for n in range(12):
        DiaryEntryFactory(patient=patient, entry_date=baseline_month + dt.timedelta(days=n), had_headache=True,
                          migraine_features=True)  # fmt: skip
    for n in range(5):
        DiaryEntryFactory(patient=patient, entry_date=treated_month + dt.timedelta(days=n), had_headache=True,
                          migraine_features=True)  # fmt: skip
    status = next(s for s in patient_history(patient).statuses if s.measure == "Monthly migraine days")
    assert (status.baseline.value, status.latest.value, status.status) == (12, 5, Status.RESPONSE)


# History page ------------------------------------------------------------------------------------------------------


def build_patient_with_sessions(n: int):
    patient = depression_patient_with_phq9(19, 12, 6)
    course = CourseFactory(patient=patient)
    sessions = [
        InfusionSession(course=course, patient=patient, chair="1", status="discharged",
                        scheduled_for=days_ago(n - i + 0.1), started_at=days_ago(n - i), dose_per_kg=Decimal("0.5"))
        for i in range(n)
    ]  # fmt: skip
    InfusionSession.objects.bulk_create(sessions)
    SideEffectFactory(patient=patient, session=sessions[0], onset_at=days_ago(n))
    return patient


@pytest.mark.parametrize("sessions", [1, 200])
def test_history_page_query_count_is_flat(clinician_client, django_assert_max_num_queries, sessions):
    patient = build_patient_with_sessions(sessions)
    with django_assert_max_num_queries(30):
        response = clinician_client.get(reverse("infusions:patient_history", args=[patient.pk]))
    assert response.status_code == HTTPStatus.OK
    assert b'data-testid="response-status"' in response.content


def test_history_page_shows_charts_data_and_logs_the_access(clinician_client):
    patient = build_patient_with_sessions(3)
    response = clinician_client.get(reverse("infusions:patient_history", args=[patient.pk]))
    text = response.content.decode()
    assert 'id="outcome-chart-data"' in text
    assert 'id="chart-score-phq9"' in text
    assert "js/outcome_charts.js" in text
    assert PatientAccessEvent.objects.filter(patient=patient, category="history").count() == 1


def test_timeline_filter_takes_only_known_kinds(clinician_client):
    patient = build_patient_with_sessions(2)
    url = reverse("infusions:patient_history", args=[patient.pk])
    only_q = clinician_client.get(url, {"kind": "questionnaire"}).content.decode()
    assert 'data-kind="questionnaire"' in only_q
    assert 'data-kind="session"' not in only_q
    anything = clinician_client.get(url, {"kind": "<script>"}).content.decode()
    assert 'data-kind="session"' in anything
    assert "<script>" not in anything.split("<main", 1)[1].split('id="outcome-chart-data"')[0]


def test_timeline_is_newest_first():
    patient = build_patient_with_sessions(5)
    timeline = patient_history(patient).timeline
    assert [e.at for e in timeline] == sorted((e.at for e in timeline), reverse=True)


def test_value_table_rows_read_as_the_template_filters_would_show_them():
    """The charts' value tables are formatted in Python (issue #8); they must read exactly as the filters did."""
    from django.template import Context, Template

    from infusions.history import session_rows

    course = CourseFactory(patient=PatientFactory())
    sessions = [
        given_session(course, days_ago(3), total_mg=Decimal("36.25"), pain_before=7, pain_after=3),
        given_session(
            course, days_ago(2), total_mg=None, planned_dose_mg=Decimal("40.00"), dose_per_kg=Decimal("0.100")
        ),
        given_session(course, days_ago(1), total_mg=None, planned_dose_mg=None, dose_per_kg=None),
    ]
    filters = Template(
        '{% load chart %}{{ s.started_at|date:"j M Y" }}|{{ s.pain_before|default_if_none:"—" }}|'
        '{{ s.pain_after|default_if_none:"—" }}|{{ s.dose_per_kg|trim|default:"—" }} {{ s.course.protocol.unit }}|'
        '{% if s.total_mg is not None %}{{ s.total_mg|floatformat:"-2" }} mg{% elif s.planned_dose_mg is not None %}'
        '{{ s.planned_dose_mg|floatformat:"-2" }} mg planned{% else %}—{% endif %}'
    )
    for session, row in zip(sessions, session_rows(sessions), strict=True):
        assert "|".join([row.day, row.pain_before, row.pain_after, row.dose, row.total]) == filters.render(
            Context({"s": session})
        )


def test_timeline_entries_are_worded_when_read():
    patient = build_patient_with_sessions(3)
    entries = patient_history(patient).timeline
    session_entry = next(e for e in entries if e.kind == "session")
    assert session_entry.title == "Session: discharged"
    assert session_entry.url.startswith("/infusions/sessions/")
    assert session_entry.kind_label == "Sessions"
    side_effect = next(e for e in entries if e.kind == "side_effect")
    assert (side_effect.title, side_effect.flag) == ("Side effect: Dissociation", "Grade 1")


def test_summary_for_the_referrer_shows_outcomes_and_logs_a_print(clinician_client):
    patient = build_patient_with_sessions(3)
    response = clinician_client.get(reverse("infusions:patient_summary", args=[patient.pk]))
    text = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Remission" in text or "Response" in text
    assert "3 infusions given" in text
    assert PatientAccessEvent.objects.filter(patient=patient, action="print").count() == 1


# Cohort report -----------------------------------------------------------------------------------------------------


@pytest.fixture
def cohort():
    """Three depression patients in the period and one outside it.

    A: course of 2 planned, 2 given, PHQ-9 20 → 4 (remission, response), one side effect.
    B: course of 6 planned, stopped after 1, PHQ-9 18 → 12 (no response).
    C: course of 6 planned, 1 given so far, only a baseline (not evaluable).
    D: treated a year before the period: not counted.
    """
    a = depression_patient_with_phq9(20, 4, days=(40, 5))
    course_a = CourseFactory(patient=a, planned_sessions=2, started_on=timezone.localdate() - dt.timedelta(days=30))
    first = given_session(course_a, days_ago(30))
    given_session(course_a, days_ago(20))
    SideEffectFactory(patient=a, session=first, onset_at=days_ago(30))
    b = depression_patient_with_phq9(18, 12, days=(40, 5))
    course_b = CourseFactory(patient=b, status="stopped", stop_reason="Moved away",
                             started_on=timezone.localdate() - dt.timedelta(days=30))  # fmt: skip
    given_session(course_b, days_ago(25))
    c = depression_patient_with_phq9(16, days=(40,))
    given_session(CourseFactory(patient=c, started_on=timezone.localdate() - dt.timedelta(days=15)), days_ago(14))
    d = depression_patient_with_phq9(22, 3, days=(500, 450))
    given_session(CourseFactory(patient=d, started_on=timezone.localdate() - dt.timedelta(days=480)), days_ago(470))
    return a, b, c, d


@pytest.mark.clock
def test_cohort_figures_on_a_known_data_set(cohort):
    today = timezone.localdate()
    (row,) = cohort_outcomes(today - dt.timedelta(days=60), today)
    assert (row.protocol, row.indication, row.measure) == ("Depression: 0.5 mg/kg over 40 min", "trd", "phq9")
    assert (row.patients, row.sessions) == (3, 4)
    assert (row.courses_completed, row.courses_stopped_early, row.courses_under_way) == (1, 1, 1)
    assert row.completion_rate == Decimal("50.0")
    assert (row.evaluable, row.responders, row.remissions) == (2, 1, 1)
    assert row.response_rate == Decimal("50.0")
    assert row.median_change == Decimal("-11.0")  # median of -16 and -6
    assert (row.sessions_with_side_effect, row.side_effect_rate) == (1, Decimal("25.0"))


@pytest.mark.clock
def test_a_session_with_two_side_effects_counts_once_and_voided_ones_not_at_all(cohort):
    a, b, _, _ = cohort
    first = a.infusion_sessions.order_by("started_at").first()
    SideEffectFactory(patient=a, session=first, onset_at=first.started_at)
    SideEffectFactory(patient=b, session=b.infusion_sessions.get(), onset_at=days_ago(25), voided_at=t0(),
                        void_reason="Entered for the wrong patient")  # fmt: skip
    today = timezone.localdate()
    (row,) = cohort_outcomes(today - dt.timedelta(days=60), today)
    assert (row.sessions, row.sessions_with_side_effect) == (4, 1)


def test_cohort_is_read_in_one_pass_with_jit_off(cohort):
    """One statement for the cohort (a patient without any questionnaire still counts, as a patient who is not
    evaluable) and one for the courses, after turning PostgreSQL's JIT compilation off for the transaction."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    no_forms = PatientFactory(primary_indication="trd")
    given_session(CourseFactory(patient=no_forms, started_on=timezone.localdate() - dt.timedelta(days=12)),
                  days_ago(10))  # fmt: skip
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as queries:
        (row,) = cohort_outcomes(today - dt.timedelta(days=60), today)
    assert queries.captured_queries[0]["sql"] == NO_JIT_SQL
    assert len(queries) == 3
    assert (row.patients, row.sessions, row.evaluable, row.responders) == (4, 5, 2, 1)
    assert (row.courses_completed, row.courses_stopped_early, row.courses_under_way) == (1, 1, 2)


def test_cohort_report_page_and_csv(clinician_client, cohort, django_assert_max_num_queries):
    today = timezone.localdate()
    period = {"start": (today - dt.timedelta(days=60)).isoformat(), "end": today.isoformat()}
    with django_assert_max_num_queries(16):
        page = clinician_client.get(reverse("infusions:cohort_report"), period)
    assert page.status_code == HTTPStatus.OK
    assert "Treatment-resistant depression" in page.content.decode()
    export = clinician_client.get(reverse("infusions:cohort_export"), period)
    assert export["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert len(rows) == 1
    assert rows[0]["patients"] == "3"
    assert rows[0]["response_pct"] == "50.0"
    assert rows[0]["remission_pct"] == "50.0"
    for patient in cohort:  # aggregate figures only: no identifier of any patient
        assert patient.mrn not in export.content.decode()


def test_cohort_report_query_count_does_not_grow_with_patients(clinic_admin_client, django_assert_max_num_queries):
    for _ in range(15):
        patient = depression_patient_with_phq9(20, 9)
        given_session(CourseFactory(patient=patient), days_ago(3))
    with django_assert_max_num_queries(16):
        assert clinic_admin_client.get(reverse("infusions:cohort_report")).status_code == HTTPStatus.OK


def test_history_page_runs_the_same_queries_for_1_and_200_sessions(clinician_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (1, 200):
        patient = build_patient_with_sessions(n)
        with CaptureQueriesContext(connection) as queries:
            clinician_client.get(reverse("infusions:patient_history", args=[patient.pk]))
        counts.append(len(queries))
    assert counts[0] == counts[1]
