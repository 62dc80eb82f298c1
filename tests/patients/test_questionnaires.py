"""Questionnaire entry, scoring on save, the suicide-risk alert (PHQ-9 item 9, MADRS item 10) and the clinician
queue."""

from __future__ import annotations

import datetime as dt
import re
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import PatientAccessEvent
from patients.models import QuestionnaireResponse
from patients.services import questionnaire_acknowledge_risk, questionnaire_record
from tests.clock import t0
from tests.conftest import make_role_user
from tests.factories import PatientFactory
from tests.patients.factories import QuestionnaireFactory, answers_for_total

pytestmark = pytest.mark.django_db


def form_data(instrument: str, answers: dict[str, int], **extra: str) -> dict[str, str]:
    data = {f"item_{key}": str(value) for key, value in answers.items()}
    completed = timezone.localtime(t0() - dt.timedelta(minutes=20))  # filled in at check-in, before the test
    return {"completed_at": f"{completed:%Y-%m-%dT%H:%M}", "timepoint": "pre_session", "note": "", **data, **extra}


def create_url(patient, instrument="phq9") -> str:
    return reverse("patients:questionnaire_create", kwargs={"pk": patient.pk, "instrument": instrument})


# Services ------------------------------------------------------------------------------------------------------


def test_recording_scores_stores_answers_and_band():
    nurse = make_role_user("nurse")
    patient = PatientFactory()
    response = questionnaire_record(patient=patient, instrument="gad7", answers=answers_for_total("gad7", 11), by=nurse)
    response.refresh_from_db()
    assert (response.total, response.band, response.created_by) == (11, "moderate", nurse)
    assert response.suicide_risk is False


def test_phq9_item_9_above_zero_opens_an_alert_and_acknowledging_closes_it():
    nurse, clinician = make_role_user("nurse"), make_role_user("clinician")
    response = questionnaire_record(
        patient=PatientFactory(), instrument="phq9", answers=answers_for_total("phq9", 14, item9=1), by=nurse
    )
    assert response.risk_open
    assert list(QuestionnaireResponse.objects.open_risk_alerts()) == [response]

    questionnaire_acknowledge_risk(response=response, by=clinician, action="Seen today, no plan; safety plan given.")

    response.refresh_from_db()
    assert not response.risk_open
    assert response.risk_acknowledged_by == clinician
    assert not QuestionnaireResponse.objects.open_risk_alerts().exists()


@pytest.mark.parametrize(("item10", "alert"), [(1, False), (2, True)])
def test_madrs_item_10_at_2_or_more_opens_the_same_alert_as_phq9_item_9(item10, alert):
    """docs/clinical.md §8.3: the clinician-rated suicide item goes down the PHQ-9 alert's path (issue #16)."""
    clinician = make_role_user("clinician")
    answers = answers_for_total("madrs", 30, item9=item10)
    response = questionnaire_record(patient=PatientFactory(), instrument="madrs", answers=answers, by=clinician)
    assert (response.answers["10"], response.suicide_risk, response.risk_open) == (item10, alert, alert)
    assert list(QuestionnaireResponse.objects.open_risk_alerts()) == ([response] if alert else [])
    if alert:
        questionnaire_acknowledge_risk(response=response, by=clinician, action="Assessed at the rating: no plan.")
        assert not QuestionnaireResponse.objects.open_risk_alerts().exists()


def test_acknowledging_needs_a_written_assessment_and_an_open_alert():
    clinician = make_role_user("clinician")
    response = QuestionnaireFactory(item9=2, total=15)
    with pytest.raises(ValidationError) as error:
        questionnaire_acknowledge_risk(response=response, by=clinician, action="ok")
    assert "action" in error.value.message_dict
    quiet = QuestionnaireFactory(item9=0)
    with pytest.raises(ValidationError):
        questionnaire_acknowledge_risk(response=quiet, by=clinician, action="Nothing to acknowledge here.")


def test_an_incomplete_form_is_refused_with_each_missing_question():
    answers = answers_for_total("phq9", 9)
    answers["3"] = None
    with pytest.raises(ValidationError) as error:
        questionnaire_record(patient=PatientFactory(), instrument="phq9", answers=answers, by=make_role_user("nurse"))
    assert "3" in error.value.message_dict
    assert not QuestionnaireResponse.objects.exists()


def test_madrs_is_refused_to_a_nurse_and_accepted_from_a_clinician():
    patient, answers = PatientFactory(), answers_for_total("madrs", 24)
    with pytest.raises(ValidationError):
        questionnaire_record(patient=patient, instrument="madrs", answers=answers, by=make_role_user("nurse"))
    saved = questionnaire_record(patient=patient, instrument="madrs", answers=answers, by=make_role_user("clinician"))
    assert (saved.total, saved.band) == (24, "moderate")


def test_database_refuses_a_total_outside_the_instrument_range():
    response = QuestionnaireFactory(instrument="hit6", total=50)
    with pytest.raises(IntegrityError), connection.cursor() as cursor:
        cursor.execute("UPDATE patients_questionnaireresponse SET total = 20 WHERE id = %s", [response.pk])


# Views ---------------------------------------------------------------------------------------------------------


@pytest.mark.clock
def test_nurse_enters_a_phq9_item_by_item_and_the_patient_sees_only_thanks(nurse_client):
    patient = PatientFactory()
    response = nurse_client.post(create_url(patient), form_data("phq9", answers_for_total("phq9", 16)))
    saved = QuestionnaireResponse.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("patients:questionnaire_done", args=[patient.pk, saved.pk])
    assert (saved.total, saved.band, saved.timepoint) == (16, "moderately_severe", "pre_session")
    thanks = nurse_client.get(response["Location"])
    assert b"hand the tablet back" in thanks.content
    shown = re.sub(r"<[^>]*>", " ", thanks.content.decode().split("<main")[1])  # the words, not ids in links
    assert not re.search(r"\b16\b", shown)
    assert "moderately" not in shown.lower()


def test_an_incomplete_form_comes_back_with_each_gap_marked_and_answers_kept(nurse_client):
    patient = PatientFactory()
    answers = answers_for_total("phq9", 10)
    del answers["2"], answers["7"]
    response = nurse_client.post(create_url(patient), form_data("phq9", answers))
    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    assert "2 question(s) not answered (2, 7)" in content
    assert content.count("Answer this question.") == 2
    chosen = answers["1"]
    assert f'name="item_1" value="{chosen}" class="btn-check" id="id_item_1_{chosen}" checked>' in content
    assert not QuestionnaireResponse.objects.exists()


def test_numeric_items_outside_their_range_are_refused_next_to_the_field(nurse_client):
    answers = {"1": 95, "2": 0, "3": 0, "4": 0, "5": 0}
    response = nurse_client.post(create_url(PatientFactory(), "midas"), form_data("midas", answers))
    assert response.status_code == HTTPStatus.OK
    assert "Enter a number from 0 to 90." in response.content.decode()
    assert not QuestionnaireResponse.objects.exists()


def test_madrs_form_is_not_offered_to_nurses(nurse_client, clinician_client):
    patient = PatientFactory()
    assert nurse_client.get(create_url(patient, "madrs")).status_code == HTTPStatus.NOT_FOUND
    assert clinician_client.get(create_url(patient, "madrs")).status_code == HTTPStatus.OK
    assert nurse_client.get(create_url(patient, "nope")).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(("role", "status"), [("front_desk", 403), ("clinic_admin", 403), ("nurse", 200)])
def test_who_may_enter_questionnaires(role_client, role, status):
    assert role_client(role).get(create_url(PatientFactory())).status_code == status


def test_open_alert_shows_on_the_patient_page_and_in_the_queue_until_acknowledged(clinician_client):
    alert = QuestionnaireFactory(item9=1, total=13)
    patient_page = reverse("patients:patient_detail", args=[alert.patient.pk])
    queue = reverse("patients:clinician_queue")

    assert b'data-testid="risk-alert"' in clinician_client.get(patient_page).content
    assert alert.patient.mrn.encode() in clinician_client.get(queue).content

    response = clinician_client.post(
        reverse("patients:risk_acknowledge", args=[alert.patient.pk, alert.pk]),
        {"action": "Seen in clinic: passive thoughts, no plan; safety plan reviewed."},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert b'data-testid="risk-alert"' not in clinician_client.get(patient_page).content
    assert alert.patient.mrn.encode() not in clinician_client.get(queue).content


def test_a_madrs_alert_names_item_10_on_the_patient_page_the_queue_and_the_form(clinician_client):
    alert = QuestionnaireFactory(instrument="madrs", total=32, item9=4)
    assert alert.suicide_risk
    header = clinician_client.get(reverse("patients:patient_detail", args=[alert.patient.pk])).content.decode()
    banner = header.split('data-testid="risk-alert"')[1].split("</div>")[0]
    assert "MADRS question 10 (suicidal thoughts)" in re.sub(r"\s+", " ", banner)
    assert "“4: moderate / marked”" in banner
    queue = clinician_client.get(reverse("patients:clinician_queue")).content.decode()
    assert "MADRS 32" in queue
    detail = clinician_client.get(reverse("patients:questionnaire_detail", args=[alert.patient.pk, alert.pk]))
    text = detail.content.decode()
    assert "question 10 (suicidal thoughts)" in text
    assert text.count('class="table-danger"') == 1  # item 10's row, not item 9's
    assert re.search(r'<tr class="table-danger">\s*<td>10</td>', text)


def test_nurses_see_the_alert_but_cannot_acknowledge_it(nurse_client):
    alert = QuestionnaireFactory(item9=3, total=20)
    url = reverse("patients:risk_acknowledge", args=[alert.patient.pk, alert.pk])
    assert nurse_client.post(url, {"action": "Trying to close it myself."}).status_code == HTTPStatus.FORBIDDEN
    assert nurse_client.get(reverse("patients:clinician_queue")).status_code == HTTPStatus.FORBIDDEN
    alert.refresh_from_db()
    assert alert.risk_open


def test_detail_page_shows_answers_and_logs_the_access(nurse_client):
    response_row = QuestionnaireFactory(instrument="gad7", total=7)
    page = nurse_client.get(reverse("patients:questionnaire_detail", args=[response_row.patient.pk, response_row.pk]))
    assert page.status_code == HTTPStatus.OK
    assert "Mild" in page.content.decode()
    assert PatientAccessEvent.objects.filter(patient=response_row.patient, category="questionnaires").count() == 1


def test_a_questionnaire_of_another_patient_is_404(nurse_client):
    row, other = QuestionnaireFactory(), PatientFactory()
    assert nurse_client.get(reverse("patients:questionnaire_detail", args=[other.pk, row.pk])).status_code == 404


def test_voiding_keeps_the_row_and_removes_it_from_the_latest_scores(nurse_client):
    row = QuestionnaireFactory(total=21)
    response = nurse_client.post(
        reverse("patients:questionnaire_void", args=[row.patient.pk, row.pk]), {"reason": "Entered for the wrong day"}
    )
    assert response.status_code == HTTPStatus.FOUND
    row.refresh_from_db()
    assert row.is_voided
    page = nurse_client.get(reverse("patients:patient_detail", args=[row.patient.pk]))
    assert b'data-testid="questionnaire-phq9"' not in page.content


def test_patient_page_shows_the_latest_score_of_each_instrument(nurse_client, django_assert_max_num_queries):
    patient = PatientFactory()
    for total in (20, 14, 8):
        QuestionnaireFactory(patient=patient, total=total)
    QuestionnaireFactory(patient=patient, instrument="hit6", total=62)
    url = reverse("patients:patient_detail", args=[patient.pk])
    with django_assert_max_num_queries(26):  # 26 since the bookings section lists the reminders sent (#18)
        page = nurse_client.get(url)
    text = page.content.decode()
    assert "Questionnaires" in text
    assert 'data-testid="questionnaire-phq9"' in text
    assert 'data-testid="questionnaire-hit6"' in text


@pytest.mark.parametrize("alerts", [1, 20])
def test_clinician_queue_query_count_is_flat(clinician_client, django_assert_max_num_queries, alerts):
    for _ in range(alerts):
        QuestionnaireFactory(item9=1, total=12)
    with django_assert_max_num_queries(14):  # one INSERT logs every patient shown (security.md F1)
        page = clinician_client.get(reverse("patients:clinician_queue"))
    assert page.content.decode().count(">Assess</a>") == alerts


@pytest.mark.parametrize("instrument", ["phq9", "midas"])
def test_questionnaire_entry_and_detail_pages_have_a_fixed_query_count(
    clinician_client, django_assert_max_num_queries, instrument
):
    row = QuestionnaireFactory(instrument=instrument, total=20)
    with django_assert_max_num_queries(13):
        assert clinician_client.get(create_url(row.patient, instrument)).status_code == HTTPStatus.OK
    with django_assert_max_num_queries(14):
        detail = clinician_client.get(reverse("patients:questionnaire_detail", args=[row.patient.pk, row.pk]))
    assert detail.status_code == HTTPStatus.OK
