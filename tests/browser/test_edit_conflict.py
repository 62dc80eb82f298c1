"""Two members of staff edit the same patient's details in two browsers: the second save is refused with both
versions side by side, nothing of it is saved, and saving again replaces the first knowingly (security.md H7)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clinic.accounts import roles
from patients.models import Patient
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def second_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 800}, reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_two_browsers_editing_the_same_demographics_cannot_overwrite_each_other(page, second_page):
    UserFactory(username="desk", first_name="Robin", last_name="Ames", role=roles.FRONT_DESK)
    UserFactory(username="md", first_name="Jordan", last_name="Lee", role=roles.CLINICIAN)
    patient = PatientFactory(clinic_notes="", icd10_code="F33.2")
    edit = reverse("patients:patient_update", kwargs={"pk": patient.pk})

    log_in(page, "desk", TEST_PASSWORD)
    log_in(second_page, "md", TEST_PASSWORD)
    page.goto(edit)
    second_page.goto(edit)  # both forms are open before either is saved

    page.get_by_label("Clinic notes").fill("Prefers morning appointments.")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Patient details saved.")).to_be_visible()

    second_page.get_by_label("Clinic notes").fill("Needs a wheelchair-accessible chair.")
    second_page.locator("#id_phone").fill("(555) 010-7777")
    second_page.get_by_role("button", name="Save changes").click()
    second_page.wait_for_load_state("networkidle")
    conflict = second_page.get_by_test_id("edit-conflict")
    assert "Not saved: this record was changed while you were editing it" in conflict.inner_text()
    assert "Robin Ames saved a newer version" in conflict.inner_text()
    notes_row = conflict.locator('tr[data-field="clinic_notes"]')
    assert notes_row.get_attribute("data-differs") is not None
    assert "Needs a wheelchair-accessible chair." in notes_row.inner_text()
    assert "Prefers morning appointments." in notes_row.inner_text()
    assert "changed by Robin Ames" in notes_row.inner_text()
    phone_row = conflict.locator('tr[data-field="phone"]')
    assert "(555) 010-7777" in phone_row.inner_text()
    assert "your change" in phone_row.inner_text()
    assert "changed by" not in phone_row.inner_text()  # the other person did not touch the phone
    assert second_page.get_by_label("Clinic notes").input_value() == "Needs a wheelchair-accessible chair."
    screenshot(second_page, "edit_conflict_patient_demographics")
    assert not serious_accessibility_violations(second_page)
    saved = Patient.objects.get(pk=patient.pk)
    assert (saved.clinic_notes, saved.phone) == ("Prefers morning appointments.", patient.phone)

    # Having seen both versions, the clinician keeps the other note and adds theirs, then saves again.
    second_page.get_by_label("Clinic notes").fill("Prefers morning appointments. Needs a wheelchair-accessible chair.")
    second_page.get_by_role("button", name="Save changes").click()
    second_page.wait_for_load_state("networkidle")
    expect(second_page.get_by_text("Patient details saved.")).to_be_visible()
    saved = Patient.objects.get(pk=patient.pk)
    assert saved.clinic_notes == "Prefers morning appointments. Needs a wheelchair-accessible chair."
    assert saved.phone == "(555) 010-7777"
