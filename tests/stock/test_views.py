"""Stock pages: forms refuse what the services refuse, reports match the ledger, query counts stay flat."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal as D
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.accounts import roles
from clinic.accounts.models import User
from clinic.audit.models import PatientAccessEvent
from stock import services as stock_services
from stock.models import MovementKind, StockCount, StockMovement, StockReceipt, Vial, VialStatus
from stock.selectors import discrepancies_report, dispensing_report, receipts_report, waste_report
from tests.clock import t0
from tests.conftest import ROLE_USERNAMES
from tests.factories import TEST_PASSWORD, UserFactory
from tests.stock.factories import StockProductFactory, receive
from tests.stock.test_services import dosed, stopped

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    """The clinic's date when the test started."""
    return timezone.localdate(t0())


@pytest.fixture
def witness():
    return UserFactory(username="rn2", role=roles.NURSE)


def staff(role: str):
    return UserFactory(username=ROLE_USERNAMES[role][0], role=ROLE_USERNAMES[role][1])


def errors(response, form_key: str | None = None) -> dict:
    form = response.context["forms"][form_key] if form_key else response.context["form"]
    return form.errors


# Receipts and counts ------------------------------------------------------------------------------------------------


def test_nurse_receives_a_box_and_sees_the_labels(nurse_client):
    product = StockProductFactory()
    data = {"product": product.pk, "received_on": today(), "supplier_name": "Example Wholesale", "vial_count": 5,
            "supplier_address": "1 Test Way", "supplier_dea_number": "rx1234563", "lot_number": "L1",
            "expires_on": today() + dt.timedelta(days=300)}  # fmt: skip
    response = nurse_client.post(reverse("stock:receipt_create"), data, follow=True)
    receipt = StockReceipt.objects.get()
    assert (receipt.vial_count, receipt.supplier_dea_number, receipt.vials.count()) == (5, "RX1234563", 5)
    assert f"{receipt.pk:04d}-01 to {receipt.pk:04d}-05" in response.content.decode()


@pytest.mark.clock
def test_an_expired_lot_is_refused_next_to_its_field(nurse_client):
    day = today()
    data = {"product": StockProductFactory().pk, "received_on": day, "supplier_name": "S", "vial_count": 1,
            "supplier_address": "A", "supplier_dea_number": "RX1", "lot_number": "L1", "expires_on": day}  # fmt: skip
    response = nurse_client.post(reverse("stock:receipt_create"), data)
    assert "already expired" in errors(response)["expires_on"][0]
    assert not StockReceipt.objects.exists()


def test_a_count_with_a_variance_needs_a_reason_and_the_witness_password(nurse_client, witness):
    product = receive(staff("nurse"), vial_count=2).product
    url = reverse("stock:count_create")
    data = {"product": product.pk, "kind": "routine", "sealed_vials": 1, "open_volume_ml": "9.9",
            "witness_username": "rn2", "witness_password": "wrong"}  # fmt: skip
    response = nurse_client.post(url, data)
    assert "not an active nurse's or clinician's login" in errors(response)["witness_password"][0]
    response = nurse_client.post(url, data | {"witness_password": TEST_PASSWORD})
    assert "differs from the ledger by -5 mg" in errors(response)["variance_reason"][0]
    response = nurse_client.post(url, data | {"witness_password": TEST_PASSWORD, "variance_reason": "Estimate"})
    assert response.status_code == HTTPStatus.FOUND
    assert StockCount.objects.get().variance_mg == D(-5)


# The session's stock page -----------------------------------------------------------------------------------------


def test_draw_offers_only_vials_matching_the_preparation(nurse_client):
    nurse = staff("nurse")
    match = receive(nurse).vials.first()
    receive(nurse, product=StockProductFactory(name="100 mg/mL", concentration_mg_ml=D(100), volume_ml=D(5)))
    session = dosed(nurse)
    response = nurse_client.get(reverse("stock:session_stock", kwargs={"pk": session.pk}))
    offered = list(response.context["forms"]["draw"].fields["vial"].queryset)
    assert match in offered
    assert {v.product.concentration_mg_ml for v in offered} == {D(50)}


def test_draw_administer_and_witnessed_waste_through_the_page(nurse_client, witness):
    nurse = staff("nurse")
    vial = receive(nurse).vials.order_by("label").first()
    session = dosed(nurse)
    base = {"pk": session.pk}
    response = nurse_client.post(reverse("stock:session_stock_draw", kwargs=base),
                                 {"vial": vial.pk, "volume_ml": "11"})  # fmt: skip
    assert "holds 10 mL" in errors(response, "draw")["volume_ml"][0]
    nurse_client.post(reverse("stock:session_stock_draw", kwargs=base), {"vial": vial.pk, "volume_ml": "2"})
    assert Vial.objects.get(pk=vial.pk).remaining_mg == D(400)

    session = stopped(nurse, receive(nurse).vials.first())
    base = {"pk": session.pk}
    nurse_client.post(reverse("stock:session_stock_administer", kwargs=base))
    waste_url = reverse("stock:session_stock_waste", kwargs=base)
    response = nurse_client.post(waste_url, {"reason": "Rest of bag", "witness_username": "t_nurse",
                                             "witness_password": TEST_PASSWORD})  # fmt: skip
    assert "another member of staff" in errors(response, "waste")["witness_password"][0]
    response = nurse_client.post(waste_url, {"reason": "Rest of bag", "witness_username": "rn2",
                                             "witness_password": TEST_PASSWORD}, follow=True)  # fmt: skip
    stock = response.context["stock"]
    assert (stock.administered_mg, stock.wasted_mg, stock.reconciled) == (D("36.25"), D("63.75"), True)
    assert "Wasted 63.75 mg, witnessed." in response.content.decode()


def test_the_witness_password_is_checked_once_by_the_service(nurse_client, witness, monkeypatch):
    nurse = staff("nurse")
    session = stopped(nurse, receive(nurse).vials.first())
    stock_services.stock_administer(session=session, by=nurse)
    checked = []
    real_check = User.check_password

    def counting_check(user, raw):
        checked.append(user.username)
        return real_check(user, raw)

    monkeypatch.setattr(User, "check_password", counting_check)
    response = nurse_client.post(reverse("stock:session_stock_waste", kwargs={"pk": session.pk}),
                                 {"reason": "Rest of bag", "witness_username": "rn2",
                                  "witness_password": TEST_PASSWORD})  # fmt: skip
    assert response.status_code == HTTPStatus.FOUND
    assert checked == ["rn2"]


def test_an_unknown_witness_login_reads_like_a_wrong_password(nurse_client, witness):
    nurse = staff("nurse")
    session = stopped(nurse, receive(nurse).vials.first())
    stock_services.stock_administer(session=session, by=nurse)
    url = reverse("stock:session_stock_waste", kwargs={"pk": session.pk})
    unknown = nurse_client.post(url, {"reason": "Rest", "witness_username": "nobody", "witness_password": "x"})
    wrong = nurse_client.post(url, {"reason": "Rest", "witness_username": "rn2", "witness_password": "x"})
    assert errors(unknown, "waste")["witness_password"] == errors(wrong, "waste")["witness_password"]
    assert "not an active nurse's or clinician's login" in errors(wrong, "waste")["witness_password"][0]
    assert not StockMovement.objects.filter(kind=MovementKind.WASTE).exists()


def test_a_missing_top_up_draw_is_recorded_after_the_infusion_stopped(nurse_client):
    nurse = staff("nurse")
    vial = receive(nurse).vials.first()
    session = stopped(nurse, vial, volume_ml=D("0.5"))  # 25 mg drawn, the pump gave 36.25 mg
    url = reverse("stock:session_stock_draw", kwargs={"pk": session.pk})
    response = nurse_client.post(url, {"vial": vial.pk, "volume_ml": "0.5"}, follow=True)
    assert "Drew 0.5 mL (25 mg) from vial" in response.content.decode()
    assert "administer" in response.context["forms"]
    nurse_client.post(reverse("stock:session_stock_administer", kwargs={"pk": session.pk}))
    assert stock_services.session_reconciliation(session).administered_mg == D("36.25")


def test_a_waste_is_not_offered_before_the_administered_amount_is_recorded(nurse_client):
    nurse = staff("nurse")
    session = stopped(nurse, receive(nurse).vials.first())
    response = nurse_client.post(reverse("stock:session_stock_waste", kwargs={"pk": session.pk}), {}, follow=True)
    assert "That is not possible now for this session." in response.content.decode()
    assert not StockMovement.objects.filter(kind=MovementKind.WASTE).exists()


# Vials ------------------------------------------------------------------------------------------------------------


@pytest.mark.clock
def test_loss_and_destruction_from_the_vial_page(nurse_client, witness):
    nurse = staff("nurse")
    lost, destroyed = receive(nurse).vials.order_by("label")
    response = nurse_client.post(reverse("stock:vial_loss", kwargs={"pk": lost.pk}),
                                 {"discovered_on": today(), "reason": "Vial missing"}, follow=True)  # fmt: skip
    assert "DEA Form 106 is due by" in response.content.decode()
    stock_services.vial_quarantine(vial=destroyed, reason="Cracked cap", by=nurse)
    third = UserFactory(username="md", role=roles.CLINICIAN)
    url = reverse("stock:vial_destroy", kwargs={"pk": destroyed.pk})
    data = {"method": "Reverse distributor", "reason": "Damaged", "witness_username": "rn2",
            "witness_password": TEST_PASSWORD, "second_witness_username": "rn2",
            "second_witness_password": TEST_PASSWORD}  # fmt: skip
    response = nurse_client.post(url, data)
    assert "two different people" in errors(response, "destroy")["second_witness_password"][0]
    nurse_client.post(url, data | {"second_witness_username": third.username})
    assert Vial.objects.get(pk=destroyed.pk).status == VialStatus.DESTROYED


def test_a_correction_reverses_the_entry_from_its_page(nurse_client):
    nurse = staff("nurse")
    draw = stock_services.stock_draw(session=dosed(nurse), vial=receive(nurse).vials.first(), volume_ml=D(1), by=nurse)
    url = reverse("stock:movement_correct", kwargs={"pk": draw.pk})
    nurse_client.post(url, {"reason": "Wrong session"})
    assert StockMovement.objects.get(reverses=draw).vial_change_mg == D(50)


# Reports on a known data set ---------------------------------------------------------------------------------------


@pytest.fixture
def known_ledger(witness):
    """2 vials received; one session draws 2 mL, gives 36.25 mg, wastes 63.75 mg; a loss of 1 mL; a count -5 mg."""
    nurse = staff("nurse")
    first, second = receive(nurse).vials.order_by("label")
    session = stopped(nurse, first)
    stock_services.stock_administer(session=session, by=nurse)
    stock_services.stock_waste_session_rest(session=session, reason="Rest of bag", by=nurse, witness=witness,
                                      witness_password=TEST_PASSWORD)  # fmt: skip
    stock_services.stock_loss(
        vial=second, volume_ml=D(1), discovered_on=today(), reason="Spilled, not recovered", by=nurse
    )
    stock_services.stock_count(product=first.product, sealed_vials=0, open_volume_ml=D("16.9"), by=nurse,
                               witness=witness, witness_password=TEST_PASSWORD, variance_reason="Estimate")  # fmt: skip
    return session


def known_ledger_witness_name() -> str:
    return StockMovement.objects.get(kind=MovementKind.WASTE).witness.display_name


def test_reports_match_the_ledger_on_a_known_data_set(known_ledger):
    first, last = today() - dt.timedelta(days=1), today() + dt.timedelta(days=1)
    dispensing = dispensing_report(first, last)
    assert [(row[4], row[8]) for row in dispensing.rows] == [
        ("Drawn for a session", "100"), ("Administered", "36.25"), ("Wasted", "63.75"),
    ]  # fmt: skip
    assert dispensing.rows[0][1] == known_ledger.patient.full_name
    assert [row[8] for row in receipts_report(first, last).rows] == ["2"]
    [waste] = waste_report(first, last).rows
    assert (waste[1], waste[5], waste[11]) == ("Wasted", "63.75", known_ledger_witness_name())
    assert [row[1] for row in discrepancies_report(first, last).rows] == ["Loss or theft (Form 106)",
                                                                          "Routine count variance"]  # fmt: skip
    given = sum(m.quantity_mg for m in StockMovement.objects.filter(kind="administered"))
    assert given == known_ledger.total_mg


def test_the_dispensing_csv_is_logged_per_patient(clinician_client, known_ledger):
    url = reverse("stock:report_dispensing")
    response = clinician_client.get(url, {"start": today(), "end": today(), "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Date", "Patient", "MRN"]
    assert len(rows) == 4
    assert PatientAccessEvent.objects.filter(patient=known_ledger.patient, action="export").count() == 1


# Query counts -----------------------------------------------------------------------------------------------------


@pytest.fixture
def ledger_of(witness):
    def make(n: int) -> dict:
        nurse = staff("nurse")
        vials = list(receive(nurse, vial_count=n).vials.order_by("label"))
        session = dosed(nurse)
        for vial in vials:
            stock_services.stock_draw(session=session, vial=vial, volume_ml=D("0.2"), by=nurse)
        return {"session": session, "vial": vials[0], "vials": vials}

    return make


@pytest.mark.parametrize("n", [1, 25])
def test_stock_pages_query_counts_are_flat(clinician_client, ledger_of, django_assert_max_num_queries, n):
    data = ledger_of(n)
    pages = [
        (reverse("stock:dashboard"), 24),
        (reverse("stock:vial_list"), 13),
        (reverse("stock:vial_detail", kwargs={"pk": data["vial"].pk}), 15),
        (reverse("stock:receipt_detail", kwargs={"pk": data["vial"].receipt_id}), 13),
        (reverse("stock:receipt_labels", kwargs={"pk": data["vial"].receipt_id}), 13),
        (reverse("stock:session_stock", kwargs={"pk": data["session"].pk}), 20),
        (reverse("stock:count_create"), 15),
        (reverse("stock:report_dispensing"), 13),
        (reverse("stock:report_waste"), 12),
        (reverse("stock:report_receipts"), 12),
        (reverse("stock:report_discrepancies"), 13),
    ]
    for url, most in pages:
        with django_assert_max_num_queries(most):
            response = clinician_client.get(url)
        assert response.status_code == HTTPStatus.OK, url
