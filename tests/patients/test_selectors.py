"""The patient record's reads: the header-only mode shows the same header as the full record, with fewer queries."""

from __future__ import annotations

import datetime as dt

import pytest

from patients.selectors import patient_record
from tests.factories import PatientFactory
from tests.patients.factories import (
    AllergyFactory,
    BodyMeasurementFactory,
    ClearedScreeningFactory,
    ConsentFactory,
    MedicationFactory,
    PriorTreatmentFactory,
    QuestionnaireFactory,
)

pytestmark = pytest.mark.django_db

HEADER = ("patient", "readiness", "allergies", "medication_flags", "current_medications", "risk_alerts", "clinical")


def test_header_only_record_gives_the_header_of_the_full_record_in_five_fewer_queries(django_assert_num_queries):
    patient = PatientFactory()
    AllergyFactory(patient=patient, substance="Latex")
    MedicationFactory(patient=patient, medication_class="opioid")
    MedicationFactory(patient=patient, medication_class="maoi", stop_date=dt.date(2020, 1, 1))
    ClearedScreeningFactory(patient=patient)
    ConsentFactory(patient=patient)
    QuestionnaireFactory(patient=patient, total=14, item9=1)  # an open suicide-risk alert
    PriorTreatmentFactory(patient=patient)
    BodyMeasurementFactory(patient=patient)
    with django_assert_num_queries(10):
        full = patient_record(patient, clinical=True)
    with django_assert_num_queries(5):
        header = patient_record(patient, clinical=True, header_only=True)
    assert {name: getattr(header, name) for name in HEADER} == {name: getattr(full, name) for name in HEADER}
    assert header.medication_flags == ["Opioid"]
    assert len(header.risk_alerts) == 1
    assert header.readiness.ok
    assert len(full.latest_questionnaires) == len(full.prior_treatments) == len(full.measurements) == 1
    assert header.latest_questionnaires == header.prior_treatments == header.measurements == []
