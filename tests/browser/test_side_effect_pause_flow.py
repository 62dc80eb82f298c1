"""At the chair: a nurse reports vomiting with "Infusion paused" and the pump is paused with it; a second report
while paused says so; "Infusion stopped" leads to the chart's stop action (issue #16 point 2). The report prints
with the lot drawn for the session and the session's weight (point 7)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts import roles
from infusions.models import RateChange
from side_effects.models import SideEffect
from stock import services as stock_services
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.browser.test_pause_flow import DESKTOP, TABLET, running_for_an_hour
from tests.factories import TEST_PASSWORD, UserFactory
from tests.stock.factories import StockProductFactory, receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def report(page, session, term: str, action: str, onset: dt.datetime | None = None, *, shots: str = "") -> None:
    page.goto(reverse("infusions:session_chart", kwargs={"pk": session.pk}))
    page.get_by_role("link", name="Report a side effect").click()
    if onset is not None:
        page.get_by_label("Onset at").fill(f"{timezone.localtime(onset):%Y-%m-%dT%H:%M}")
    page.get_by_label("Term").select_option(label=term)
    page.get_by_label(re.compile("Grade 2:")).check()
    page.get_by_label("Action taken").select_option(label=action)
    page.get_by_label("Outcome").select_option("recovering")
    if shots:
        expect(page.get_by_test_id("pump-action-note")).to_be_visible()
        assert serious_accessibility_violations(page) == []
        for name, size in (("desktop", DESKTOP), ("tablet", TABLET)):
            page.set_viewport_size(size)
            screenshot(page, f"{shots}_{name}")
    page.get_by_role("button", name="Save side effect").click()
    page.wait_for_load_state("networkidle")


def test_reporting_a_side_effect_with_infusion_paused_pauses_the_pump(page):
    nurse = UserFactory(username="rn", first_name="Sam", role=roles.NURSE)
    session = running_for_an_hour(nurse)
    # A second maker's product (the factory finds products by name; the start's own draw made the usual one).
    product = StockProductFactory(name="Ketamine HCl 50 mg/mL, 10 mL vial (maker B)",
                                  concentration_mg_ml=session.preparation.vial_mg_ml, ndc="99999-0101-10")  # fmt: skip
    vial = receive(nurse, product=product, lot_number="LOT-7781", vial_count=1).vials.get()
    stock_services.stock_draw(session=session, vial=vial, volume_ml=D(2), by=nurse)
    log_in(page, "rn", TEST_PASSWORD)

    onset = timezone.now() - dt.timedelta(minutes=10)
    report(page, session, "Vomiting", "Infusion paused", onset, shots="side_effect_form_running")
    assert page.url.endswith(reverse("infusions:session_chart", kwargs={"pk": session.pk}))
    expect(page.get_by_text(re.compile("Infusion paused at .*: the pump is at 0 mL/h"))).to_be_visible()
    assert f"Paused since {timezone.localtime(onset):%H:%M}" in page.get_by_test_id("pump-paused").inner_text()
    assert "Paused: Vomiting, grade 2" in page.get_by_test_id("rate-table").inner_text()
    expect(page.get_by_test_id("resume-card")).to_be_visible()
    pause = RateChange.objects.get(session=session, rate_ml_h=0)
    assert pause.at == timezone.localtime(onset).replace(second=0, microsecond=0)
    assert serious_accessibility_violations(page) == []
    for name, size in (("desktop", DESKTOP), ("tablet", TABLET)):
        page.set_viewport_size(size)
        screenshot(page, f"session_paused_by_side_effect_{name}")

    # Already paused: the report is kept, no second pause, and the nurse is told.
    report(page, session, "Dizziness", "Infusion paused")
    expect(page.get_by_text(re.compile("The pump was already paused"))).to_be_visible()
    assert RateChange.objects.filter(session=session, rate_ml_h=0).count() == 1

    # Stopped: the chart's stop action comes next.
    report(page, session, "Nausea", "Infusion stopped")
    assert page.url.endswith("#stop-infusion")
    expect(page.get_by_text("Now stop the infusion on the chart")).to_be_visible()
    card = page.locator("#stop-infusion")
    expect(card.get_by_role("button", name="Stop infusion, start observation")).to_be_visible()
    for confirmation in card.locator("input[type=checkbox]").all():  # the stop's own confirmation, if it asks one
        confirmation.check()
    card.get_by_role("button", name="Stop infusion, start observation").click()
    page.wait_for_load_state("networkidle")
    session.refresh_from_db()
    assert session.state.observing

    # The report to print names the lot drawn and the session's weight (issue #16 point 7).
    first = SideEffect.objects.filter(session=session).order_by("pk").first()
    page.goto(reverse("side_effects:side_effect_print", kwargs={"pk": first.pk}))
    assert "Lot LOT-7781" in page.get_by_test_id("report-lots").inner_text()
    assert "NDC 99999-0101-10" in page.get_by_test_id("report-lots").inner_text()
    assert "80.0 kg (weighed at the session of" in page.get_by_test_id("report-weight").inner_text()
    assert serious_accessibility_violations(page) == []
    for name, size in (("desktop", DESKTOP), ("tablet", TABLET)):
        page.set_viewport_size(size)
        screenshot(page, f"side_effect_print_{name}")
