"""Factories for the records attached to a patient. Fake data only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from clinic.dates import add_months
from patients.choices import ConsentType, MedicationClass, ScreeningStatus, TreatmentKind, TreatmentOutcome
from patients.models import (
    Allergy,
    BodyMeasurement,
    Consent,
    ContraindicationItem,
    HeadacheDiaryEntry,
    Medication,
    PriorTreatment,
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
    kind = TreatmentKind.MEDICATION
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
