"""The stock ledger in the Django admin: the clinic admin manages products; receipts, vials, ledger entries, counts
and Form 106 filings are read-only; every patient a ledger page shows is access-logged."""

from __future__ import annotations

from decimal import Decimal as D
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.accounts import roles
from clinic.audit.models import PatientAccessEvent
from stock import services as stock_services
from stock.models import MovementKind, StockMovement, StockProduct
from tests.factories import TEST_PASSWORD, UserFactory
from tests.stock.factories import StockProductFactory, receive
from tests.stock.test_services import dosed

pytestmark = pytest.mark.django_db

READ_ONLY = ["stockreceipt", "vial", "stockmovement", "stockcount", "form106filing"]


@pytest.fixture
def nurse():
    return UserFactory(username="rn", role=roles.NURSE)


@pytest.fixture
def ledger(nurse):
    """A loss filed as Form 106, a count, and a draw for a session (whose patient the ledger names)."""
    clinician = UserFactory(username="md", role=roles.CLINICIAN)
    first, second = receive(nurse).vials.order_by("label")
    session = dosed(nurse)
    draw = stock_services.stock_draw(session=session, vial=first, volume_ml=D(1), by=nurse)
    loss = stock_services.stock_loss(vial=second, volume_ml=None, discovered_on=timezone.localdate(), reason="Missing",
                               by=nurse)  # fmt: skip
    stock_services.form_106_file(loss=loss, filed_on=timezone.localdate(), reference="CASE-1", filed_by=clinician,
                           by=clinician)  # fmt: skip
    count = stock_services.stock_count(product=first.product, sealed_vials=0, open_volume_ml=D(9), by=nurse,
                                 witness=clinician, witness_password=TEST_PASSWORD)  # fmt: skip
    return {"session": session, "draw": draw, "loss": loss, "count": count}


@pytest.mark.parametrize("model", ["stockproduct", *READ_ONLY])
def test_the_clinic_admin_opens_every_stock_list(clinic_admin_client, ledger, model):
    response = clinic_admin_client.get(reverse(f"admin:stock_{model}_changelist"))
    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize("model", READ_ONLY)
def test_ledger_rows_are_read_only_in_the_admin(clinic_admin_client, ledger, model):
    assert clinic_admin_client.get(reverse(f"admin:stock_{model}_add")).status_code == HTTPStatus.FORBIDDEN
    row = {
        "stockreceipt": ledger["draw"].vial.receipt,
        "vial": ledger["draw"].vial,
        "stockmovement": ledger["draw"],
        "stockcount": ledger["count"],
        "form106filing": ledger["loss"].form_106,
    }[model]
    page = clinic_admin_client.get(reverse(f"admin:stock_{model}_change", args=[row.pk]))
    assert page.status_code == HTTPStatus.OK
    assert not page.context["has_change_permission"]
    assert not page.context["has_delete_permission"]
    delete = reverse(f"admin:stock_{model}_delete", args=[row.pk])
    assert clinic_admin_client.post(delete, {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    assert type(row).objects.filter(pk=row.pk).exists()


def test_the_clinic_admin_adds_a_product(clinic_admin_client):
    data = {"name": "Ketamine HCl 100 mg/mL, 5 mL", "ndc": "99999-0100-05", "concentration_mg_ml": "100",
            "volume_ml": "5", "schedule": "CIII", "beyond_use_hours": "672", "is_active": "on"}  # fmt: skip
    response = clinic_admin_client.post(reverse("admin:stock_stockproduct_add"), data)
    assert response.status_code == HTTPStatus.FOUND
    assert StockProduct.objects.get(ndc="99999-0100-05").full_vial_mg == D(500)


def test_a_products_strength_is_fixed_once_it_has_vials(clinic_admin_client, nurse):
    product = StockProductFactory()
    url = reverse("admin:stock_stockproduct_change", args=[product.pk])
    assert "concentration_mg_ml" in clinic_admin_client.get(url).context["adminform"].form.fields
    receive(nurse, product=product, vial_count=1)
    fields = clinic_admin_client.get(url).context["adminform"].form.fields
    assert "concentration_mg_ml" not in fields
    assert "volume_ml" not in fields
    assert "name" in fields


@pytest.mark.parametrize("n", [1, 12])
def test_the_ledger_list_logs_each_patient_it_shows(clinic_admin_client, nurse, django_assert_max_num_queries, n):
    vial = receive(nurse, vial_count=1).vials.get()
    sessions = [dosed(nurse) for _ in range(n)]
    for session in sessions:
        stock_services.stock_draw(session=session, vial=vial, volume_ml=D("0.2"), by=nurse)
    with django_assert_max_num_queries(18):
        response = clinic_admin_client.get(reverse("admin:stock_stockmovement_changelist"))
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert all(s.patient.mrn in page for s in sessions)
    events = PatientAccessEvent.objects.filter(category="stock_ledger", action="view")
    assert sorted(events.values_list("patient_id", flat=True)) == sorted(s.patient_id for s in sessions)


def test_opening_a_ledger_entry_logs_its_patient_and_an_entry_without_one_logs_nothing(clinic_admin_client, ledger):
    draw, receipt_entry = ledger["draw"], StockMovement.objects.filter(kind=MovementKind.RECEIPT).first()
    clinic_admin_client.get(reverse("admin:stock_stockmovement_change", args=[receipt_entry.pk]))
    assert not PatientAccessEvent.objects.exists()
    response = clinic_admin_client.get(reverse("admin:stock_stockmovement_change", args=[draw.pk]))
    assert ledger["session"].patient.mrn in response.content.decode()
    event = PatientAccessEvent.objects.get()
    assert (event.patient, event.category, event.user.username) == (draw.patient, "stock_ledger", "t_clinicadmin")


@pytest.mark.parametrize("role", ["nurse", "clinician"])
def test_other_roles_do_not_reach_the_ledger_in_the_admin(role_client, role):
    response = role_client(role).get(reverse("admin:stock_stockmovement_changelist"))
    assert response.status_code == HTTPStatus.FOUND
    assert "/admin/login/" in response["Location"]
