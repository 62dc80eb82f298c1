"""Clinical rows are voided with a reason, never deleted."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import ProtectedError
from django.test import RequestFactory

from clinic.services import ALREADY_VOIDED, record_void
from patients.models import Patient
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_database_refuses_to_delete_a_clinical_row():
    patient = PatientFactory()
    with pytest.raises(DatabaseError, match="Cannot delete"), transaction.atomic():
        patient.delete()
    assert Patient.objects.filter(pk=patient.pk).exists()


def test_user_referenced_by_a_clinical_row_cannot_be_deleted():
    author = UserFactory()
    PatientFactory(created_by=author)
    with pytest.raises(ProtectedError):
        author.delete()


@pytest.mark.parametrize("model", [Patient, UserFactory._meta.model])
def test_admin_offers_no_delete(model):
    request = RequestFactory().get("/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    assert site._registry[model].has_delete_permission(request) is False


def test_void_keeps_the_row_and_records_who_when_and_why():
    patient, clerk = PatientFactory(), UserFactory()
    record_void(record=patient, by=clerk, reason="Registered twice by mistake")

    patient.refresh_from_db()
    assert patient.is_voided
    assert patient.voided_by == clerk
    assert patient.void_reason == "Registered twice by mistake"
    assert Patient.objects.active().filter(pk=patient.pk).exists() is False
    assert Patient.objects.voided().filter(pk=patient.pk).exists()


@pytest.mark.parametrize("reason", ["", "   ", "oops"])
def test_void_without_a_real_reason_is_refused_and_saves_nothing(reason):
    patient = PatientFactory()
    with pytest.raises(ValidationError, match="reason"):
        record_void(record=patient, by=UserFactory(), reason=reason)
    patient.refresh_from_db()
    assert not patient.is_voided


def test_voiding_twice_is_refused():
    patient, clerk = PatientFactory(), UserFactory()
    record_void(record=patient, by=clerk, reason="Registered twice")
    with pytest.raises(ValidationError, match=re.escape(ALREADY_VOIDED)):
        record_void(record=patient, by=clerk, reason="Again, by mistake")
