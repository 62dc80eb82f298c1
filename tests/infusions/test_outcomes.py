"""The clinician's history page, the referral summary and the cohort outcome report."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import PatientAccessEvent
from clinic.dates import add_months
from infusions.models import InfusionSession
from infusions.selectors.cohort import NO_JIT_SQL, cohort_outcomes
from infusions.selectors.history import patient_history
from patients.models import HeadacheDiaryEntry, PatientSettings
from patients.response import Reason, Status
from tests.clock import t0
from tests.factories import PatientFactory
from tests.infusions.factories import MIGRAINE_PROTOCOL, CourseFactory, SessionFactory, protocol
from tests.patients.factories import QuestionnaireFactory
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


def month_back(n: int) -> dt.date:
    """The first day of the month ``n`` months before the current (clinic-local) one."""
    return add_months(timezone.localdate().replace(day=1), -n)


def keep_diary(patient, first: dt.date, recorded: int | None = None, migraine: int = 0) -> None:
    """Diary entries on the first ``recorded`` days of ``first``'s month (all of them by default), ``migraine`` of
    them migraine days."""
    days = recorded if recorded is not None else calendar.monthrange(first.year, first.month)[1]
    HeadacheDiaryEntry.objects.bulk_create(
        HeadacheDiaryEntry(
            patient=patient,
            entry_date=first + dt.timedelta(days=n),
            had_headache=n < migraine,
            migraine_features=n < migraine,
        )
        for n in range(days)
    )


def migraine_patient(*, latest_recorded: int | None = None, baseline_recorded: int | None = None):
    """A chronic-migraine patient first infused two months ago: the month before is the baseline (12 migraine
    days), last month the latest (5), each kept in full unless told."""
    patient = PatientFactory(primary_indication="chronic_migraine")
    course = CourseFactory(patient=patient, protocol=protocol(MIGRAINE_PROTOCOL), ordered_dose=Decimal("0.1"),
                           ordered_max=Decimal("1.0"), started_on=month_back(2))  # fmt: skip
    given_session(course, timezone.make_aware(dt.datetime.combine(month_back(2) + dt.timedelta(days=2), dt.time(9))))
    keep_diary(patient, month_back(3), baseline_recorded, migraine=12)
    keep_diary(patient, month_back(1), latest_recorded, migraine=5)
    return patient


def per_28(migraine: int, first: dt.date, recorded: int | None = None) -> Decimal:
    recorded = recorded or calendar.monthrange(first.year, first.month)[1]
    return (Decimal(migraine) * 28 / recorded).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def migraine_status(patient):
    return next(s for s in patient_history(patient).statuses if s.measure == "Monthly migraine days")


def test_monthly_migraine_days_compare_the_month_before_the_first_infusion_with_a_later_month():
    status = migraine_status(migraine_patient())
    assert (status.baseline.value, status.latest.value) == (per_28(12, month_back(3)), per_28(5, month_back(1)))
    assert status.status == Status.RESPONSE
    assert status.reason is None


def test_a_mostly_blank_latest_month_is_not_evaluable_on_the_history_page(clinician_client):
    """Before issue #16 a latest month with 10 days of diary, 5 of them migraine days, gave "Response"."""
    patient = migraine_patient(latest_recorded=10)
    status = migraine_status(patient)
    assert (status.status, status.reason.code, status.latest) == (Status.NOT_EVALUABLE, Reason.LATEST_MONTH_GAPS, None)
    response = clinician_client.get(reverse("infusions:patient_history", args=[patient.pk]))
    assert response.status_code == HTTPStatus.OK
    card = response.content.decode().split("Monthly migraine days</strong>")[1].split('class="card-body')[0]
    assert "Not evaluable" in card
    assert f"{month_back(1):%b %Y} (latest): diary kept on 10 of" in card
    assert "at least 80 % is needed." in card


def test_a_gappy_baseline_month_is_not_evaluable_unless_the_clinic_lowers_the_share():
    """Issue #16 item 9: the baseline month must be covered too. 20 days of a 28-31 day month is 64-71 %."""
    patient = migraine_patient(baseline_recorded=20)
    assert migraine_status(patient).reason.code == Reason.BASELINE_MONTH_GAPS
    settings_row = PatientSettings.current()
    settings_row.diary_min_coverage_percent = 60
    settings_row.save()
    status = migraine_status(patient)
    assert status.baseline.value == per_28(12, month_back(3), 20)
    assert status.status == Status.RESPONSE


def test_phq9_from_a_minimal_baseline_is_not_evaluable_on_the_history_page(clinician_client):
    patient = depression_patient_with_phq9(4, 2)
    status = next(s for s in patient_history(patient).statuses if s.measure == "PHQ-9")
    assert (status.status, status.reason.code) == (Status.NOT_EVALUABLE, Reason.BASELINE_NORMAL)
    page = clinician_client.get(reverse("infusions:patient_history", args=[patient.pk])).content.decode()
    assert "Baseline 4 is in the PHQ-9 band “None–minimal” (0–4): nothing to respond from." in page


def test_history_page_of_a_headache_patient_runs_the_same_queries_whatever_the_diary(clinician_client):
    """One more query than a depression patient's page (the diary-coverage setting), for 1 or 24 diary months."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for months in (1, 24):
        patient = migraine_patient()
        for n in range(4, 4 + months - 1):
            keep_diary(patient, month_back(n), migraine=3)
        with CaptureQueriesContext(connection) as queries:
            response = clinician_client.get(reverse("infusions:patient_history", args=[patient.pk]))
        assert response.status_code == HTTPStatus.OK
        counts.append(len(queries))
    assert counts[0] == counts[1]


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

    from infusions.selectors.history import session_rows

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

    A: course of 2 planned, 2 given and marked completed, PHQ-9 20 → 4 (remission, response), one side effect.
    B: course of 6 planned, stopped after 1 (other: moved away), PHQ-9 18 → 12 (no response).
    C: course of 6 planned, 1 given so far, only a baseline (not evaluable).
    D: treated a year before the period: not counted.
    """
    a = depression_patient_with_phq9(20, 4, days=(40, 5))
    course_a = CourseFactory(patient=a, planned_sessions=2, status="completed",
                             started_on=timezone.localdate() - dt.timedelta(days=30))  # fmt: skip
    first = given_session(course_a, days_ago(30))
    given_session(course_a, days_ago(20))
    SideEffectFactory(patient=a, session=first, onset_at=days_ago(30))
    b = depression_patient_with_phq9(18, 12, days=(40, 5))
    course_b = CourseFactory(patient=b, status="stopped", stop_reason_code="other", stop_reason="Moved away",
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
    assert (row.protocol, row.indication, row.primary.measure) == ("Depression: 0.5 mg/kg over 40 min", "trd", "phq9")
    assert [o.measure for o in row.outcomes] == ["phq9"]
    assert (row.patients, row.sessions) == (3, 4)
    assert (row.courses_completed, row.courses_stopped, row.courses_lapsed, row.courses_under_way) == (1, 1, 0, 1)
    assert row.completion_rate == Decimal("50.0")
    assert row.drop_out_reasons == [("Other", 1)]
    assert (row.primary.evaluable, row.primary.responders, row.primary.remissions) == (2, 1, 1)
    assert row.primary.not_evaluable == {Reason.NO_FOLLOW_UP: 1}  # C: a baseline only
    assert row.primary.response_rate == Decimal("50.0")
    assert row.primary.median_change == Decimal("-11.0")  # median of -16 and -6
    assert (row.sessions_with_side_effect, row.side_effect_rate) == (1, Decimal("25.0"))


def test_completion_reads_the_courses_states_not_the_count_of_sessions(cohort):
    """Before: a course that reached its planned sessions counted as completed whatever happened, and a drop-out
    stayed "under way" forever. Now: completed or maintenance is completed; stopped and lapsed are drop-outs, by
    reason; an induction course that reached its plan but was never closed is still under way."""
    a, b, c, _ = cohort
    reached = CourseFactory(patient=a, planned_sessions=1, started_on=timezone.localdate() - dt.timedelta(days=20))
    given_session(reached, days_ago(19))
    gone = CourseFactory(patient=c, started_on=timezone.localdate() - dt.timedelta(days=58))
    given_session(gone, days_ago(57))  # no session since: lapsed after 30 days
    maintained = CourseFactory(patient=b, status="maintenance", started_on=timezone.localdate() - dt.timedelta(days=9))
    given_session(maintained, days_ago(8))
    today = timezone.localdate()
    (row,) = cohort_outcomes(today - dt.timedelta(days=60), today, min_coverage_percent=80, lapse_days=30)
    assert (row.courses_completed, row.courses_stopped, row.courses_lapsed, row.courses_under_way) == (2, 1, 1, 2)
    assert row.completion_rate == Decimal("50.0")  # 2 of 2 + 1 + 1
    assert row.drop_out_reasons == [("Other", 1), ("Lapsed", 1)]


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
        (row,) = cohort_outcomes(today - dt.timedelta(days=60), today, min_coverage_percent=80, lapse_days=60)
    assert queries.captured_queries[0]["sql"] == NO_JIT_SQL
    assert len(queries) == 3
    assert (row.patients, row.sessions, row.primary.evaluable, row.primary.responders) == (4, 5, 2, 1)
    assert row.primary.not_evaluable == {Reason.NO_FOLLOW_UP: 1, Reason.NO_BASELINE: 1}
    assert (row.courses_completed, row.courses_stopped, row.courses_under_way) == (1, 1, 2)


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


# Cohort report: only what is evaluable (issue #16 point 6) -------------------------------------------------------


def at_local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.mark.clock
@pytest.mark.parametrize(
    ("baseline_at", "follow_up_at", "evaluable"),
    [
        # 20:30 in New York is already the next day in UTC; the follow-up the next morning is a later local day.
        # Before the fix the report compared UTC dates (both the same day) and dropped it while the history counted it.
        ((0, 20, 30), (1, 10, 0), True),
        # 09:00 and 21:00 the same local day: no follow-up yet, though 21:00 is the next day in UTC.
        ((0, 9, 0), (0, 21, 0), False),
    ],
)
def test_the_report_and_the_history_agree_on_the_clinics_local_days(baseline_at, follow_up_at, evaluable):
    day = timezone.localdate() - dt.timedelta(days=10)
    patient = PatientFactory(primary_indication="trd")
    (b_day, b_hour, b_minute), (f_day, f_hour, f_minute) = baseline_at, follow_up_at
    QuestionnaireFactory(patient=patient, total=20, timepoint="baseline",
                         completed_at=at_local(day + dt.timedelta(days=b_day), b_hour, b_minute))  # fmt: skip
    QuestionnaireFactory(patient=patient, total=8, timepoint="follow_up",
                         completed_at=at_local(day + dt.timedelta(days=f_day), f_hour, f_minute))  # fmt: skip
    given_session(CourseFactory(patient=patient, started_on=day), at_local(day, 12))
    history = next(s for s in patient_history(patient).statuses if s.measure == "PHQ-9")
    (row,) = cohort_outcomes(day - dt.timedelta(days=5), timezone.localdate())
    assert history.evaluable is evaluable
    assert (row.primary.evaluable, row.primary.responders) == ((1, 1) if evaluable else (0, 0))
    assert row.primary.not_evaluable == ({} if evaluable else {Reason.NO_FOLLOW_UP: 1})


def test_the_report_counts_a_baseline_already_normal_as_not_evaluable():
    """PHQ-9 4 → 2 counted as an evaluable responder before issue #16."""
    for totals in [(4, 2), (20, 9)]:
        patient = depression_patient_with_phq9(*totals, days=(40, 5))
        given_session(CourseFactory(patient=patient, started_on=timezone.localdate() - dt.timedelta(days=30)),
                      days_ago(30))  # fmt: skip
    today = timezone.localdate()
    (row,) = cohort_outcomes(today - dt.timedelta(days=60), today)
    assert (row.primary.evaluable, row.primary.responders, row.primary.remissions) == (1, 1, 0)
    assert row.primary.not_evaluable == {Reason.BASELINE_NORMAL: 1}
    assert row.primary.not_evaluable_reasons == [("baseline already in the normal range", 1)]


def headache_cohort():
    """Two chronic-migraine patients on the migraine protocol.

    P: migraine days 12 → 5 per full month, HIT-6 66 → 61 (5 points), MIDAS 30 → 18, pain 7 → 4: a responder on each.
    Q: latest diary month kept on 10 days, HIT-6 from 45 (little or no impact), MIDAS from 8 (grade II), no pain form.
    """
    p, q = migraine_patient(), migraine_patient(latest_recorded=10)
    base, latest = (
        at_local(month_back(3) + dt.timedelta(days=5), 10),
        at_local(month_back(1) + dt.timedelta(days=5), 10),
    )
    for instrument, before, after in [("hit6", 66, 61), ("midas", 30, 18), ("nrs_pain", 7, 4)]:
        QuestionnaireFactory(patient=p, instrument=instrument, total=before, completed_at=base, timepoint="baseline")
        QuestionnaireFactory(patient=p, instrument=instrument, total=after, completed_at=latest)
    for instrument, before, after in [("hit6", 45, 40), ("midas", 8, 2)]:
        QuestionnaireFactory(patient=q, instrument=instrument, total=before, completed_at=base, timepoint="baseline")
        QuestionnaireFactory(patient=q, instrument=instrument, total=after, completed_at=latest)
    return p, q


def period() -> tuple[dt.date, dt.date]:
    return month_back(4), timezone.localdate()


def test_a_migraine_cohort_is_judged_on_migraine_days_hit6_midas_and_pain():
    p, _ = headache_cohort()
    (row,) = cohort_outcomes(*period())
    assert (row.indication, row.patients, row.sessions) == ("chronic_migraine", 2, 2)
    figures = {o.measure: (o.evaluable, o.responders, dict(o.not_evaluable), o.response_rate) for o in row.outcomes}
    assert figures == {
        "migraine_days": (1, 1, {Reason.LATEST_MONTH_GAPS: 1}, Decimal("100.0")),
        "hit6": (1, 1, {Reason.BASELINE_NORMAL: 1}, Decimal("100.0")),
        "midas": (1, 1, {Reason.BASELINE_NO_RULE: 1}, Decimal("100.0")),
        "nrs_pain": (1, 1, {Reason.NO_BASELINE: 1}, Decimal("100.0")),
    }
    assert [o.label for o in row.outcomes] == ["Monthly migraine days", "HIT-6", "MIDAS", "NRS pain"]
    history = migraine_status(p)
    assert row.primary.median_change == history.change  # the same figure as the history page


def test_the_report_counts_migraine_days_as_the_history_page_does():
    """The report counts migraine days in SQL (``MIGRAINE_DAY_SQL``); patients/diary.py ``is_migraine_day`` is the
    rule: a headache with features or with a migraine-specific medicine; a medicine without a headache is not."""
    patient = PatientFactory(primary_indication="episodic_migraine")
    course = CourseFactory(patient=patient, protocol=protocol(MIGRAINE_PROTOCOL), ordered_dose=Decimal("0.1"),
                           ordered_max=Decimal("1.0"), started_on=month_back(2))  # fmt: skip
    given_session(course, at_local(month_back(2) + dt.timedelta(days=2), 9))
    for first, pattern in [(month_back(3), 4), (month_back(1), 7)]:
        days = calendar.monthrange(first.year, first.month)[1]
        HeadacheDiaryEntry.objects.bulk_create(
            HeadacheDiaryEntry(
                patient=patient,
                entry_date=first + dt.timedelta(days=n),
                had_headache=n % pattern in (0, 1, 2),
                migraine_features=n % pattern == 0,
                migraine_specific_medication=n % pattern in (1, 3),
            )
            for n in range(days)
        )
    history = migraine_status(patient)
    (row,) = [r for r in cohort_outcomes(*period()) if r.indication == "episodic_migraine"]
    assert history.evaluable
    assert row.primary.evaluable == 1
    assert row.primary.median_change == history.change.quantize(Decimal("0.1"))


def test_cohort_report_shows_each_measure_and_why_patients_are_not_evaluable(clinician_client):
    headache_cohort()
    start, end = period()
    query = {"start": start.isoformat(), "end": end.isoformat()}
    page = clinician_client.get(reverse("infusions:cohort_report"), query)
    assert page.status_code == HTTPStatus.OK
    text = page.content.decode()
    for measure in ("migraine_days", "hit6", "midas", "nrs_pain"):
        assert f'data-measure="{measure}"' in text
    reasons = [cell.split("</div>")[0] for cell in text.split('data-testid="not-evaluable">')[1:]]
    assert reasons[:3] == [
        "Not evaluable: latest month&#x27;s diary too gappy (1)",
        "Not evaluable: baseline already in the normal range (1)",
        "Not evaluable: no responder rule for that baseline (1)",
    ]
    assert "at least 80 % of their days" in text
    export = clinician_client.get(reverse("infusions:cohort_export"), query)
    lines = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert [line["measure"] for line in lines] == ["Monthly migraine days", "HIT-6", "MIDAS", "NRS pain"]
    assert lines[0]["not_evaluable_reasons"] == "latest month's diary too gappy: 1"
    assert {line["patients"] for line in lines} == {"2"}


@pytest.mark.parametrize("patients", [1, 25])
def test_cohort_report_of_headache_patients_has_a_flat_query_count(
    clinician_client, django_assert_max_num_queries, patients
):
    for _ in range(patients):
        migraine_patient()
    start, end = period()
    with django_assert_max_num_queries(16):
        page = clinician_client.get(reverse("infusions:cohort_report"), {"start": start, "end": end})
    assert page.status_code == HTTPStatus.OK
    assert page.context["rows"][0].primary.evaluable == patients
