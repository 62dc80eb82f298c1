"""Front desk registers a patient; a nurse finds them by partial name and screens them; a clinician clears it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clinic.accounts import roles
from patients.models import Patient
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def test_register_find_screen_and_clear(page):
    UserFactory(username="desk", first_name="Robin", role=roles.FRONT_DESK)
    UserFactory(username="rn", first_name="Sam", role=roles.NURSE)
    UserFactory(username="md", first_name="Jordan", role=roles.CLINICIAN)

    # Front desk registers Zoë Brontë-Ślusarz.
    log_in(page, "desk", TEST_PASSWORD)
    page.get_by_role("link", name="Patients").first.click()
    page.get_by_role("link", name="Register a patient").click()
    page.get_by_label("Legal given name").fill("Zoë")
    page.get_by_label("Legal family name").fill("Brontë-Ślusarz")
    page.get_by_label("Date of birth").fill("1984-03-09")
    page.get_by_label("Phone").first.fill("(555) 010-3131")
    page.get_by_label("Primary indication").select_option(label="Chronic migraine")
    screenshot(page, "patient_register")
    page.get_by_role("button", name="Register patient").click()
    page.wait_for_load_state("networkidle")
    patient = Patient.objects.get()
    expect(page.get_by_text(f"Registered Zoë Brontë-Ślusarz, MRN {patient.mrn}.")).to_be_visible()
    assert patient.icd10_code == "G43.709"
    sign_out(page)

    # A nurse finds her by a partial name typed without accents, then records a screening.
    log_in(page, "rn", TEST_PASSWORD)
    page.get_by_role("link", name="Patients").first.click()
    page.get_by_label("Find a patient").fill("bronte")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state("networkidle")
    assert "bronte" not in page.url.lower()  # the search term never goes into the URL
    assert page.get_by_test_id("result-count").inner_text().startswith("1 patient")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "patient_list_search")
    page.get_by_role("link", name=re.compile("Brontë-Ślusarz")).click()
    page.wait_for_load_state("networkidle")
    assert "No contraindication screening on file" in page.get_by_test_id("readiness").inner_text()
    page.get_by_role("link", name="New screening").click()
    page.get_by_role("heading", name="Contraindication screening").wait_for()
    for radio in page.get_by_role("radio", name="No").all():
        radio.check()
    pregnancy = page.get_by_role("group", name=re.compile("Pregnancy, or possible pregnancy"))
    pregnancy.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Save screening").click()
    page.wait_for_load_state("networkidle")
    assert "waiting for a clinician's review" in page.get_by_test_id("readiness").inner_text()
    sign_out(page)

    # The clinician must justify the relative finding before clearing.
    log_in(page, "md", TEST_PASSWORD)
    page.goto(patient.get_absolute_url())
    page.get_by_role("link", name="Review").click()
    page.get_by_label("Clear for treatment").check()
    page.get_by_role("button", name="Sign and record decision").click()
    expect(page.locator(".invalid-feedback", has_text="write why treatment is reasonable")).to_be_visible()
    expect(page.locator(".invalid-feedback", has_text="Enter your password to sign.")).to_be_visible()
    screenshot(page, "screening_review_refused")
    page.get_by_label("Justification").fill("Negative urine hCG today; reliable contraception; benefit outweighs risk.")
    page.get_by_label("Your password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign and record decision").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Screening cleared.")).to_be_visible()
    expect(page.get_by_test_id("patient-flags").get_by_text("Screening cleared")).to_be_visible()
    # Consent is still missing, so the gate still says what to do.
    assert "No signed treatment consent on file" in page.get_by_test_id("readiness").inner_text()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "patient_detail_cleared")
