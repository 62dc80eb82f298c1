"""Patient pages: what they show and that their query count does not grow with the data."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from clinic.services import record_void
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("n_patients", [1, 25])
def test_patient_list_query_count_is_flat(nurse_client, django_assert_max_num_queries, n_patients):
    PatientFactory.create_batch(n_patients)
    with django_assert_max_num_queries(12):
        response = nurse_client.get(reverse("patients:patient_list"))
    assert response.status_code == HTTPStatus.OK
    assert len(response.context["object_list"]) == n_patients


def test_patient_list_is_paginated_and_hides_voided_records(nurse_client):
    PatientFactory.create_batch(26)
    voided = PatientFactory(family_name="Voided")
    record_void(record=voided, by=UserFactory(), reason="Registered twice")
    response = nurse_client.get(reverse("patients:patient_list"))
    assert len(response.context["object_list"]) == 25
    assert response.context["page_obj"].paginator.count == 26


@pytest.mark.parametrize("n_patients", [1, 50])
def test_patient_page_query_count_is_flat(nurse_client, django_assert_max_num_queries, n_patients):
    patients = PatientFactory.create_batch(n_patients)
    with django_assert_max_num_queries(12):
        response = nurse_client.get(reverse("patients:patient_detail", kwargs={"pk": patients[-1].pk}))
    assert response.status_code == HTTPStatus.OK
    assert patients[-1].mrn in response.text


@pytest.mark.parametrize("role", ["front_desk", "nurse", "clinician", "clinic_admin"])
def test_dashboard_query_count_is_small(role_client, django_assert_max_num_queries, role):
    client = role_client(role)
    PatientFactory.create_batch(10)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("home")).status_code == HTTPStatus.OK
