"""The clinic admin voids a side effect entered in error from the admin, by its number: it reads no chart, so there is
no list of side effects to browse, and a restricted record stays closed (issue #16 point 4)."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from clinic.audit.models import PatientAccessEvent
from clinic.services import VOID_REASON_REQUIRED
from side_effects.forms import NO_SUCH_SIDE_EFFECT, RESTRICTED_SIDE_EFFECT
from side_effects.services import REPORT_WITHDRAWN
from tests.factories import PatientFactory, UserFactory
from tests.side_effects.factories import SideEffectFactory
from tests.side_effects.test_views import WRONG_PATIENT, serious

pytestmark = pytest.mark.django_db

VOID_PAGE = reverse("admin:side_effects_sideeffect_void")


def test_clinic_admin_finds_a_side_effect_by_number_and_voids_it(clinic_admin_client):
    event = serious()
    found = clinic_admin_client.get(VOID_PAGE, {"number": event.pk})
    assert found.status_code == HTTPStatus.OK
    assert event.patient.mrn in found.text
    assert "<caption>Side effect" in found.text
    assert "Void this side effect" in found.text
    assert PatientAccessEvent.objects.filter(patient=event.patient).count() == 1  # seeing it is a read of the record

    response = clinic_admin_client.post(f"{VOID_PAGE}?number={event.pk}", {"reason": WRONG_PATIENT})

    assert response.status_code == HTTPStatus.FOUND
    event.refresh_from_db()
    assert (event.is_voided, event.voided_by.username, event.void_reason) == (True, "t_clinicadmin", WRONG_PATIENT)
    assert all(r.void_reason.startswith(REPORT_WITHDRAWN) for r in event.reports.all())
    after = clinic_admin_client.get(response["Location"])
    assert "(voided)" in after.text
    assert "Void this side effect" not in after.text


@pytest.mark.parametrize("reason", ["", "oops"])
def test_the_admins_void_needs_a_reason_named_on_the_field(clinic_admin_client, reason):
    event = SideEffectFactory()
    page = clinic_admin_client.post(f"{VOID_PAGE}?number={event.pk}", {"reason": reason})
    assert page.status_code == HTTPStatus.OK
    assert page.context["form"].errors["reason"] == [VOID_REASON_REQUIRED]
    event.refresh_from_db()
    assert not event.is_voided


def test_an_unknown_number_is_said_so(clinic_admin_client):
    page = clinic_admin_client.get(VOID_PAGE, {"number": 999_999})
    assert page.context["find"].errors["number"] == [NO_SUCH_SIDE_EFFECT]
    assert page.context["event"] is None


def test_a_side_effect_on_a_restricted_record_is_not_shown_to_the_clinic_admin(clinic_admin_client):
    event = SideEffectFactory(patient=PatientFactory(is_restricted=True, restricted_reason="Member of staff"))
    page = clinic_admin_client.get(VOID_PAGE, {"number": event.pk})
    assert page.context["find"].errors["number"] == [RESTRICTED_SIDE_EFFECT]
    assert event.patient.mrn not in page.text
    clinic_admin_client.post(f"{VOID_PAGE}?number={event.pk}", {"reason": WRONG_PATIENT})
    event.refresh_from_db()
    assert not event.is_voided
    assert not PatientAccessEvent.objects.exists()


def test_the_clinic_admin_has_no_list_of_side_effects_to_browse(clinic_admin_client):
    SideEffectFactory()
    response = clinic_admin_client.get(reverse("admin:side_effects_sideeffect_changelist"))
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_the_side_effect_terms_list_links_to_the_void_page(clinic_admin_client):
    page = clinic_admin_client.get(reverse("admin:side_effects_sideeffectterm_changelist"))
    assert f'href="{VOID_PAGE}"' in page.text


def test_staff_without_the_void_permission_are_refused(client):
    client.force_login(UserFactory(username="desk_staff", is_staff=True, role="Front desk"))
    assert client.get(VOID_PAGE).status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("role", ["front_desk", "nurse", "clinician"])
def test_roles_without_the_admin_site_are_sent_to_the_admin_login(role_client, role):
    response = role_client(role).get(VOID_PAGE)
    assert response.status_code == HTTPStatus.FOUND
    assert "/admin/login/" in response["Location"]
