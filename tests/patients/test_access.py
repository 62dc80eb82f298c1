"""Every view of a patient's record writes exactly one access-log row; refusals write none."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from clinic.audit.models import PatientAccessEvent
from patients.models import Patient, QuestionnaireResponse
from tests.conftest import make_role_user
from tests.factories import PatientFactory, UserFactory
from tests.patients.factories import QuestionnaireFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["front_desk", "nurse", "clinician"])
def test_viewing_a_patient_logs_who_which_patient_what_and_where(role):
    patient = PatientFactory()
    user = make_role_user(role)
    client = Client(REMOTE_ADDR="192.0.2.7")
    client.force_login(user)

    response = client.get(reverse("patients:patient_detail", kwargs={"pk": patient.pk}))

    assert response.status_code == HTTPStatus.OK
    event = PatientAccessEvent.objects.get()
    assert (event.user, event.patient, event.category, event.action) == (user, patient, "summary", "view")
    assert event.ip_address == "192.0.2.7"
    assert event.path == f"/patients/{patient.pk}/"
    assert event.occurred_at is not None


def test_patient_page_is_not_cached_by_the_browser(nurse_client):
    patient = PatientFactory()
    response = nurse_client.get(reverse("patients:patient_detail", kwargs={"pk": patient.pk}))
    assert "no-store" in response["Cache-Control"]


def test_role_without_patient_access_gets_403_and_nothing_is_logged(clinic_admin_client):
    patient = PatientFactory()
    response = clinic_admin_client.get(reverse("patients:patient_detail", kwargs={"pk": patient.pk}))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not PatientAccessEvent.objects.exists()


def test_unknown_patient_is_404_and_nothing_is_logged(nurse_client):
    response = nurse_client.get(reverse("patients:patient_detail", kwargs={"pk": 987654}))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not PatientAccessEvent.objects.exists()


def test_out_of_scope_patient_answers_404_not_403(nurse_client, monkeypatch):
    patient = PatientFactory()
    # A narrower scope (as a clinic chain's site filter would give) hides the record entirely.
    monkeypatch.setattr(Patient.objects._queryset_class, "visible_to", lambda self, user: self.exclude(pk=patient.pk))
    response = nurse_client.get(reverse("patients:patient_detail", kwargs={"pk": patient.pk}))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not PatientAccessEvent.objects.exists()


def test_opening_a_patient_in_the_admin_is_logged():
    patient = PatientFactory()
    client = Client()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(reverse("admin:patients_patient_change", args=[patient.pk]))
    assert response.status_code == HTTPStatus.OK
    assert PatientAccessEvent.objects.get().category == "admin"


def test_visible_to_gives_nothing_to_an_inactive_user():
    PatientFactory()
    user = make_role_user("nurse")
    user.is_active = False
    assert not Patient.objects.visible_to(user).exists()


def test_records_of_a_patient_follow_a_narrower_patient_scope(monkeypatch):
    hidden, shown = QuestionnaireFactory(), QuestionnaireFactory()
    nurse = make_role_user("nurse")
    # As a clinic chain's site filter would: the records of patients outside the scope are out of scope too.
    monkeypatch.setattr(Patient.objects._queryset_class, "visible_to",
                        lambda self, user: self.exclude(pk=hidden.patient_id))  # fmt: skip
    assert list(QuestionnaireResponse.objects.visible_to(nurse)) == [shown]


def test_records_of_a_patient_are_out_of_scope_when_no_patient_is_in_scope(monkeypatch):
    QuestionnaireFactory()
    monkeypatch.setattr(Patient.objects._queryset_class, "visible_to", lambda self, user: self.none())
    assert not QuestionnaireResponse.objects.visible_to(make_role_user("nurse")).exists()


def test_records_of_a_patient_need_no_join_with_patients_when_every_patient_is_in_scope():
    """The whole clinic in scope: the records' queries read only the few restricted patients hidden from the user
    (``NOT (patient_id IN (... WHERE is_restricted ...))``, served by a partial index), never every patient (issue
    #8; security.md D1)."""
    record = QuestionnaireFactory()
    scoped = QuestionnaireResponse.objects.visible_to(make_role_user("nurse"))
    assert list(scoped) == [record]
    sql = str(scoped.query)
    assert sql.count("patients_patient") == 1
    assert '"patient_id" IN (SELECT V0."id" AS "pk" FROM "patients_patient" V0 WHERE (V0."is_restricted"' in sql
    assert "NOT (" in sql
