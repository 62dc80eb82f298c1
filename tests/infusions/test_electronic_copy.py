"""The electronic copy of a patient's whole record with its audit trail (security.md K2; 21 CFR 11.10(b))."""

from __future__ import annotations

import json
from http import HTTPStatus

import pghistory
import pytest
from django.urls import reverse

from clinic.audit.models import AccessAction, PatientAccessEvent
from infusions.selectors.records import record_models
from tests.factories import PatientFactory
from tests.test_url_permissions import make_objects

pytestmark = pytest.mark.django_db


def test_the_copy_holds_every_record_of_the_patient_its_history_and_access_log_and_nothing_of_another(
    clinician_client,
):
    mine, other = make_objects(), make_objects()
    url = reverse("infusions:patient_export", args=[mine["patient"].pk])

    response = clinician_client.get(url)

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Disposition"] == f'attachment; filename="patient-{mine["patient"].pk}-record.json"'
    assert "no-store" in response["Cache-Control"]
    copy = json.loads(response.content)
    records = copy["records"]
    for label in ("patients.patient", "patients.allergy", "infusions.infusionsession", "side_effects.sideeffect"):
        assert label in records, label
    assert [row["id"] for row in records["patients.patient"]] == [mine["patient"].pk]
    assert [row["id"] for row in records["infusions.infusionsession"]] == [mine["session"].pk]
    assert all(row["patient_id"] == mine["patient"].pk for row in records["patients.allergy"])
    assert other["patient"].mrn not in response.content.decode()
    assert copy["change_history"]["patients.patient"][0]["pgh_label"] == "insert"
    assert copy["access_log"][-1] | {"at_utc": None} == {
        "at_utc": None,
        "user": "t_clinician",
        "category": "electronic_copy",
        "action": "export",
        "path": url,
    }


def test_the_copy_is_logged_as_an_export_and_is_for_clinicians_only(nurse_client, clinician_client):
    patient = make_objects()["patient"]
    url = reverse("infusions:patient_export", args=[patient.pk])

    assert nurse_client.get(url).status_code == HTTPStatus.FORBIDDEN
    assert clinician_client.get(url).status_code == HTTPStatus.OK

    event = PatientAccessEvent.objects.get()
    assert (event.patient, event.action, event.category) == (patient, AccessAction.EXPORT, "electronic_copy")


def test_every_model_that_belongs_to_a_patient_is_in_the_copy():
    """Every model of the project's apps that leads to a patient, in whichever app it lives (issue #15 moved side
    effects and the stock ledger into apps of their own: each must say it holds part of the record)."""
    from django.apps import apps

    from infusions.selectors.records import patient_path
    from tests.project import project_packages

    in_copy = {model._meta.label_lower for model, _ in record_models()}
    belongs = {
        model._meta.label_lower
        for config in apps.get_app_configs()
        if config.name.split(".")[0] in project_packages()
        for model in config.get_models()
        if not issubclass(model, pghistory.models.Event) and patient_path(model) is not None
    }
    not_in_copy = {"audit.patientaccessevent", "audit.authevent"}  # the access log is its own report, not the record
    assert belongs - not_in_copy <= in_copy, sorted(belongs - not_in_copy - in_copy)
    assert {"side_effects.sideeffect", "stock.stockmovement", "infusions.vitalsign"} <= in_copy


def test_the_history_page_offers_the_electronic_copy(clinician_client):
    patient = PatientFactory()
    page = clinician_client.get(reverse("infusions:patient_history", args=[patient.pk])).content.decode()
    assert f'href="{reverse("infusions:patient_export", args=[patient.pk])}" download' in page
