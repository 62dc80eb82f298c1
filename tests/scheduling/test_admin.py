"""The clinic admin keeps the schedule's reference data in the admin (rooms, chairs, opening hours, closure days);
the roles that book read it there and change none of it; nobody deletes a chair, and the change history records
each edit."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from scheduling.models import Chair
from tests.scheduling.factories import ChairFactory

pytestmark = pytest.mark.django_db

REFERENCE = ["room", "chair", "openinghours", "closure"]


@pytest.mark.parametrize("model", REFERENCE)
def test_clinic_admin_adds_the_reference_data(clinic_admin_client, model):
    assert clinic_admin_client.get(reverse(f"admin:scheduling_{model}_add")).status_code == HTTPStatus.OK


@pytest.mark.parametrize("model", REFERENCE)
@pytest.mark.parametrize("role", ["front_desk", "nurse", "clinician"])
def test_the_booking_roles_cannot_change_the_reference_data(role_client, role, model):
    client = role_client(role)
    assert client.get(reverse(f"admin:scheduling_{model}_add")).status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.FOUND)


def test_clinic_admin_takes_a_chair_out_of_use_and_the_history_records_it(clinic_admin_client):
    chair = ChairFactory()
    url = reverse("admin:scheduling_chair_change", args=[chair.pk])
    data = {"name": chair.name, "room": chair.room_id, "display_order": 0}  # "active" unticked
    assert clinic_admin_client.post(url, data).status_code == HTTPStatus.FOUND
    chair.refresh_from_db()
    assert chair.is_active is False
    assert chair.events.filter(pgh_label="update", is_active=False).exists()
    assert clinic_admin_client.get(reverse("admin:scheduling_chair_delete", args=[chair.pk])).status_code in (
        HTTPStatus.FORBIDDEN,
        HTTPStatus.FOUND,
    )
    assert Chair.objects.filter(pk=chair.pk).exists()
