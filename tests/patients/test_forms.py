"""Forms refuse bad input with a message next to the field that says how to fix it."""

from __future__ import annotations

import datetime as dt

import pytest
from crispy_forms.utils import render_crispy_form
from django.utils import timezone

from patients.forms import (
    CONFIRM_NOT_DUPLICATE,
    BodyMeasurementForm,
    ConsentForm,
    HeadacheDiaryEntryForm,
    MedicationForm,
    PatientForm,
)
from tests.factories import PatientFactory
from tests.patients.factories import DiaryEntryFactory

pytestmark = pytest.mark.django_db

VALID_PATIENT = {
    "given_name": "Alex",
    "family_name": "Testperson",
    "date_of_birth": "1985-05-17",
    "sex": "female",
    "phone": "(555) 010-2233",
    "email": "alex@example.org",
    "primary_indication": "trd",
}


def patient_form(**changes):
    return PatientForm(data={**VALID_PATIENT, **changes})


def test_valid_patient_form_fills_the_usual_icd10_code():
    form = patient_form()
    assert form.is_valid(), form.errors
    assert form.instance.icd10_code == "F33.2"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", "2999-01-01", "Date of birth is in the future"),
        ("date_of_birth", "1850-01-01", "more than 120 years ago"),
        ("phone", "call after 5", "Use digits, spaces and + ( ) - . only"),
        ("phone", "555-01", "A phone number has 7 to 15 digits; this one has 5"),
        ("email", "alex@", "Enter a valid email address"),
        ("icd10_code", "depression", "Enter an ICD-10 code such as G43.709"),
        ("given_name", "", "This field is required"),
        ("primary_indication", "vibes", "Select a valid choice"),
    ],
)
def test_patient_form_rejects_bad_input_next_to_the_field(field, value, message):
    form = patient_form(**{field: value})
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def test_same_name_and_birth_date_must_be_confirmed_as_a_new_person():
    existing = PatientFactory(given_name="Alex", family_name="Testperson", date_of_birth=dt.date(1985, 5, 17))
    form = patient_form(given_name="ALEX", family_name="testpérson")
    assert not form.is_valid()
    assert form.errors["confirm_not_duplicate"] == [CONFIRM_NOT_DUPLICATE]
    assert form.duplicates == [existing]
    assert patient_form(confirm_not_duplicate="on").is_valid()


def test_editing_a_patient_does_not_flag_the_patient_as_their_own_duplicate():
    patient = PatientFactory(given_name="Alex", family_name="Testperson", date_of_birth=dt.date(1985, 5, 17))
    form = PatientForm(data={**VALID_PATIENT, "status": "active"}, instance=patient)
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"weight_kg": "1600"}, "weight_kg", "Weight must be between 25 and 350 kg."),
        ({"weight_kg": "160", "height_cm": "170"}, None, None),
        ({"weight_kg": "400"}, "weight_kg", "If 400 was in pounds, that is 181.4 kg."),
        ({"weight_kg": "-5"}, "weight_kg", "Weight must be between"),
        ({"height_cm": "1.70"}, "height_cm", "1.70 m is 170 cm"),
        ({}, "__all__", "Enter a weight, a height, or both."),
    ],
)
def test_measurement_form_catches_impossible_values(data, field, message):
    form = BodyMeasurementForm(data={"measured_on": timezone.localdate().isoformat(), **data})
    if field is None:
        assert form.is_valid(), form.errors
    else:
        assert not form.is_valid()
        assert message in " ".join(form.errors[field])


def test_measurement_in_the_future_is_refused():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    form = BodyMeasurementForm(data={"measured_on": tomorrow.isoformat(), "weight_kg": "70"})
    assert "This date is in the future." in form.errors["measured_on"]


def test_medication_stopped_before_it_started_is_refused():
    form = MedicationForm(
        data={"name": "Zolpidem", "medication_class": "hypnotic", "start_date": "2026-03-01", "stop_date": "2026-02-01"}
    )
    assert form.errors["stop_date"] == ["The stop date is before the start date."]


def test_diary_pain_without_headache_is_refused():
    form = HeadacheDiaryEntryForm(data={"entry_date": "2026-03-01", "worst_pain": "7"}, patient=PatientFactory())
    assert form.errors["worst_pain"] == ["Pain above 0 was entered for a day without headache."]


def test_diary_second_entry_for_the_same_day_is_refused():
    entry = DiaryEntryFactory(entry_date=dt.date(2026, 3, 1))
    form = HeadacheDiaryEntryForm(
        data={"entry_date": "2026-03-01", "had_headache": "on", "worst_pain": "3"}, patient=entry.patient
    )
    assert "There is already a diary entry for this day" in form.errors["entry_date"][0]


def test_consent_expiring_before_it_was_signed_is_refused():
    form = ConsentForm(
        data={
            "consent_type": "treatment",
            "form_version": "KIT-01 v3",
            "signed_on": "2026-03-01",
            "witness_name": "Robin Ames",
            "expires_on": "2026-02-01",
        }
    )
    assert form.errors["expires_on"] == ["The expiry date must be after the signing date."]


def test_a_new_consent_offers_no_withdrawal_date_and_renders_every_field_it_lays_out(caplog):
    from crispy_forms.utils import render_crispy_form

    html = render_crispy_form(ConsentForm())
    assert 'name="withdrawn_on"' not in html
    assert 'name="expires_on"' in html
    assert "Could not resolve form field" not in caplog.text  # the layout names only fields the form has


@pytest.mark.django_db
def test_an_existing_consent_offers_its_withdrawal_date():
    from crispy_forms.utils import render_crispy_form

    from tests.patients.factories import ConsentFactory

    assert 'name="withdrawn_on"' in render_crispy_form(ConsentForm(instance=ConsentFactory()))


@pytest.mark.parametrize("editing", [False, True], ids=["new", "edit"])
def test_patient_form_layout_names_only_the_fields_it_has(editing, caplog):
    """Crispy logs a traceback for a layout field the form lacks; a new patient's form has no status, and did on
    every GET (issue #16 point 7)."""
    form = PatientForm(instance=PatientFactory() if editing else None)
    assert {pointer.name for pointer in form.helper.layout.get_field_names()} <= set(form.fields)
    assert ("status" in form.fields) is editing
    with caplog.at_level("WARNING"):
        render_crispy_form(form)
    assert [record.getMessage() for record in caplog.records] == []
