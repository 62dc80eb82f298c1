"""The clinician's screening review is an electronic signature: password again, approval or review, content hash."""

from __future__ import annotations

import logging
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.accounts import roles
from clinic.signatures.models import ElectronicSignature
from clinic.signatures.services import REAUTH_REQUIRED, WRONG_PASSWORD
from patients.choices import ScreeningStatus
from patients.models import Screening, ScreeningAnswer
from patients.services import screening_clear, screening_decline
from patients.signing import CLEAR_STATEMENT, DECLINE_STATEMENT
from tests.factories import TEST_PASSWORD, UserFactory, signing_proof
from tests.patients.factories import ScreeningFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinician():
    return UserFactory(username="md", first_name="Jordan", last_name="Lee", role=roles.CLINICIAN)


def review_url(screening: Screening) -> str:
    return reverse("patients:screening_review", kwargs={"pk": screening.patient_id, "item_pk": screening.pk})


def test_clearing_is_signed_as_approval_over_the_answers_and_the_decision(clinician):
    screening = ScreeningFactory()
    screening_clear(screening=screening, by=clinician, reauth=signing_proof(clinician))
    signature = ElectronicSignature.objects.for_record(screening).get()
    assert (signature.printed_name, signature.meaning, signature.statement) == (
        "Jordan Lee",
        "approval",
        CLEAR_STATEMENT,
    )
    assert signature.content["screening"]["status"] == "cleared"
    assert len(signature.content["answers"]) == screening.answers.count()
    assert signature.verify().ok


def test_declining_is_signed_as_a_review(clinician):
    screening = ScreeningFactory(answers={"aneurysm_avm_ich": True})
    screening_decline(screening=screening, by=clinician, note="Known aneurysm.", reauth=signing_proof(clinician))
    signature = ElectronicSignature.objects.for_record(screening).get()
    assert (signature.meaning, signature.statement) == ("review", DECLINE_STATEMENT)


def test_a_review_without_the_password_is_refused_and_leaves_the_screening_pending(clinician):
    screening = ScreeningFactory()
    with pytest.raises(ValidationError, match=REAUTH_REQUIRED):
        screening_clear(screening=screening, by=clinician, reauth=None)
    assert Screening.objects.get(pk=screening.pk).status == ScreeningStatus.PENDING


def test_changing_a_signed_answer_makes_verification_fail(clinician):
    screening = ScreeningFactory()
    screening_clear(screening=screening, by=clinician, reauth=signing_proof(clinician))
    first = ScreeningAnswer.objects.filter(screening=screening).order_by("id").first()
    ScreeningAnswer.objects.filter(pk=first.pk).update(present=True)
    assert ElectronicSignature.objects.for_record(screening).get().verify().changed == ["answers[0].present"]


def test_a_wrong_password_on_the_review_page_records_nothing_and_is_logged(clinician_client, caplog):
    screening = ScreeningFactory()
    with caplog.at_level(logging.WARNING, logger="clinic.signatures"):
        response = clinician_client.post(review_url(screening), {"decision": "clear", "password": "wrong"})
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["password"] == [WRONG_PASSWORD]
    assert Screening.objects.get(pk=screening.pk).status == ScreeningStatus.PENDING
    assert not ElectronicSignature.objects.exists()
    assert f"record=patients.screening:{screening.pk}" in caplog.text


def test_the_review_page_says_what_the_signature_means_and_the_patient_page_shows_it(clinician_client):
    screening = ScreeningFactory()
    page = clinician_client.get(review_url(screening))
    assert f"Clearing means <strong>Approval: {CLEAR_STATEMENT}</strong>" in page.text
    response = clinician_client.post(review_url(screening), {"decision": "clear", "password": TEST_PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    record = clinician_client.get(reverse("patients:patient_detail", kwargs={"pk": screening.patient_id}))
    [check] = record.context["record"].screenings[0].signature_checks
    assert (check.ok, check.signature.meaning) == (True, "approval")
    assert "Verified" in record.text
