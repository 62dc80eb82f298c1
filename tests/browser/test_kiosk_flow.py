"""A nurse hands the tablet to a patient (issue #19): the patient answers the PHQ-9 one question a screen on a
portrait tablet, with a suicide-risk answer the crisis text appears and the clinicians' alert is open at once, the
tablet reaches no staff page, and taking it back needs the nurse's password. Nothing here depends on the day."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clinic.accounts import roles
from patients.models import QuestionnaireResponse
from patients.scoring import GAD7, PHQ9
from portal.models import KioskEnd, KioskVisit
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 820, "height": 1180}


def check(page, name: str) -> None:
    screenshot(page, name)
    assert serious_accessibility_violations(page) == []


def test_a_patient_answers_on_the_tablet_and_only_the_nurse_takes_it_back(page):
    UserFactory(username="nurse", first_name="Kim", role=roles.NURSE)
    patient = PatientFactory(given_name="Robin", family_name="Quillfeather")

    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, "nurse", TEST_PASSWORD)
    page.goto(f"/patients/{patient.pk}/")
    page.get_by_role("link", name="Hand over the tablet").click()
    expect(page.get_by_test_id("kiosk-due")).to_contain_text("PHQ-9")
    check(page, "kiosk_hand_over_1366")
    page.get_by_label("Tablet").fill("Tablet 3")
    page.get_by_role("button", name="Hand over to Robin").click()

    page.set_viewport_size(TABLET)
    expect(page.get_by_text("Hello, Robin")).to_be_visible()
    expect(page.get_by_text("Quillfeather")).to_have_count(0)
    expect(page.locator("nav.navbar")).to_have_count(0)
    check(page, "kiosk_question_820")
    page.get_by_role("button", name=re.compile("Next")).click()  # nothing chosen
    expect(page.get_by_test_id("kiosk-error")).to_have_text("Choose an answer to go on.")
    for item in PHQ9.scored_items:
        answer = "Several days" if item.key == PHQ9.risk_item.key else "Not at all"
        page.get_by_text(answer, exact=True).click()
        page.get_by_role("button", name=re.compile("Next")).click()

    support = page.get_by_test_id("kiosk-support")
    expect(support).to_contain_text("988")
    assert QuestionnaireResponse.objects.open_risk_alerts().filter(patient=patient).count() == 1
    check(page, "kiosk_support_820")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("kiosk-progress")).to_have_text(f"Question 1 of {len(GAD7.items)}")

    page.goto(f"/patients/{patient.pk}/")  # a typed address reaches no staff page
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto("/kiosk/")
    page.get_by_role("button", name="Stop and hand the tablet back").click()
    expect(page.get_by_test_id("kiosk-locked")).to_contain_text("This tablet is locked")
    expect(page.get_by_text("Robin")).to_have_count(0)
    page.get_by_label("Staff password to take the tablet back").fill("not the password")
    page.get_by_role("button", name="Return to staff").click()
    expect(page.get_by_test_id("leave-error")).to_be_visible()
    check(page, "kiosk_locked_820")
    page.get_by_label("Staff password to take the tablet back").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Return to staff").click()
    expect(page).to_have_url(re.compile(rf"/patients/{patient.pk}/$"))
    visit = KioskVisit.objects.get()
    assert (visit.ended_how, visit.answered) == (KioskEnd.RETURNED, ["phq9"])
