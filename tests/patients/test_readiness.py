"""The gate before an infusion: screening cleared and consent valid, with reasons staff can act on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from clinic.services import record_void
from patients.choices import ConsentType, ScreeningStatus
from tests.factories import PatientFactory, UserFactory
from tests.patients.factories import ClearedScreeningFactory, ConsentFactory, ScreeningFactory

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def patient():
    return PatientFactory()


def test_ready_with_cleared_screening_and_valid_consent(patient):
    ClearedScreeningFactory(patient=patient)
    ConsentFactory(patient=patient)
    readiness = patient.infusion_readiness()
    assert readiness.ok
    assert readiness.problems == []


def test_nothing_on_file_gives_both_reasons(patient):
    readiness = patient.infusion_readiness()
    assert not readiness.ok
    assert readiness.problems == [
        "No contraindication screening on file: complete one and have a clinician review it.",
        "No signed treatment consent on file: record the patient's signed consent.",
    ]


def test_expired_consent_names_the_date(patient):
    ClearedScreeningFactory(patient=patient)
    ConsentFactory(patient=patient, signed_on=dt.date(2025, 10, 2), expires_on=dt.date(2026, 10, 2))
    readiness = patient.infusion_readiness(on=dt.date(2026, 10, 3))
    assert readiness.screening_ok is True
    assert readiness.consent_ok is False
    assert readiness.problems == ["Consent expired on 2 Oct 2026: record a new consent."]


def test_consent_is_valid_on_its_expiry_day(patient):
    ClearedScreeningFactory(patient=patient, screened_on=dt.date(2026, 9, 1))
    ConsentFactory(patient=patient, signed_on=dt.date(2025, 10, 2), expires_on=dt.date(2026, 10, 2))
    assert patient.infusion_readiness(on=dt.date(2026, 10, 2)).ok


def test_withdrawn_consent_blocks(patient):
    ClearedScreeningFactory(patient=patient)
    ConsentFactory(patient=patient, withdrawn_on=today())
    assert "withdrawn" in patient.infusion_readiness().problems[0]


def test_research_consent_does_not_count_for_treatment(patient):
    ClearedScreeningFactory(patient=patient)
    ConsentFactory(patient=patient, consent_type=ConsentType.RESEARCH)
    assert patient.infusion_readiness().consent_ok is False


def test_voided_consent_does_not_count(patient):
    ClearedScreeningFactory(patient=patient)
    consent = ConsentFactory(patient=patient)
    record_void(record=consent, by=UserFactory(), reason="Wrong patient's form")
    assert patient.infusion_readiness().consent_ok is False


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (ScreeningStatus.PENDING, "is waiting for a clinician's review"),
        (ScreeningStatus.NOT_CLEARED, "was not cleared"),
    ],
)
def test_unreviewed_or_declined_screening_blocks(patient, status, message):
    ScreeningFactory(patient=patient, status=status)
    ConsentFactory(patient=patient)
    readiness = patient.infusion_readiness()
    assert readiness.screening_ok is False
    assert message in readiness.problems[0]


def test_expired_screening_names_the_date(patient):
    ClearedScreeningFactory(patient=patient, screened_on=dt.date(2025, 1, 10), expires_on=dt.date(2026, 1, 10))
    ConsentFactory(patient=patient, signed_on=dt.date(2025, 12, 1))
    assert patient.infusion_readiness(on=dt.date(2026, 1, 11)).problems == [
        "Screening expired on 10 Jan 2026: repeat the screening."
    ]


def test_the_latest_screening_decides(patient):
    ClearedScreeningFactory(patient=patient, screened_on=today() - dt.timedelta(days=60))
    ScreeningFactory(patient=patient, screened_on=today())  # a newer one, still pending
    ConsentFactory(patient=patient)
    assert patient.infusion_readiness().screening_ok is False
