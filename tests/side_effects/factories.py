"""Factories for side effects."""

import factory
from factory.django import DjangoModelFactory

from side_effects.models import SideEffect, SideEffectTerm
from tests.factories import PatientFactory


class SideEffectFactory(DjangoModelFactory):
    class Meta:
        model = SideEffect

    patient = factory.SubFactory(PatientFactory)
    term = factory.LazyFunction(lambda: SideEffectTerm.objects.get(name="Dissociation"))
    category = "psychiatric"
    grade = 1
