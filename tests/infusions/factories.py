"""Factories for courses and sessions. Fake data only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from infusions.models import (
    DrugPreparation,
    InfusionSession,
    Protocol,
    StockProduct,
    TreatmentCourse,
)
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


# Ketamine stock ledger (issue #9) --------------------------------------------------------------------------------


class StockProductFactory(DjangoModelFactory):
    """A fictitious product: the NDC is made up (labeler 99999 is not assigned)."""

    class Meta:
        model = StockProduct
        django_get_or_create = ("name",)

    name = "Ketamine HCl 50 mg/mL, 10 mL vial"
    ndc = factory.Sequence(lambda n: f"99999-{n:04d}-10")
    concentration_mg_ml = Decimal(50)
    volume_ml = Decimal(10)


def receive(by, product=None, vial_count=2, **kwargs):
    """A delivery through the service, as the nurse records it."""
    from infusions import services

    fields = {
        "product": product or StockProductFactory(),
        "received_on": timezone.localdate(),
        "supplier_name": "Example Wholesale Inc.",
        "supplier_address": "1 Test Way, Springfield",
        "supplier_dea_number": "RX1234563",
        "lot_number": "LOT-A1",
        "expires_on": timezone.localdate() + dt.timedelta(days=365),
        "vial_count": vial_count,
        "by": by,
    }
    return services.stock_receive(**(fields | kwargs))
