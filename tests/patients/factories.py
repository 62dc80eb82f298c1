"""Factories for the records attached to a patient. Fake data only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from clinic.dates import add_months
from patients import scoring
from patients.choices import ConsentType, MedicationClass, ScreeningStatus, TreatmentKind, TreatmentOutcome
from patients.models import (
    Allergy,
    BodyMeasurement,
    Consent,
    ContraindicationItem,
    HeadacheDiaryEntry,
    Medication,
    PriorTreatment,
    QuestionnaireResponse,
    Screening,
    ScreeningAnswer,
)
from tests.factories import PatientFactory, UserFactory


def today() -> dt.date:
    return timezone.localdate()


class AllergyFactory(DjangoModelFactory):
    class Meta:
        model = Allergy

    patient = factory.SubFactory(PatientFactory)
    substance = "Penicillin"
    reaction = "Hives"


class MedicationFactory(DjangoModelFactory):
    class Meta:
        model = Medication

    patient = factory.SubFactory(PatientFactory)
    name = "Lorazepam"
    dose = "0.5 mg"
    medication_class = MedicationClass.BENZODIAZEPINE


class PriorTreatmentFactory(DjangoModelFactory):
    class Meta:
        model = PriorTreatment

    patient = factory.SubFactory(PatientFactory)
    treatment = "Sertraline"
    kind = TreatmentKind.ANTIDEPRESSANT
    adequate_trial = True
    outcome = TreatmentOutcome.NO_RESPONSE


class BodyMeasurementFactory(DjangoModelFactory):
    class Meta:
        model = BodyMeasurement

    patient = factory.SubFactory(PatientFactory)
    measured_on = factory.LazyFunction(today)
    weight_kg = Decimal("72.5")
    height_cm = Decimal("170.0")


class DiaryEntryFactory(DjangoModelFactory):
    class Meta:
        model = HeadacheDiaryEntry

    patient = factory.SubFactory(PatientFactory)
    entry_date = factory.LazyFunction(today)
    had_headache = True
    migraine_features = True
    worst_pain = 6


class ConsentFactory(DjangoModelFactory):
    class Meta:
        model = Consent

    patient = factory.SubFactory(PatientFactory)
    consent_type = ConsentType.TREATMENT
    form_version = "KIT-01 v3"
    signed_on = factory.LazyFunction(lambda: today() - dt.timedelta(days=30))
    witness_name = "Robin Ames"
    expires_on = factory.LazyAttribute(lambda o: add_months(o.signed_on, 12))


class ScreeningFactory(DjangoModelFactory):
    """A screening with a "no" answer to every active item (override with ``answers``)."""

    class Meta:
        model = Screening
        skip_postgeneration_save = True

    patient = factory.SubFactory(PatientFactory)
    screened_on = factory.LazyFunction(today)

    @factory.post_generation
    def answers(self, create: bool, extracted: dict[str, bool] | None, **kwargs: object) -> None:
        if not create:
            return
        yes = extracted or {}
        ScreeningAnswer.objects.bulk_create(
            ScreeningAnswer(screening=self, item=item, present=yes.get(item.code, False))
            for item in ContraindicationItem.objects.filter(is_active=True)
        )


class ClearedScreeningFactory(ScreeningFactory):
    status = ScreeningStatus.CLEARED
    reviewed_by = factory.SubFactory(UserFactory)
    reviewed_at = factory.LazyFunction(timezone.now)
    expires_on = factory.LazyAttribute(lambda o: add_months(o.screened_on, 12))


def answers_for_total(instrument: str, total: int, *, item9: int = 0) -> dict[str, int]:
    """Answers that add up to ``total``, the suicide item (PHQ-9 item 9, MADRS item 10) fixed to ``item9``."""
    definition = scoring.INSTRUMENTS[instrument]
    risk_key = definition.risk_item.key if definition.risk_item else None
    answers = {item.key: min(item.allowed) for item in definition.scored_items}
    if risk_key:
        answers[risk_key] = item9
    remaining = total - sum(answers.values())
    for item in definition.scored_items:
        if item.key == risk_key:
            continue
        for value in sorted(item.allowed, reverse=True):
            if value - answers[item.key] <= remaining:
                remaining -= value - answers[item.key]
                answers[item.key] = value
                break
    if remaining:
        raise ValueError(f"cannot build {instrument} answers totalling {total}")
    return answers


class QuestionnaireFactory(DjangoModelFactory):
    """A scored questionnaire. Pass ``total`` (and ``item9``: the suicide item's answer); answers, band and alert
    follow."""

    class Meta:
        model = QuestionnaireResponse

    class Params:
        item9 = 0

    patient = factory.SubFactory(PatientFactory)
    instrument = "phq9"
    completed_at = factory.LazyFunction(timezone.now)
    total = 12
    answers = factory.LazyAttribute(lambda o: answers_for_total(o.instrument, o.total, item9=o.item9))
    band = factory.LazyAttribute(lambda o: scoring.band_for(scoring.INSTRUMENTS[o.instrument], o.total).code)
    suicide_risk = factory.LazyAttribute(lambda o: scoring.suicide_risk(scoring.INSTRUMENTS[o.instrument], o.answers))


class EmergencyGrantFactory(DjangoModelFactory):
    """A grant in force for an hour, pending review (restricted patient and a user of its own by default)."""

    class Meta:
        model = "patients.EmergencyAccessGrant"

    user = factory.SubFactory(UserFactory)
    patient = factory.SubFactory(PatientFactory, is_restricted=True, restricted_reason="Member of staff")
    reason_code = "clinical_emergency"
    reason = "Patient collapsed in the chair; allergies and current medications needed now."
    started_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.started_at + dt.timedelta(hours=1))
