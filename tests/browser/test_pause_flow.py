"""At the chair: a nurse slows a running infusion for nausea, pauses it for vomiting, resumes it, and charts the pause
ten minutes after the fact; the chart shows the pump's state and the late entry (issue #16 points 2 and 8)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts import roles
from infusions import services
from infusions.models import InfusionSession
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, UserFactory
from tests.infusions.factories import MIGRAINE_PROTOCOL, preparation
from tests.infusions.test_services import GOOD_VITALS, checked_in
from tests.stock.factories import draw_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP, TABLET = {"width": 1366, "height": 900}, {"width": 820, "height": 1180}


def running_for_an_hour(nurse) -> InfusionSession:
    """Migraine, 80 kg at 0.1 mg/kg/h of 1 mg/mL: 8 mL/h since an hour ago."""
    session = checked_in(nurse, protocol_name=MIGRAINE_PROTOCOL, ordered_dose="0.1", ordered_max="1.0")
    started = timezone.now() - dt.timedelta(hours=1)
    InfusionSession.objects.filter(pk=session.pk).update(checked_in_at=started - dt.timedelta(minutes=20))
    services.session_set_dose(session=session, by=nurse, weight_kg=D(80), preparation=preparation(1),
                              dose_per_kg=D("0.1"))  # fmt: skip
    services.session_record_vitals(session=session, by=nurse, taken_at=started - dt.timedelta(minutes=10),
                                   **GOOD_VITALS)  # fmt: skip
    draw_for(session, nurse)
    return services.session_start(session=session, by=nurse, at=started)


def chart_action(page, summary: str, button: str, fields: dict[str, str]) -> None:
    card = page.get_by_test_id("chart-actions").locator("details", has=page.locator("summary", has_text=summary))
    card.locator("summary").click()
    for label, value in fields.items():
        card.get_by_label(label).fill(value)
    card.get_by_role("button", name=button).click()
    page.wait_for_load_state("networkidle")


def test_nurse_slows_pauses_and_resumes_an_infusion(page):
    nurse = UserFactory(username="rn", first_name="Sam", role=roles.NURSE)
    session = running_for_an_hour(nurse)
    log_in(page, "rn", TEST_PASSWORD)
    page.goto(reverse("infusions:session_chart", kwargs={"pk": session.pk}))
    assert "Pump 8 mL/h = 0.1 mg/kg/h (8 mg/h)" in page.get_by_test_id("pump-rate").inner_text()

    # Both are charted after the fact: their times are typed, and a row charted 20 minutes late says so.
    reduced_at = timezone.localtime() - dt.timedelta(minutes=40)
    paused_at = timezone.localtime() - dt.timedelta(minutes=20)
    chart_action(page, "Slow down", "Reduce rate", {"New pump rate (mL/h)": "4", "Reason": "Nausea",
                                                    "Time it happened": f"{reduced_at:%Y-%m-%dT%H:%M}"})  # fmt: skip
    assert "Pump 4 mL/h = 0.05 mg/kg/h (4 mg/h)" in page.get_by_test_id("pump-rate").inner_text()
    when = f"{paused_at:%Y-%m-%dT%H:%M}"
    chart_action(page, "Pause", "Pause infusion", {"Reason for the pause": "Vomiting", "Time it happened": when})
    assert f"Paused since {paused_at:%H:%M}" in page.get_by_test_id("pump-paused").inner_text()
    expect(page.get_by_test_id("resume-card")).to_be_visible()
    assert page.get_by_test_id("chart-actions").locator("summary", has_text="Slow down").count() == 0
    rates = page.get_by_test_id("rate-table").inner_text()
    assert "Paused: Vomiting" in rates
    assert "Late entry: charted" in rates
    assert serious_accessibility_violations(page) == []
    for name, size in (("desktop", DESKTOP), ("tablet", TABLET)):
        page.set_viewport_size(size)
        screenshot(page, f"session_paused_{name}")

    page.get_by_test_id("resume-form").get_by_role("button", name="Resume infusion").click()
    page.wait_for_load_state("networkidle")
    assert "Pump 4 mL/h = 0.05 mg/kg/h (4 mg/h)" in page.get_by_test_id("pump-rate").inner_text()
    assert "Resumed at 4 mL/h" in page.get_by_test_id("rate-table").inner_text()
    assert serious_accessibility_violations(page) == []

    page.get_by_label("The pump is stopped: record the stop").check()
    page.get_by_role("button", name="Stop infusion, start observation").click()
    page.wait_for_load_state("networkidle")
    session.refresh_from_db()
    start, reduced, paused, resumed, stopped = session.rate_changes.order_by("at", "id")
    hours = [D((b.at - a.at) // dt.timedelta(microseconds=1)) / D(3_600_000_000)
             for a, b in ((start, reduced), (reduced, paused), (resumed, stopped))]  # fmt: skip
    given = D(8) * hours[0] + D(4) * hours[1] + D(4) * hours[2]  # the 20 paused minutes give nothing
    assert session.total_mg == given.quantize(D("0.01"), rounding=ROUND_HALF_UP)
    # About 8 x 20/60 + 4 x 20/60 (the typed times are to the minute), never the 8 mg of a pump left on.
    assert D("3.7") <= session.total_mg <= D("4.3")
