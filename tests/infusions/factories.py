"""Factories for courses and sessions. Fake data only."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from infusions.models import DrugPreparation, InfusionSession, Protocol, TreatmentCourse
from tests.factories import PatientFactory, UserFactory

DEPRESSION_PROTOCOL = "Depression: 0.5 mg/kg over 40 min"
MIGRAINE_PROTOCOL = "Refractory migraine: continuous from 0.1 mg/kg/h"


def protocol(name: str = DEPRESSION_PROTOCOL) -> Protocol:
    return Protocol.objects.get(name=name)


def preparation(final_mg_ml: int = 1) -> DrugPreparation:
    return DrugPreparation.objects.filter(final_mg_ml=final_mg_ml).order_by("id").first()


class CourseFactory(DjangoModelFactory):
    class Meta:
        model = TreatmentCourse

    patient = factory.SubFactory(PatientFactory)
    protocol = factory.LazyFunction(protocol)
    prescriber = factory.SubFactory(UserFactory)
    ordered_dose = Decimal("0.5")
    ordered_max = Decimal("0.75")
    planned_sessions = 6


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = InfusionSession

    course = factory.SubFactory(CourseFactory)
    patient = factory.SelfAttribute("course.patient")
    scheduled_for = factory.LazyFunction(timezone.now)
    chair = "1"
