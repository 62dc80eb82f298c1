"""Patient services: MRNs, screening review rules, and edits of voided records."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.dates import add_months
from clinic.services import record_void
from patients.choices import Indication, ScreeningStatus
from patients.models import ContraindicationItem, Patient, PatientSettings, Screening
from patients.services import (
    ALREADY_REVIEWED,
    AnswerInput,
    patient_create,
    record_save,
    screening_clear,
    screening_create,
    screening_decline,
)
from tests.factories import PatientFactory, UserFactory, signing_proof
from tests.patients.factories import AllergyFactory, ScreeningFactory

pytestmark = pytest.mark.django_db


def register(**overrides):
    fields = {
        "given_name": "Alex",
        "family_name": "Testperson",
        "date_of_birth": dt.date(1985, 5, 17),
        "phone": "(555) 010-2233",
        "primary_indication": Indication.TRD,
    }
    return patient_create(by=UserFactory(), **{**fields, **overrides})


def test_mrns_are_assigned_in_sequence_and_never_reused():
    first, second = register(), register(given_name="Sam")
    assert re.fullmatch(r"K\d{7}", first.mrn)
    assert int(second.mrn[1:]) == int(first.mrn[1:]) + 1
    with pytest.raises(ValidationError), transaction.atomic():
        register(date_of_birth=dt.date(2999, 1, 1))  # refused: the MRN it drew is not handed out again
    assert int(register(given_name="Kim").mrn[1:]) > int(second.mrn[1:]) + 1


def test_duplicate_mrn_is_refused_by_the_database():
    patient = register()
    with pytest.raises(IntegrityError), transaction.atomic():
        Patient.objects.filter(pk=register(given_name="Sam").pk).update(mrn=patient.mrn)


def test_an_empty_icd10_code_takes_the_indications_usual_code():
    assert register(primary_indication=Indication.CHRONIC_MIGRAINE).icd10_code == "G43.709"
    assert register(icd10_code="G43.719", given_name="Sam").icd10_code == "G43.719"


def test_invalid_patient_is_not_saved_at_all():
    before = Patient.objects.count()
    with pytest.raises(ValidationError) as caught:
        register(phone="call me", date_of_birth=dt.date(2999, 1, 1))
    assert set(caught.value.message_dict) == {"phone", "date_of_birth"}
    assert Patient.objects.count() == before


def test_editing_a_voided_record_is_refused():
    allergy = AllergyFactory()
    clerk = UserFactory()
    record_void(record=allergy, by=clerk, reason="Wrong patient")
    allergy.refresh_from_db()
    allergy.substance = "Changed"
    with pytest.raises(ValidationError, match="voided"):
        record_save(record=allergy, by=clerk)


def answers(**yes: bool) -> list[AnswerInput]:
    return [
        AnswerInput(item, yes.get(item.code, False)) for item in ContraindicationItem.objects.filter(is_active=True)
    ]


def test_screening_needs_every_item_answered():
    patient = PatientFactory()
    with pytest.raises(ValidationError, match="Answer every checklist item"):
        screening_create(patient=patient, by=UserFactory(), answers=answers()[:-1])
    assert not Screening.objects.exists()


def signer() -> dict:
    """A reviewing clinician who just re-entered their password (the review is an electronic signature)."""
    user = UserFactory()
    return {"by": user, "reauth": signing_proof(user)}


def test_screening_without_findings_is_cleared_for_the_configured_months():
    settings_row = PatientSettings.current()
    settings_row.screening_validity_months = 6
    settings_row.save()
    screening = screening_create(patient=PatientFactory(), by=UserFactory(), answers=answers())
    clinician = UserFactory()

    cleared = screening_clear(screening=screening, by=clinician, reauth=signing_proof(clinician))

    assert cleared.status == ScreeningStatus.CLEARED
    assert cleared.reviewed_by == clinician
    assert cleared.expires_on == add_months(timezone.localdate(), 6)


def test_absolute_contraindication_blocks_clearance():
    screening = screening_create(patient=PatientFactory(), by=UserFactory(), answers=answers(aneurysm_avm_ich=True))
    with pytest.raises(ValidationError, match="absolute contraindication"):
        screening_clear(screening=screening, **signer(), justification="x" * 100)
    screening.refresh_from_db()
    assert screening.status == ScreeningStatus.PENDING


@pytest.mark.parametrize("justification", ["", "looks fine", "   " + "a" * 19])
def test_relative_contraindication_needs_a_written_justification(justification):
    screening = screening_create(patient=PatientFactory(), by=UserFactory(), answers=answers(pregnancy=True))
    with pytest.raises(ValidationError) as caught:
        screening_clear(screening=screening, **signer(), justification=justification)
    assert "justification" in caught.value.message_dict
    assert "Pregnancy" in caught.value.message_dict["justification"][0]


def test_relative_contraindication_with_justification_is_cleared_and_keeps_the_reason():
    screening = screening_create(
        patient=PatientFactory(), by=UserFactory(), answers=answers(uncontrolled_hypertension_cvd=True)
    )
    reason = "BP now controlled on amlodipine, 128/82 at three visits; monitor every 5 min."
    cleared = screening_clear(screening=screening, **signer(), justification=reason)
    assert (cleared.status, cleared.justification) == (ScreeningStatus.CLEARED, reason)


def test_a_reviewed_screening_cannot_be_reviewed_again():
    screening = ScreeningFactory()
    screening_clear(screening=screening, **signer())
    with pytest.raises(ValidationError, match=re.escape(ALREADY_REVIEWED)):
        screening_decline(screening=screening, **signer(), note="Changed my mind")


def test_declining_needs_a_reason_and_records_it():
    screening = ScreeningFactory(answers={"aneurysm_avm_ich": True})
    with pytest.raises(ValidationError):
        screening_decline(screening=screening, **signer(), note="")
    declined = screening_decline(screening=screening, **signer(), note="Known cerebral aneurysm")
    assert declined.status == ScreeningStatus.NOT_CLEARED
    assert declined.review_note == "Known cerebral aneurysm"
