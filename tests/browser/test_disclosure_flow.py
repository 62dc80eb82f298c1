"""A clinician answers a patient's request for an accounting of disclosures: the side-effect report already sent to
the FDA is listed by itself, a release of records is added from the form, and the printable copy shows both."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts import roles
from patients.models import Disclosure
from side_effects import services as side_effect_services
from side_effects.models import ExternalReport, SideEffectTerm
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_accounting_of_disclosures(page):
    clinician = UserFactory(username="md", first_name="Jordan", role=roles.CLINICIAN)
    patient = PatientFactory()
    event = side_effect_services.side_effect_report(
        patient=patient, by=clinician, term=SideEffectTerm.objects.get(name="Hypertension"), grade=3,
        serious=True, seriousness_criteria=["hospitalisation"], onset_at=timezone.now() - dt.timedelta(days=3),
    )  # fmt: skip
    report = ExternalReport.objects.get(event=event, destination="medwatch")
    side_effect_services.external_report_submit(
        report=report, by=clinician, submitted_on=timezone.localdate(), reference="MW-9"
    )

    log_in(page, "md", TEST_PASSWORD)
    page.goto(patient.get_absolute_url())
    page.get_by_role("link", name="Disclosures").click()
    table = page.get_by_test_id("disclosures")
    assert "FDA MedWatch" in table.inner_text()
    assert "MW-9" in table.inner_text()

    page.get_by_role("link", name="Record a disclosure").click()
    page.get_by_label("Purpose").select_option("authorized")
    page.get_by_label("Recipient").fill("Dr. Ada Example, Lakeside Neurology, 12 Example Road")
    page.get_by_label("What was disclosed").fill("Infusion records of the last course")
    page.get_by_label("Reference").fill("ROI-31")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "disclosure_form")
    page.get_by_role("button", name="Record disclosure").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Disclosure recorded in the patient's accounting.")).to_be_visible()
    rows = page.get_by_test_id("disclosures").locator("tbody tr")
    assert rows.count() == 2
    assert Disclosure.objects.filter(reference="ROI-31", recorded_by=clinician).exists()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "disclosure_list")

    page.get_by_role("link", name="Printable copy for the patient").click()
    accounting = page.get_by_test_id("disclosure-accounting")
    assert "Lakeside Neurology" in accounting.inner_text()
    assert "FDA MedWatch" in accounting.inner_text()
    screenshot(page, "disclosure_print")
