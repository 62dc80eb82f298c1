"""A patient asks for a correction of their record: the clinician records the request, denies it with the grounds,
files the patient's statement of disagreement, and all three show on the record's amendment page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clinic.accounts import roles
from patients.models import AmendmentRequest
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_amendment_request_denied_with_statement_of_disagreement(page):
    UserFactory(username="md", first_name="Jordan", role=roles.CLINICIAN)
    patient = PatientFactory()

    log_in(page, "md", TEST_PASSWORD)
    page.goto(patient.get_absolute_url())
    page.get_by_role("link", name="Amendment requests").click()
    page.get_by_role("link", name="Receive a request").click()
    page.get_by_label("Entry concerned").fill("Session of 4 Mar, nurse's notes")
    page.get_by_label("Change requested").fill("Remove 'appeared anxious'; I was only cold.")
    page.get_by_role("button", name="Record request").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Amendment request recorded. Decide it within 60 days.")).to_be_visible()

    page.get_by_role("link", name="Accept or deny").click()
    page.get_by_label("Deny, in writing").check()
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Choose the grounds for the denial.")).to_be_visible()  # shown next to the field
    page.get_by_label("Grounds for denial").select_option("accurate")
    page.get_by_label("Explanation to the patient").fill("The note records what the nurse saw at the time.")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "amendment_decide")
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state("networkidle")

    page.get_by_role("link", name="File the patient's statement of disagreement").click()
    page.get_by_label("Patient's statement of disagreement").fill("I was shivering, not anxious.")
    page.get_by_role("button", name="File statement").click()
    page.wait_for_load_state("networkidle")
    card = page.get_by_test_id("amendment-request")
    text = card.inner_text()
    assert "Remove 'appeared anxious'" in text
    assert "The record is accurate and complete" in text
    assert "I was shivering, not anxious." in text
    assert AmendmentRequest.objects.get().status == "denied"
    assert serious_accessibility_violations(page) == []
    screenshot(page, "amendment_list")
