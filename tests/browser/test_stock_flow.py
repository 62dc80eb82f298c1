"""Ketamine stock at the chair: a nurse receives a box, opens a vial for a session, draws, records what the pump
gave, wastes the rest with a second nurse's password, and reads the balance and the log (issue #9)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pgtrigger
import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.accounts import roles
from infusions import services
from infusions.choices import SessionStatus
from stock import services as stock_services
from stock.models import Form106Filing, StockMovement, StockSettings, Vial
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, UserFactory
from tests.infusions.factories import SessionFactory
from tests.infusions.test_services import GOOD_VITALS
from tests.stock.factories import StockProductFactory, receive
from tests.stock.test_services import dosed

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
    assert "write these label numbers on the vials" in page.locator(".alert-success").inner_text()
    assert page.get_by_test_id("receipt-vials").locator("tbody tr").count() == 10
    assert "RX1234563" in page.get_by_test_id("receipt-delivery").inner_text()
    assert "LOT-7781" in page.get_by_test_id("receipt-product").inner_text()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "stock_receipt_detail")

    page.get_by_role("link", name="Print vial labels").click()
    page.wait_for_load_state("networkidle")
    labels = page.get_by_test_id("vial-label")
    assert labels.count() == 10
    assert "LOT-7781" in labels.first.inner_text()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "stock_receipt_labels")
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="Main").is_visible()
    assert not page.get_by_role("button", name="Print").is_visible()
    box = labels.first.bounding_box()
    assert (round(box["width"]), round(box["height"])) == (252, 96)  # 2.625 x 1 inch at 96 px per inch
    second = labels.nth(1).bounding_box()
    assert round(second["x"] - box["x"]) == 264  # 2.75 inch label pitch, as on the sheet
    screenshot(page, "stock_receipt_labels_print")
    page.emulate_media(media="screen")

    # At the chair: the baseline is in range, but the infusion does not start before the draw (issue #17).
    started = timezone.now() - dt.timedelta(minutes=55)
    services.session_record_vitals(session=session, by=nurse, taken_at=started, **GOOD_VITALS)
    chart = reverse("infusions:session_chart", kwargs={"pk": session.pk})
    page.goto(chart)
    assert "No ketamine drawn from the stock ledger" in page.get_by_test_id("start-problems").inner_text()
    assert page.get_by_role("button", name="Start infusion").is_disabled()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "chart_start_needs_draw")
    page.set_viewport_size({"width": 820, "height": 1180})
    screenshot(page, "chart_start_needs_draw_tablet")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_test_id("start-draw-link").click()  # in the start card, beside the problem
    page.wait_for_load_state("networkidle")
    draw = page.get_by_test_id("draw-form")
    assert "Only 50 mg/mL vials are offered" in draw.inner_text()
    draw.get_by_label("Vial").select_option(index=0)  # a sealed vial: drawing opens it
    draw.get_by_label("Volume drawn (mL)").fill("2")
    submit(page, "Record draw")
    assert "Drew 2 mL (100 mg) from vial" in page.locator(".alert-success").inner_text()
    assert "100 mg" in page.get_by_test_id("reconciliation").inner_text()
    page.goto(chart)
    assert page.get_by_test_id("start-problems").count() == 0
    assert page.get_by_role("button", name="Start infusion").is_enabled()
    screenshot(page, "chart_start_after_draw")

    # The start and the pump's 40 minutes, charted through the services at the times they happened.
    services.session_start(session=session, by=nurse, at=started)
    services.session_end_infusion(session=session, by=nurse, at=started + dt.timedelta(minutes=45))
    page.goto(reverse("stock:session_stock", args=[session.pk]))

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

    # A session started while the clinic let infusions start before the draw: the dashboard flags it.
    undrawn = SessionFactory(status=SessionStatus.OBSERVING, started_at=timezone.now() - dt.timedelta(hours=2))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Stock").click()
    page.wait_for_load_state("networkidle")
    assert "4900 mg" in page.get_by_test_id("balances").inner_text()  # 10 vials of 500 mg, 100 mg drawn
    flagged = page.get_by_test_id("given-undrawn")
    assert "Ketamine given, nothing drawn (1)" in flagged.inner_text()
    assert flagged.get_by_role("link", name="Session's stock").get_attribute("href") == reverse(
        "stock:session_stock", args=[undrawn.pk]
    )
    assert serious_accessibility_violations(page) == []
    screenshot(page, "stock_dashboard")
    page.set_viewport_size({"width": 820, "height": 1180})
    screenshot(page, "stock_dashboard_tablet")
    page.set_viewport_size({"width": 1366, "height": 900})

    page.get_by_role("link", name="Count", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "stock_count_form")
    page.get_by_role("button", name="Sign out").click()

    log_in(page, "md", TEST_PASSWORD)
    page.goto(reverse("stock:report_dispensing"))
    table = page.get_by_test_id("report-table").inner_text()
    assert session.patient.full_name in table
    assert "36.25" in table
    assert serious_accessibility_violations(page) == []
    screenshot(page, "stock_report_dispensing")
    assert D(0) == sum(m.session_change_mg for m in StockMovement.objects.filter(session=session))


def test_an_overdue_form_106_is_flagged_then_recorded_as_filed(page):
    nurse = UserFactory(username="rn", first_name="Sam", role=roles.NURSE)
    UserFactory(username="md", first_name="Jordan", last_name="Reyes", role=roles.CLINICIAN)
    vial = receive(nurse, vial_count=2).vials.order_by("label").first()
    discovered = timezone.localdate() - dt.timedelta(days=6)
    loss = stock_services.stock_loss(vial=vial, volume_ml=None, discovered_on=discovered, by=nurse,
                               reason="Sealed vial missing at the evening count")  # fmt: skip
    StockSettings.current()

    log_in(page, "md", TEST_PASSWORD)
    page.goto(reverse("stock:dashboard"))
    banner = page.get_by_test_id("form-106-overdue")
    assert "DEA Form 106 overdue" in banner.inner_text()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "stock_dashboard_form_106_overdue")

    banner.get_by_role("link", name="Record Form 106 as filed").click()
    page.wait_for_load_state("networkidle")
    assert "OVERDUE" in page.get_by_test_id("form-106-loss").inner_text()
    form = page.get_by_test_id("form-106-form")
    form.get_by_label("DEA or case reference").fill("TLR-2026-00417")
    assert form.get_by_label("Filed by").input_value() == str(page_user_pk("md"))
    assert serious_accessibility_violations(page) == []
    screenshot(page, "stock_form_106_form")
    submit(page, "Record Form 106 as filed")
    assert "DEA Form 106 recorded as filed" in page.locator(".alert-success").inner_text()
    assert page.get_by_test_id("form-106-overdue").count() == 0
    assert page.get_by_test_id("form-106-due").count() == 0
    assert Form106Filing.objects.get(loss=loss).reference == "TLR-2026-00417"

    page.goto(reverse("stock:vial_detail", kwargs={"pk": vial.pk}))
    assert "Form 106 filed" in page.get_by_test_id("ledger").inner_text()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "stock_vial_detail_form_106_filed")


def page_user_pk(username: str) -> int:
    from clinic.accounts.models import User

    return User.objects.get(username=username).pk


def test_the_patient_page_flags_a_draw_not_accounted_for(page):
    nurse = UserFactory(username="rn", first_name="Sam", role=roles.NURSE)
    UserFactory(username="rn2", first_name="Alex", role=roles.NURSE)
    vial = receive(nurse).vials.first()
    session = dosed(nurse)
    stock_services.stock_draw(session=session, vial=vial, volume_ml=D(2), by=nurse)
    services.session_cancel(session=session, by=nurse, reason="Blood pressure too high to start")

    log_in(page, "rn", TEST_PASSWORD)
    page.goto(reverse("patients:patient_detail", kwargs={"pk": session.patient_id}))
    flag = page.get_by_test_id("patient-unreconciled-draws")
    assert "100 mg drawn and not yet given, wasted or returned" in flag.inner_text()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "patient_unreconciled_draw")

    flag.get_by_role("link", name="Reconcile").click()
    page.wait_for_load_state("networkidle")
    waste = page.get_by_test_id("waste-form")
    waste.get_by_label("Witness's username").fill("rn2")
    waste.get_by_label("Witness's password").fill(TEST_PASSWORD)
    submit(page, "Waste 100 mg")
    assert "Reconciled" in page.get_by_test_id("reconciliation").inner_text()
    page.goto(reverse("patients:patient_detail", kwargs={"pk": session.patient_id}))
    assert page.get_by_test_id("patient-unreconciled-draws").count() == 0


def test_the_clinic_admin_reads_the_ledger_in_the_admin(page):
    nurse = UserFactory(username="rn", first_name="Sam", role=roles.NURSE)
    UserFactory(username="admin1", first_name="Casey", role=roles.CLINIC_ADMIN, is_staff=True)
    session = dosed(nurse)
    stock_services.stock_draw(session=session, vial=receive(nurse).vials.first(), volume_ml=D(2), by=nurse)

    log_in(page, "admin1", TEST_PASSWORD)
    page.goto(reverse("admin:stock_stockmovement_changelist"))
    assert session.patient.mrn in page.locator("#result_list").inner_text()
    assert page.get_by_role("link", name="Add ledger entry").count() == 0
    screenshot(page, "admin_stock_movements")
    page.goto(reverse("admin:stock_stockproduct_changelist"))
    screenshot(page, "admin_stock_products")


def test_a_vial_is_quarantined_from_its_page_in_the_browser(page):
    """The vial page's action cards post with their CSRF token (they did not: every vial action was a 403)."""
    nurse = UserFactory(username="rn", first_name="Sam", role=roles.NURSE)
    vial = receive(nurse, vial_count=1).vials.get()

    log_in(page, "rn", TEST_PASSWORD)
    page.goto(reverse("stock:vial_detail", args=[vial.pk]))
    card = page.get_by_test_id("vial-quarantine")
    card.locator("summary").click()
    card.get_by_label("Reason").fill("Cracked cap, suspected tampering")
    card.get_by_role("button", name="Quarantine").click()
    page.wait_for_load_state("networkidle")
    assert "Vial quarantined" in page.locator(".alert-success").inner_text()
    assert Vial.objects.get(pk=vial.pk).status == "quarantined"
    assert serious_accessibility_violations(page) == []


def vial_action(page, vial, testid: str, fields: dict[str, str], button: str) -> None:
    """Open the vial's page, fill one action card and send it, as a nurse does."""
    page.goto(reverse("stock:vial_detail", args=[vial.pk]))
    card = page.get_by_test_id(testid)  # a <details> card
    if card.get_attribute("open") is None:
        card.locator("summary").click()
    for label, value in fields.items():
        card.get_by_label(re.compile(rf"^\s*{re.escape(label)}")).fill(value)  # required labels end with "*"
    card.get_by_role("button", name=button).click()
    page.wait_for_load_state("networkidle")


def test_every_vial_action_is_recorded_from_the_vial_page(page):
    """Waste, quarantine, loss, expiry and destruction (DEA Form 41), each submitted from the vial's own page in the
    browser (issue #16 point 8: each answered 403 before its CSRF token was passed on)."""
    from stock.models import StockReceipt

    UserFactory(username="rn", first_name="Sam", role=roles.NURSE)
    UserFactory(username="rn2", first_name="Alex", role=roles.NURSE)
    UserFactory(username="md", first_name="Jordan", role=roles.CLINICIAN)
    nurse = UserFactory(username="rn4", role=roles.NURSE)
    wasted, lost, destroyed = receive(nurse, vial_count=3).vials.order_by("label")
    expiring = receive(nurse, vial_count=1, lot_number="LOT-OLD").vials.get()
    with pgtrigger.ignore():  # receipts are append-only: the lot's expiry passes as time would pass
        StockReceipt.objects.filter(pk=expiring.receipt_id).update(
            expires_on=timezone.localdate() - dt.timedelta(days=1)
        )
    witness = {"Witness's username": "rn2", "Witness's password": TEST_PASSWORD}

    log_in(page, "rn", TEST_PASSWORD)
    vial_action(page, wasted, "vial-quarantine", {"Reason": "Vial dropped, glass chipped"}, "Quarantine")
    vial_action(page, wasted, "vial-waste", {"Reason": "Chipped vial, contents discarded", **witness},
                "Waste, witnessed")  # fmt: skip
    assert "wasted" in page.locator(".alert-success").inner_text().lower()
    vial_action(page, lost, "vial-loss", {"What happened": "Not found at the evening count; searched the room"},
                "Record loss")  # fmt: skip
    assert "Form 106" in page.content()
    vial_action(page, expiring, "vial-expire", {}, "Mark expired")
    vial_action(page, destroyed, "vial-quarantine", {"Reason": "Manufacturer recall notice"}, "Quarantine")
    second = {"Second witness's username": "md", "Second witness's password": TEST_PASSWORD}
    destruction = {"Method": "Returned to reverse distributor", **witness, **second}
    vial_action(page, destroyed, "vial-destroy", destruction, "Record destruction")
    statuses = {v.pk: v.status for v in Vial.objects.filter(pk__in=[wasted.pk, lost.pk, destroyed.pk, expiring.pk])}
    assert statuses[expiring.pk] == "expired"
    assert statuses[destroyed.pk] == "destroyed"
    assert Vial.objects.get(pk=wasted.pk).remaining_mg == 0
    assert Vial.objects.get(pk=lost.pk).remaining_mg == 0
    assert serious_accessibility_violations(page) == []
