"""The treatment-resistant depression count takes adequate, failed antidepressant trials only (issue #16 point 7;
docs/clinical.md §1.6; patients/antidepressants.py)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from patients.antidepressants import antidepressant_in
from patients.choices import TreatmentKind, TreatmentOutcome
from patients.forms import PriorTreatmentForm
from patients.models import PriorTreatment
from patients.selectors import adequate_failed_antidepressant_trials, patient_record
from tests.factories import PatientFactory
from tests.patients.factories import PriorTreatmentFactory

pytestmark = pytest.mark.django_db


def test_only_antidepressant_trials_count_towards_treatment_resistance():
    patient = PatientFactory(primary_indication="trd")
    PriorTreatmentFactory(patient=patient, treatment="Sertraline 150 mg")
    PriorTreatmentFactory(patient=patient, treatment="Topiramate", kind=TreatmentKind.MEDICATION)  # a preventive
    PriorTreatmentFactory(patient=patient, treatment="Aripiprazole augmentation", kind=TreatmentKind.MEDICATION)
    PriorTreatmentFactory(patient=patient, treatment="CBT", kind=TreatmentKind.PSYCHOTHERAPY)
    PriorTreatmentFactory(patient=patient, treatment="Escitalopram", adequate_trial=False)  # too short
    PriorTreatmentFactory(patient=patient, treatment="Bupropion", outcome=TreatmentOutcome.RESPONSE)
    assert patient_record(patient, clinical=True).adequate_failed_trials == 1


def test_two_failed_antidepressants_meet_the_definition_on_the_page(clinician_client):
    patient = PatientFactory(primary_indication="trd")
    PriorTreatmentFactory(patient=patient, treatment="Sertraline")
    PriorTreatmentFactory(patient=patient, treatment="Venlafaxine XR", outcome=TreatmentOutcome.PARTIAL)
    PriorTreatmentFactory(patient=patient, treatment="Topiramate", kind=TreatmentKind.MEDICATION)
    text = clinician_client.get(patient.get_absolute_url()).text
    assert "<strong>2</strong> adequate antidepressant trials without response." in text
    assert "Meets the usual definition of treatment-resistant depression" in text


def test_a_migraine_preventive_alone_never_reads_as_treatment_resistant_depression():
    trials = [PriorTreatmentFactory.build(treatment=name, kind=TreatmentKind.MEDICATION)
              for name in ("Topiramate", "Propranolol", "Candesartan")]  # fmt: skip
    assert adequate_failed_antidepressant_trials(trials) == 0


@pytest.mark.parametrize(
    ("text", "found"),
    [("Sertraline 150 mg", "sertraline"), ("ZOLOFT", "sertraline"), ("Venlafaxine XR", "venlafaxine"),
     ("amitriptyline 25 mg at night", "amitriptyline"), ("Spravato 84 mg", "esketamine"),
     ("Aripiprazole augmentation", None), ("Lithium", None), ("Topiramate", None), ("", None)],
)  # fmt: skip
def test_antidepressants_are_found_by_name_or_us_brand(text, found):
    assert antidepressant_in(text) == found


def test_a_known_antidepressant_recorded_as_another_medicine_is_refused_next_to_the_kind():
    trial = PriorTreatmentFactory.build(patient=PatientFactory(), treatment="Zoloft", kind=TreatmentKind.MEDICATION)
    with pytest.raises(ValidationError) as refused:
        trial.full_clean()
    assert refused.value.message_dict["kind"] == [
        'Sertraline is an antidepressant (WHO ATC N06A): choose "Antidepressant medication", so that it counts '
        "towards treatment-resistant depression."
    ]
    trial.kind = TreatmentKind.ANTIDEPRESSANT
    trial.full_clean()


def test_the_migration_classes_the_antidepressants_already_recorded():
    patient = PatientFactory()
    kept = PriorTreatmentFactory(patient=patient, treatment="Topiramate", kind=TreatmentKind.MEDICATION)
    sertraline = PriorTreatmentFactory(patient=patient, treatment="Sertraline")
    PriorTreatment.objects.filter(pk=sertraline.pk).update(kind=TreatmentKind.MEDICATION)  # as recorded before
    migration = importlib.import_module("patients.migrations.0012_prior_treatment_antidepressant_kind")
    migration.class_antidepressants(apps, None)
    kinds = dict(PriorTreatment.objects.values_list("pk", "kind"))
    assert kinds == {kept.pk: TreatmentKind.MEDICATION, sertraline.pk: TreatmentKind.ANTIDEPRESSANT}


def test_the_prior_treatment_form_says_so_next_to_the_kind():
    data = {"treatment": "Lexapro 10 mg", "kind": "medication", "adequate_trial": "yes", "outcome": "no_response"}
    form = PriorTreatmentForm(data, instance=PriorTreatment(patient=PatientFactory()))
    assert not form.is_valid()
    assert form.errors["kind"][0].startswith("Escitalopram is an antidepressant (WHO ATC N06A)")
