"""Front desk's list of questionnaires due before the next visit (issue #18, docs/clinical.md §8.9): each patient
booked within a week whose indication asks questionnaires ahead and whose last answer will not cover the visit, at
their next visit only; the dashboard counts the same rows. Times come from the clinic's today, so each row is where
it belongs whatever day and hour the suite runs."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.services import record_void
from infusions.choices import SessionStatus
from scheduling.selectors import QUESTIONNAIRE_LOOKAHEAD_DAYS, due_names, questionnaires_due
from tests.clinic.waiting import at_today, questionnaire_due_session, session_on_day
from tests.conftest import make_role_user
from tests.infusions.factories import CourseFactory
from tests.patients.factories import PatientFactory, QuestionnaireFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return make_role_user("front_desk")


def due(desk) -> dict[int, list[str]]:
    return {session.pk: due_names(session) for session in questionnaires_due(desk)}


def test_a_depression_patient_never_asked_has_both_questionnaires_due_before_the_visit(desk):
    session = questionnaire_due_session(days=2)
    assert due(desk) == {session.pk: ["PHQ-9", "GAD-7"]}


@pytest.mark.parametrize(("answered_days_before_visit", "is_listed"), [(14, False), (15, True)])
def test_an_answer_within_its_recall_period_before_the_visit_covers_it(desk, answered_days_before_visit, is_listed):
    session = questionnaire_due_session(days=3)
    visit = session.scheduled_for
    QuestionnaireFactory(
        patient=session.patient, instrument="gad7", total=4, completed_at=visit - dt.timedelta(days=14)
    )
    QuestionnaireFactory(patient=session.patient, instrument="phq9", total=9,
                         completed_at=visit - dt.timedelta(days=answered_days_before_visit))  # fmt: skip
    assert due(desk) == ({session.pk: ["PHQ-9"]} if is_listed else {})


def test_a_voided_answer_does_not_cover_the_visit(desk):
    session = questionnaire_due_session(days=2)
    for instrument in ("phq9", "gad7"):
        answer = QuestionnaireFactory(patient=session.patient, instrument=instrument, total=4)
    record_void(record=answer, by=desk, reason="Entered for the wrong patient.")
    assert due(desk) == {session.pk: ["GAD-7"]}


def test_a_headache_patient_is_asked_hit6_and_midas_and_a_pain_patient_nothing(desk):
    migraine = questionnaire_due_session(days=1, course=CourseFactory(patient__primary_indication="chronic_migraine"))
    questionnaire_due_session(days=1, course=CourseFactory(patient__primary_indication="crps"))
    assert due(desk) == {migraine.pk: ["HIT-6", "MIDAS"]}


def test_only_the_next_visit_within_the_week_is_listed(desk):
    course = CourseFactory()
    sooner = questionnaire_due_session(days=2, course=course)
    questionnaire_due_session(days=4, course=course)
    questionnaire_due_session(days=QUESTIONNAIRE_LOOKAHEAD_DAYS + 1)  # beyond the week
    session_on_day(SessionStatus.CANCELLED, days=1, cancel_reason="Moved.")  # not a visit
    assert list(due(desk)) == [sooner.pk]


def test_a_visit_already_past_today_is_not_listed(desk):
    session = questionnaire_due_session(days=1)
    session.scheduled_for = at_today(0, days=-1)
    session.save(update_fields=["scheduled_for"])
    assert due(desk) == {}


def test_a_restricted_record_out_of_scope_is_not_listed(desk):
    questionnaire_due_session(days=2, course=CourseFactory(patient=PatientFactory(is_restricted=True)))
    assert due(desk) == {}


@pytest.mark.parametrize("role", ["front_desk", "nurse", "clinician", "clinic_admin"])
def test_the_desk_sees_the_count_and_every_booker_may_open_the_list(role_client, role):
    client = role_client(role)
    session = questionnaire_due_session(days=2)
    counts = {card["label"]: card["count"] for card in client.get(reverse("home")).context["waiting"]}
    assert counts.get("patients with questionnaires due before their visit") == (1 if role == "front_desk" else None)
    response = client.get(reverse("scheduling:questionnaires_due_worklist"))
    assert response.status_code == (HTTPStatus.FORBIDDEN if role == "clinic_admin" else HTTPStatus.OK)
    if role != "clinic_admin":
        assert [row.pk for row in response.context["sessions"]] == [session.pk]
        assert "PHQ-9, GAD-7" in response.content.decode()


def test_the_list_costs_the_same_queries_however_many_wait(front_desk_client):
    def queries_with(n: int) -> int:
        for _ in range(n):
            questionnaire_due_session(days=2)
        with CaptureQueriesContext(connection) as queries:
            assert front_desk_client.get(reverse("scheduling:questionnaires_due_worklist")).status_code == HTTPStatus.OK
        return len(queries)

    assert queries_with(1) == queries_with(11)
