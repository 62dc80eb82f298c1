"""A nurse reports dissociation from a running session; a clinician reviews it from the queue; it shows on the
patient's page and in the safety overview."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clinic.accounts import roles
from infusions import services
from side_effects.models import SideEffect
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, UserFactory
from tests.infusions.factories import preparation
from tests.infusions.test_services import GOOD_VITALS, checked_in
from tests.stock.factories import draw_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_review_and_overview(page):
    nurse = UserFactory(username="rn", first_name="Sam", role=roles.NURSE)
    UserFactory(username="md", first_name="Jordan", role=roles.CLINICIAN)
    session = checked_in(nurse)
    services.session_set_dose(
        session=session, by=nurse, weight_kg=D(70), preparation=preparation(1), dose_per_kg=D("0.5")
    )
    services.session_record_vitals(session=session, by=nurse, **GOOD_VITALS)
    draw_for(session, nurse)
    services.session_start(session=session, by=nurse)

    log_in(page, "rn", TEST_PASSWORD)
    page.goto(reverse("infusions:session_chart", kwargs={"pk": session.pk}))
    page.get_by_role("link", name="Report a side effect").click()
    page.get_by_label("Term").select_option(label="Dissociation")
    page.get_by_label("Description").fill("Felt far away, calm")
    page.get_by_label(re.compile("Grade 2:")).check()
    page.get_by_label("Action taken").select_option("rate_reduced")
    page.get_by_label(re.compile("New pump rate")).fill("30")  # from 52.5 mL/h (70 kg, 35 mg over 40 min)
    page.get_by_label("Outcome").select_option("recovering")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "side_effect_form")
    page.get_by_role("button", name="Save side effect").click()
    page.wait_for_load_state("networkidle")
    # The reduction is charted with the report: back on the chart, the pump runs at the new rate.
    expect(page.get_by_text("Side effect recorded: Dissociation (Felt far away, calm), grade 2.")).to_be_visible()
    assert "Pump 30 mL/h" in page.get_by_test_id("pump-rate").inner_text()
    page.goto(SideEffect.objects.get().get_absolute_url())
    assert "rate at onset" in page.get_by_test_id("side-effect").inner_text()
    page.get_by_role("button", name="Sign out").click()

    log_in(page, "md", TEST_PASSWORD)
    page.get_by_role("link", name="Side effects", exact=True).click()
    page.get_by_role("link", name=re.compile("Dissociation")).click()
    page.get_by_label("Review comment").fill("Expected; reduce the rate earlier next time.")
    page.get_by_role("button", name="Mark reviewed").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Review recorded.")).to_be_visible()
    assert SideEffect.objects.get().reviewed_by.username == "md"

    page.goto(session.patient.get_absolute_url())
    row = page.get_by_test_id("patient-side-effects").get_by_role("row", name=re.compile("Dissociation"))
    assert "Yes" in row.inner_text()  # reviewed
    page.get_by_role("link", name="Safety", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "1 side effect in 1 session" in page.get_by_test_id("safety-summary").inner_text()
    screenshot(page, "safety_overview")
