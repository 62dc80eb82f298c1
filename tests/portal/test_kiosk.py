"""The kiosk (issue #19): a tablet handed to one patient shows only their first name and the questionnaires due,
one question a screen; answers are recorded as the patient's own (source and tablet on each); a suicide-risk answer
raises the clinician's alert at once and shows the crisis text; an untouched tablet locks to a screen with nothing
of the patient; taking it back needs the password of the staff member who handed it over; and the visit is logged
with how it ended."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.choices import AnswerSource
from patients.models import QuestionnaireResponse
from patients.scoring import GAD7, PHQ9
from portal import kiosk
from portal.models import DEFAULT_CRISIS_TEXT, KioskEnd, KioskVisit, PortalSettings
from tests.factories import TEST_PASSWORD, PatientFactory
from tests.patients.factories import QuestionnaireFactory

pytestmark = pytest.mark.django_db

KIOSK = reverse("portal:kiosk")


@pytest.fixture
def patient():
    """A depression patient (PHQ-9 and GAD-7 asked ahead) who has answered neither."""
    return PatientFactory(given_name="Robin", family_name="Quillfeather", mrn="K0000042")


def hand_over(client, patient, device="Tablet 2"):
    return client.post(reverse("portal:hand_over", args=[patient.pk]), {"device": device})


def answer(client, points):
    return client.post(KIOSK, {"answer": "" if points is None else str(points)})


def answer_all(client, instrument, points=0, *, unscored=None, risk=0):
    """Every question of ``instrument``: scored ones ``points`` (the suicide item ``risk``), unscored ``unscored``."""
    for item in instrument.items:
        given = risk if instrument.risk_item and item.key == instrument.risk_item.key else points
        assert answer(client, given if item.scored else unscored).status_code == HTTPStatus.FOUND


def test_the_hand_over_page_names_what_the_tablet_will_ask(nurse_client, patient):
    response = nurse_client.get(reverse("portal:hand_over", args=[patient.pk]))
    assert [i.name for i in response.context["due"]] == ["PHQ-9", "GAD-7"]


def test_nothing_due_means_no_hand_over(nurse_client, patient):
    for instrument in ("phq9", "gad7"):
        QuestionnaireFactory(patient=patient, instrument=instrument, total=3)
    response = hand_over(nurse_client, patient)
    assert response.status_code == HTTPStatus.OK
    assert "Nothing is due for this patient today" in response.content.decode()
    assert not KioskVisit.objects.exists()


def test_the_tablet_greets_by_first_name_only_and_asks_one_question_a_screen(nurse_client, patient):
    assert hand_over(nurse_client, patient).url == KIOSK
    page = nurse_client.get(KIOSK)
    html = page.content.decode()
    assert "Hello, Robin" in html
    assert "Quillfeather" not in html
    assert "K0000042" not in html
    assert page.context["item"] == PHQ9.items[0]
    assert 'class="navbar' not in html  # no staff navigation
    visit = KioskVisit.objects.get()
    assert (visit.patient, visit.device, visit.items) == (patient, "Tablet 2", ["phq9", "gad7"])


def test_answers_are_recorded_as_the_patients_own_and_the_kiosk_ends_itself(nurse_client, patient):
    hand_over(nurse_client, patient)
    answer_all(nurse_client, PHQ9, 1)
    answer_all(nurse_client, GAD7, 2)
    phq9, gad7 = QuestionnaireResponse.objects.filter(patient=patient).order_by("completed_at", "pk")
    assert (phq9.instrument, phq9.total, phq9.source, phq9.device) == ("phq9", 8, AnswerSource.KIOSK, "Tablet 2")
    assert (gad7.instrument, gad7.total, gad7.source) == ("gad7", 14, AnswerSource.KIOSK)
    assert not phq9.suicide_risk
    visit = KioskVisit.objects.get()
    assert (visit.answered, visit.ended_how, visit.ended_by) == (["phq9", "gad7"], KioskEnd.FINISHED, None)
    locked = nurse_client.get(KIOSK, follow=True)
    assert locked.redirect_chain[-1][0] == reverse("portal:kiosk_locked")
    assert "Thank you, you have finished" in locked.content.decode()
    assert "Robin" not in locked.content.decode()


def test_a_scored_question_left_unanswered_is_asked_again_with_the_reason(nurse_client, patient):
    hand_over(nurse_client, patient)
    response = answer(nurse_client, None)
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["answer"] == ["Choose an answer to go on."]
    assert response.context["item"] == PHQ9.items[0]


def test_back_returns_to_the_previous_question_with_its_answer(nurse_client, patient):
    hand_over(nurse_client, patient)
    answer(nurse_client, 2)
    nurse_client.post(reverse("portal:kiosk_back"))
    page = nurse_client.get(KIOSK)
    assert page.context["item"] == PHQ9.items[0]
    assert page.context["form"].initial == {"answer": 2}


def test_a_suicide_risk_answer_raises_the_alert_at_once_and_shows_the_crisis_text(nurse_client, patient):
    hand_over(nurse_client, patient)
    for item in PHQ9.scored_items:  # item 9 last: 1, the rest 0
        answer(nurse_client, 1 if item.key == PHQ9.risk_item.key else 0)
    alert = QuestionnaireResponse.objects.open_risk_alerts().get(patient=patient)  # before the unscored question
    assert (alert.total, alert.source) == (1, AnswerSource.KIOSK)
    support = nurse_client.get(KIOSK)
    assert support.context["text"] == DEFAULT_CRISIS_TEXT
    assert "988" in support.content.decode()
    nurse_client.post(reverse("portal:kiosk_support_seen"))
    assert nurse_client.get(KIOSK).context["instrument"] == GAD7  # then the next questionnaire


def test_an_untouched_tablet_locks_to_a_screen_with_nothing_of_the_patient(nurse_client, patient, time_machine):
    PortalSettings.objects.update_or_create(pk=1, defaults={"kiosk_idle_minutes": 2})
    hand_over(nurse_client, patient)
    answer(nurse_client, 1)
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=2, seconds=1))
    response = nurse_client.get(KIOSK, follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:kiosk_locked")
    html = response.content.decode()
    assert "This tablet is locked" in html
    assert "Robin" not in html
    assert "PHQ-9" not in html
    assert answer(nurse_client, 1).url == KIOSK  # an answer sent to a locked tablet is not taken
    assert kiosk.KioskState(**nurse_client.session[kiosk.SESSION_KEY]).answers == {"1": 1}


def test_unlocking_needs_the_password_of_the_staff_member_who_handed_it_over(nurse_client, patient, time_machine):
    hand_over(nurse_client, patient)
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=10))
    nurse_client.get(KIOSK)
    wrong = nurse_client.post(reverse("portal:kiosk_unlock"), {"unlock-password": "not-it"})
    assert wrong.context["unlock_form"].errors["password"] == [
        "That is not the password of the staff member who handed the tablet over."
    ]
    assert nurse_client.post(reverse("portal:kiosk_unlock"), {"unlock-password": TEST_PASSWORD}).url == KIOSK
    assert nurse_client.get(KIOSK).context["item"] == PHQ9.items[0]


def test_returning_to_staff_needs_the_password_and_is_logged(nurse_client, patient):
    hand_over(nurse_client, patient)
    patient_page = reverse("patients:patient_detail", args=[patient.pk])
    assert nurse_client.get(patient_page).status_code == HTTPStatus.FOUND  # a staff page answers as signed out
    refused = nurse_client.post(reverse("portal:kiosk_leave"), {"leave-password": "guess"})
    assert refused.status_code == HTTPStatus.OK
    assert KioskVisit.objects.get().ended_at is None
    back = nurse_client.post(reverse("portal:kiosk_leave"), {"leave-password": TEST_PASSWORD})
    assert back.url == patient_page
    visit = KioskVisit.objects.get()
    assert (visit.ended_how, visit.ended_by.username) == (KioskEnd.RETURNED, "t_nurse")
    assert nurse_client.get(patient_page).status_code == HTTPStatus.OK


def test_signing_out_from_the_kiosk_ends_the_visit_and_the_staff_session(nurse_client, patient):
    hand_over(nurse_client, patient)
    assert nurse_client.post(reverse("portal:kiosk_sign_out")).url == reverse("login")
    assert KioskVisit.objects.get().ended_how == KioskEnd.SIGNED_OUT
    assert nurse_client.get(reverse("home")).status_code == HTTPStatus.FOUND


def test_a_kiosk_page_without_a_kiosk_goes_home(nurse_client):
    assert nurse_client.get(KIOSK).url == reverse("home")


def test_the_patient_may_stop_and_hand_the_tablet_back_which_locks_it(nurse_client, patient):
    hand_over(nurse_client, patient)
    assert nurse_client.post(reverse("portal:kiosk_hand_back")).url == reverse("portal:kiosk_locked")
    assert nurse_client.get(KIOSK).url == reverse("portal:kiosk_locked")
    assert "Robin" not in nurse_client.get(reverse("portal:kiosk_locked")).content.decode()
