"""The clinic admin manages staff and reads the audit trail in the Django admin, read-only, without escalation."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from clinic.accounts.models import User
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

AUDIT_PAGES = ["admin:audit_patientaccessevent_changelist", "admin:pghistory_events_changelist"]


REFERENCE_DATA = [
    "admin:infusions_protocol_changelist",
    "admin:infusions_drugpreparation_changelist",
    "admin:infusions_vitalthresholdsettings_changelist",
    "admin:side_effects_sideeffectterm_changelist",
    "admin:patients_contraindicationitem_changelist",
    "admin:patients_patientsettings_changelist",
    "admin:infusions_infusionsettings_changelist",
    "admin:stock_stocksettings_changelist",
]


@pytest.mark.parametrize("name", [*AUDIT_PAGES, *REFERENCE_DATA, "admin:accounts_user_changelist"])
def test_clinic_admin_opens_staff_and_audit_pages(clinic_admin_client, name):
    assert clinic_admin_client.get(reverse(name)).status_code == HTTPStatus.OK


@pytest.mark.parametrize("role", ["front_desk", "nurse", "clinician"])
@pytest.mark.parametrize("name", AUDIT_PAGES)
def test_other_roles_cannot_open_the_audit_trail(role_client, role, name):
    response = role_client(role).get(reverse(name))
    assert response.status_code == HTTPStatus.FOUND
    assert "/admin/login/" in response["Location"]


def test_access_log_cannot_be_added_to_even_by_the_clinic_admin(clinic_admin_client):
    response = clinic_admin_client.get(reverse("admin:audit_patientaccessevent_add"))
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_clinic_admin_cannot_make_anyone_a_superuser(clinic_admin_client):
    target = UserFactory(username="ordinary")
    page = clinic_admin_client.get(reverse("admin:accounts_user_change", args=[target.pk]))
    assert page.status_code == HTTPStatus.OK
    assert 'name="is_superuser"' not in page.text
    assert 'name="user_permissions"' not in page.text

    form = {
        "username": "ordinary",
        "is_active": "on",
        "is_staff": "",
        "is_superuser": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "09:00:00",
    }
    clinic_admin_client.post(reverse("admin:accounts_user_change", args=[target.pk]), form)
    assert User.objects.get(pk=target.pk).is_superuser is False


def test_clinic_admin_tunes_a_vital_sign_threshold(clinic_admin_client):
    from infusions.models import VitalThresholdSettings

    row = VitalThresholdSettings.current()
    url = reverse("admin:infusions_vitalthresholdsettings_change", args=[row.pk])
    form = {name: getattr(row, name) for name in [f.name for f in row._meta.fields if f.name != "id"]}
    response = clinic_admin_client.post(url, {**form, "systolic_high": 160})
    assert response.status_code == HTTPStatus.FOUND
    assert VitalThresholdSettings.current().systolic_high == 160


def test_clinic_admin_adds_a_side_effect_term_that_the_report_form_then_offers(clinic_admin_client, nurse_client):
    from side_effects.models import SideEffectTerm

    response = clinic_admin_client.post(
        reverse("admin:side_effects_sideeffectterm_add"),
        {"name": "Paraesthesia", "category": "neurological", "display_order": 30, "is_active": "on"},
    )
    assert response.status_code == HTTPStatus.FOUND
    term = SideEffectTerm.objects.get(name="Paraesthesia")
    patient = PatientFactory()
    form = nurse_client.get(reverse("side_effects:patient_side_effect_create", args=[patient.pk])).context["form"]
    assert term in form.fields["term"].queryset


@pytest.mark.parametrize(
    ("label", "field", "value"),
    [
        ("patients_patientsettings", "screening_validity_months", 6),
        ("patients_patientsettings", "diary_min_coverage_percent", 70),  # docs/clinical.md §9.5
        ("infusions_infusionsettings", "nurses_may_sign_sessions", True),
        ("stock_stocksettings", "stock_count_interval_days", 14),
    ],
)
def test_each_app_has_its_settings_row_which_the_clinic_admin_edits_but_cannot_add_or_delete(
    clinic_admin_client, label, field, value
):
    from django.apps import apps

    model = apps.get_model(*label.split("_", 1))
    row = model.objects.get()  # made by the migration, with the defaults
    assert model.current().pk == row.pk == 1
    form = {f.name: getattr(row, f.name) for f in row._meta.fields if f.name not in ("id", "updated_at")}
    form = {name: ("on" if v is True else v) for name, v in form.items() if v is not False}
    response = clinic_admin_client.post(reverse(f"admin:{label}_change", args=[1]), {**form, field: value})
    assert response.status_code == HTTPStatus.FOUND
    assert getattr(model.current(), field) == value
    assert clinic_admin_client.get(reverse(f"admin:{label}_add")).status_code == HTTPStatus.FORBIDDEN
    assert clinic_admin_client.get(reverse(f"admin:{label}_delete", args=[1])).status_code == HTTPStatus.FORBIDDEN
