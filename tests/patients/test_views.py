"""Patient pages: what they show to whom, what they save, and query counts that do not grow with the data."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import PatientAccessEvent
from clinic.services import record_void
from patients.choices import ScreeningStatus
from patients.forms import PatientForm
from patients.models import Allergy, ContraindicationItem, Patient, Screening
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory, version_of
from tests.patients.factories import (
    AllergyFactory,
    BodyMeasurementFactory,
    ClearedScreeningFactory,
    ConsentFactory,
    DiaryEntryFactory,
    MedicationFactory,
    PriorTreatmentFactory,
    ScreeningFactory,
)

pytestmark = pytest.mark.django_db

# fixed: session, user, second-factor device, permissions, audit, a query per section and panel, questionnaires,
# signatures
PATIENT_PAGE_QUERIES = 28  # 27: the schedule's bookings panel (issue #18); 28: the reminders sent (#18)


def detail(patient: Patient) -> str:
    return reverse("patients:patient_detail", kwargs={"pk": patient.pk})


@pytest.mark.parametrize("n_patients", [1, 50])
def test_patient_list_query_count_is_flat(nurse_client, django_assert_max_num_queries, n_patients):
    PatientFactory.create_batch(n_patients)
    with django_assert_max_num_queries(14):  # one INSERT logs every patient shown (security.md F1)
        response = nurse_client.get(reverse("patients:patient_list"))
    assert response.status_code == HTTPStatus.OK
    assert len(response.context["object_list"]) == min(n_patients, 25)


def full_record(patient: Patient, size: int) -> None:
    today = timezone.localdate()
    AllergyFactory.create_batch(size, patient=patient)
    MedicationFactory.create_batch(size, patient=patient)
    PriorTreatmentFactory.create_batch(size, patient=patient)
    BodyMeasurementFactory.create_batch(size, patient=patient)
    ConsentFactory.create_batch(size, patient=patient)
    for n in range(size):
        ScreeningFactory(patient=patient, screened_on=today - dt.timedelta(days=n), answers={"pregnancy": True})
        DiaryEntryFactory(patient=patient, entry_date=today - dt.timedelta(days=n))


@pytest.mark.parametrize("size", [1, 50])
def test_patient_page_query_count_is_flat(nurse_client, django_assert_max_num_queries, size):
    patient = PatientFactory(primary_indication="chronic_migraine")
    full_record(patient, size)
    with django_assert_max_num_queries(PATIENT_PAGE_QUERIES):
        response = nurse_client.get(detail(patient))
    assert response.status_code == HTTPStatus.OK
    assert len(response.context["record"].allergies) == size


def test_front_desk_sees_identity_and_consent_but_no_clinical_background(front_desk_client):
    patient = PatientFactory()
    AllergyFactory(patient=patient, substance="Sulfamethoxazole")
    MedicationFactory(patient=patient, name="Phenelzine")
    ConsentFactory(patient=patient, form_version="KIT-01 v9")

    page = front_desk_client.get(detail(patient))

    assert page.status_code == HTTPStatus.OK
    assert "KIT-01 v9" in page.text
    assert "Sulfamethoxazole" not in page.text
    assert "Phenelzine" not in page.text
    assert "Contraindication screening" not in page.text
    assert page.context["record"].clinical is False


def test_nurse_sees_allergy_and_medication_flags_in_the_header(nurse_client):
    patient = PatientFactory()
    AllergyFactory(patient=patient, substance="Latex")
    MedicationFactory(patient=patient, medication_class="opioid", name="Oxycodone")
    MedicationFactory(patient=patient, medication_class="maoi", name="Phenelzine", stop_date=dt.date(2020, 1, 1))
    page = nurse_client.get(detail(patient))
    flags = page.context["record"]
    assert flags.medication_flags == ["Opioid"]  # the stopped MAOI is not flagged
    assert "Allergy: Latex" in page.text
    assert "Takes: Opioid" in page.text


@pytest.mark.parametrize(("indication", "shown"), [("trd", True), ("chronic_migraine", False)])
def test_treatment_resistance_is_read_off_prior_trials_for_depression_only(nurse_client, indication, shown):
    patient = PatientFactory(primary_indication=indication)
    PriorTreatmentFactory.create_batch(2, patient=patient)
    PriorTreatmentFactory(patient=patient, adequate_trial=False)  # too short: does not count
    page = nurse_client.get(detail(patient))
    assert page.context["record"].adequate_failed_trials == 2
    assert ("treatment-resistant depression" in page.text) is shown


def test_header_explains_why_the_patient_is_not_ready(nurse_client):
    patient = PatientFactory()
    ClearedScreeningFactory(patient=patient)
    page = nurse_client.get(detail(patient))
    assert "No signed treatment consent on file: record the patient&#x27;s signed consent." in page.text


VALID_REGISTRATION = {
    "given_name": "Alex",
    "family_name": "Testperson",
    "date_of_birth": "1985-05-17",
    "sex": "female",
    "phone": "(555) 010-2233",
    "primary_indication": "chronic_migraine",
}


def test_front_desk_registers_a_patient(front_desk_client):
    response = front_desk_client.post(reverse("patients:patient_create"), VALID_REGISTRATION)
    patient = Patient.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == detail(patient)
    assert patient.icd10_code == "G43.709"
    assert patient.created_by.username == "t_frontdesk"


def test_registration_with_errors_saves_nothing_and_keeps_what_was_typed(front_desk_client):
    response = front_desk_client.post(
        reverse("patients:patient_create"), {**VALID_REGISTRATION, "date_of_birth": "2999-01-01"}
    )
    assert response.status_code == HTTPStatus.OK
    assert "Date of birth is in the future" in response.text
    assert 'value="Testperson"' in response.text
    assert not Patient.objects.exists()


def test_registering_a_possible_duplicate_shows_the_existing_record(front_desk_client):
    existing = PatientFactory(given_name="Alex", family_name="Testperson", date_of_birth=dt.date(1985, 5, 17))
    response = front_desk_client.post(reverse("patients:patient_create"), VALID_REGISTRATION)
    assert response.status_code == HTTPStatus.OK
    assert detail(existing) in response.text
    assert Patient.objects.count() == 1


def test_editing_demographics_records_who_changed_what(clinician_client):
    patient = PatientFactory(phone="(555) 010-0000")
    data = {**VALID_REGISTRATION, "given_name": patient.given_name, "family_name": patient.family_name}
    data.update(date_of_birth=patient.date_of_birth.isoformat(), phone="(555) 010-9999", status="on_hold")
    data.update(version_of(PatientForm, patient))
    response = clinician_client.post(reverse("patients:patient_update", kwargs={"pk": patient.pk}), data)
    assert response.status_code == HTTPStatus.FOUND
    patient.refresh_from_db()
    assert (patient.phone, patient.status, patient.updated_by.username) == ("(555) 010-9999", "on_hold", "t_clinician")


def test_nurse_adds_an_allergy_and_the_access_is_logged(nurse_client):
    patient = PatientFactory()
    url = reverse("patients:allergy_create", kwargs={"pk": patient.pk})
    response = nurse_client.post(url, {"substance": "Iodinated contrast", "reaction": "Rash", "severity": "moderate"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].endswith("#section-allergy")
    allergy = Allergy.objects.get()
    assert (allergy.patient, allergy.created_by.username) == (patient, "t_nurse")
    assert PatientAccessEvent.objects.filter(patient=patient, category="allergy").exists()


def test_a_record_cannot_be_reached_through_another_patients_url(nurse_client):
    allergy = AllergyFactory()
    other = PatientFactory()
    url = reverse("patients:allergy_update", kwargs={"pk": other.pk, "item_pk": allergy.pk})
    assert nurse_client.get(url).status_code == HTTPStatus.NOT_FOUND
    assert nurse_client.post(url, {"substance": "Changed"}).status_code == HTTPStatus.NOT_FOUND
    allergy.refresh_from_db()
    assert allergy.substance == "Penicillin"


def test_voiding_needs_a_reason_then_hides_the_record(nurse_client):
    allergy = AllergyFactory()
    url = reverse("patients:allergy_void", kwargs={"pk": allergy.patient.pk, "item_pk": allergy.pk})
    refused = nurse_client.post(url, {"reason": ""})
    assert refused.status_code == HTTPStatus.OK
    assert "This field is required" in refused.text
    nurse_client.post(url, {"reason": "Entered for the wrong patient"})
    allergy.refresh_from_db()
    assert allergy.is_voided
    assert allergy.void_reason == "Entered for the wrong patient"
    assert nurse_client.get(url).status_code == HTTPStatus.NOT_FOUND  # nothing left to void or edit
    assert allergy not in nurse_client.get(detail(allergy.patient)).context["record"].allergies


def screening_post(**yes: bool) -> dict[str, str]:
    data = {"screened_on": timezone.localdate().isoformat()}
    for item in ContraindicationItem.objects.filter(is_active=True):
        data[f"item_{item.pk}"] = "yes" if yes.get(item.code) else "no"
    return data


def test_nurse_records_a_screening_that_waits_for_review(nurse_client):
    patient = PatientFactory()
    url = reverse("patients:screening_create", kwargs={"pk": patient.pk})
    response = nurse_client.post(url, screening_post(pregnancy=True))
    assert response.status_code == HTTPStatus.FOUND
    screening = Screening.objects.get()
    assert screening.status == ScreeningStatus.PENDING
    assert [a.item.code for a in screening.relative_findings] == ["pregnancy"]


def test_screening_with_an_unanswered_item_is_refused(nurse_client):
    patient = PatientFactory()
    data = screening_post()
    data.pop(next(k for k in data if k.startswith("item_")))
    response = nurse_client.post(reverse("patients:screening_create", kwargs={"pk": patient.pk}), data)
    assert response.status_code == HTTPStatus.OK
    assert "Answer yes or no." in response.text
    assert not Screening.objects.exists()


def review_url(screening: Screening) -> str:
    return reverse("patients:screening_review", kwargs={"pk": screening.patient.pk, "item_pk": screening.pk})


def test_clinician_clears_a_relative_finding_only_with_a_justification(clinician_client):
    screening = ScreeningFactory(answers={"pregnancy": True})
    refused = clinician_client.post(
        review_url(screening), {"decision": "clear", "justification": "", "password": TEST_PASSWORD}
    )
    assert refused.status_code == HTTPStatus.OK
    assert "write why treatment is reasonable" in refused.text
    screening.refresh_from_db()
    assert screening.status == ScreeningStatus.PENDING

    justification = "Negative urine hCG today; contraception confirmed; benefit outweighs risk."
    clinician_client.post(
        review_url(screening), {"decision": "clear", "justification": justification, "password": TEST_PASSWORD}
    )
    screening.refresh_from_db()
    assert (screening.status, screening.reviewed_by.username) == (ScreeningStatus.CLEARED, "t_clinician")


def test_absolute_finding_offers_only_declining(clinician_client):
    screening = ScreeningFactory(answers={"ketamine_hypersensitivity": True})
    page = clinician_client.get(review_url(screening))
    assert [value for value, _ in page.context["form"].fields["decision"].choices] == ["decline"]
    forced = clinician_client.post(review_url(screening), {"decision": "clear", "password": TEST_PASSWORD})
    assert forced.status_code == HTTPStatus.OK
    screening.refresh_from_db()
    assert screening.status == ScreeningStatus.PENDING


def test_a_reviewed_screening_has_no_review_page(clinician_client):
    screening = ClearedScreeningFactory()
    assert clinician_client.get(review_url(screening)).status_code == HTTPStatus.NOT_FOUND


def test_voided_patient_leaves_the_list(front_desk_client):
    patient = PatientFactory()
    front_desk_client.post(reverse("patients:patient_void", kwargs={"pk": patient.pk}), {"reason": "Duplicate of K1"})
    patient.refresh_from_db()
    assert patient.is_voided
    assert front_desk_client.get(reverse("patients:patient_list")).context["page_obj"].paginator.count == 0


def test_diary_entry_added_by_a_nurse_appears_in_the_monthly_counts(nurse_client):
    patient = PatientFactory(primary_indication="chronic_migraine")
    today = timezone.localdate()
    url = reverse("patients:diary_entry_create", kwargs={"pk": patient.pk})
    data = {"entry_date": today.isoformat(), "had_headache": "on", "migraine_features": "on", "worst_pain": "8"}
    assert nurse_client.post(url, data).status_code == HTTPStatus.FOUND
    (month, *_) = nurse_client.get(detail(patient)).context["record"].diary_months
    assert (month.headache_days, month.migraine_days) == (1, 1)


def test_record_of_a_voided_user_action_is_kept(nurse_client):
    """Voided rows stay in the database with who and why (they are only hidden from the page)."""
    allergy = AllergyFactory()
    record_void(record=allergy, by=UserFactory(), reason="Duplicate entry")
    assert Allergy.objects.voided().filter(pk=allergy.pk).exists()
