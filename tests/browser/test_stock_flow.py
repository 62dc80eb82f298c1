"""Ketamine stock at the chair: a nurse receives a box, opens a vial for a session, draws, records what the pump
gave, wastes the rest with a second nurse's password, and reads the balance and the log (issue #9)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.accounts import roles
from infusions import services
from infusions.models import StockMovement, Vial
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, UserFactory
from tests.infusions.factories import StockProductFactory
from tests.infusions.test_services import GOOD_VITALS
from tests.infusions.test_stock_services import dosed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit(page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state("networkidle")


def test_receive_draw_administer_waste_and_read_the_log(page):
    nurse = UserFactory(username="rn", first_name="Sam", role=roles.NURSE)
    UserFactory(username="rn2", first_name="Alex", role=roles.NURSE)
    UserFactory(username="md", first_name="Jordan", role=roles.CLINICIAN)
    product = StockProductFactory()
    session = dosed(nurse)  # checked in, 72.5 kg × 0.5 mg/kg = 36.25 mg, 1 mg/mL bag from a 50 mg/mL vial

    log_in(page, "rn", TEST_PASSWORD)
    page.get_by_role("link", name="Stock", exact=True).click()
    page.get_by_role("link", name="Receive a delivery").first.click()
    form = page.get_by_test_id("receipt-form")
    form.get_by_label("Product").select_option(label=product.name)
    form.get_by_label("Number of vials").fill("10")
    form.get_by_label("Lot number").fill("LOT-7781")
    form.get_by_label("Lot expiry date").fill(f"{timezone.localdate() + dt.timedelta(days=400):%Y-%m-%d}")
    form.get_by_label("Invoice number").fill("INV-5521")
    form.get_by_label("Supplier name").fill("Example Wholesale Inc.")
    form.get_by_label("Supplier's DEA number").fill("RX1234563")
    form.get_by_label("Supplier address").fill("1 Test Way, Springfield")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "stock_receipt_form")
    submit(page, "Receive into stock")
    assert "Write these label numbers on the vials" in page.locator(".alert-success").inner_text()
    assert page.get_by_test_id("vial-list").locator("tbody tr").count() == 10

    page.goto(reverse("infusions:session_chart", kwargs={"pk": session.pk}))
    page.get_by_test_id("session-stock-link").click()
    page.wait_for_load_state("networkidle")
    draw = page.get_by_test_id("draw-form")
    assert "Only 50 mg/mL vials are offered" in draw.inner_text()
    draw.get_by_label("Vial").select_option(index=0)  # a sealed vial: drawing opens it
    draw.get_by_label("Volume drawn (mL)").fill("2")
    submit(page, "Record draw")
    assert "Drew 2 mL (100 mg) from vial" in page.locator(".alert-success").inner_text()
    assert "100 mg" in page.get_by_test_id("reconciliation").inner_text()

    # At the chair: baseline, start, and the pump runs its 40 minutes (charted through the services).
    started = timezone.now() - dt.timedelta(minutes=55)
    services.session_record_vitals(session=session, by=nurse, taken_at=started, **GOOD_VITALS)
    services.session_start(session=session, by=nurse, at=started)
    services.session_end_infusion(session=session, by=nurse, at=started + dt.timedelta(minutes=45))
    page.reload()

    submit(page, "Record 36.25 mg administered")
    waste = page.get_by_test_id("waste-form")
    assert "Waste 63.75 mg left in the bag" in waste.inner_text()
    waste.get_by_label("Witness's username").fill("rn2")
    waste.get_by_label("Witness's password").fill("not-the-password")
    submit(page, "Waste 63.75 mg")
    assert "not an active nurse's or clinician's login" in page.get_by_test_id("waste-form").inner_text()
    waste = page.get_by_test_id("waste-form")
    waste.get_by_label("Witness's username").fill("rn2")
    waste.get_by_label("Witness's password").fill(TEST_PASSWORD)
    submit(page, "Waste 63.75 mg")
    reconciliation = page.get_by_test_id("reconciliation").inner_text()
    assert "Reconciled" in reconciliation
    log = page.get_by_test_id("ledger").inner_text()
    for line in ["Drawn for a session", "Administered", "Wasted", "36.25 mg", "63.75 mg"]:
        assert line in log
    assert serious_accessibility_violations(page) == []
    screenshot(page, "stock_session")

    vial = Vial.objects.get(pk=StockMovement.objects.get(kind="draw").vial_id)
    page.get_by_test_id("ledger").get_by_role("link", name=vial.label).first.click()
    page.wait_for_load_state("networkidle")
    assert "8 mL" in page.get_by_test_id("vial-balance").inner_text()
    assert "In use" in page.get_by_test_id("vial-status").inner_text()
    history = page.get_by_test_id("ledger").inner_text()
    assert "Received" in history
    assert "Drawn for a session" in history
    assert serious_accessibility_violations(page) == []
    screenshot(page, "stock_vial_detail")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Stock").click()
    page.wait_for_load_state("networkidle")
    assert "4900 mg" in page.get_by_test_id("balances").inner_text()  # 10 vials of 500 mg, 100 mg drawn
    assert serious_accessibility_violations(page) == []
    screenshot(page, "stock_dashboard")

    page.get_by_role("link", name="Count", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "stock_count_form")
    page.get_by_role("button", name="Sign out").click()

    log_in(page, "md", TEST_PASSWORD)
    page.goto(reverse("infusions:stock_report_dispensing"))
    table = page.get_by_test_id("report-table").inner_text()
    assert session.patient.full_name in table
    assert "36.25" in table
    assert serious_accessibility_violations(page) == []
    screenshot(page, "stock_report_dispensing")
    assert D(0) == sum(m.session_change_mg for m in StockMovement.objects.filter(session=session))
