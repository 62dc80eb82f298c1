"""A clinician voids a serious side effect entered on the wrong patient (issue #16 point 4): it is struck through on its
page and on the patient's page, its unsent reports are withdrawn, and it leaves the review queue."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clinic.accounts import roles
from side_effects import services
from side_effects.models import SideEffect, SideEffectTerm
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"1366": {"width": 1366, "height": 900}, "820": {"width": 820, "height": 1180}}  # laptop, tablet upright


def screenshots(page, name: str) -> None:
    for label, size in SIZES.items():
        page.set_viewport_size(size)
        screenshot(page, f"{name}_{label}")


def struck_through(locator) -> bool:
    return "line-through" in locator.evaluate("el => getComputedStyle(el).textDecorationLine")


def test_clinician_voids_a_side_effect_and_sees_it_struck_through(page):
    nurse = UserFactory(username="rn", first_name="Sam", role=roles.NURSE)
    UserFactory(username="md", first_name="Jordan", role=roles.CLINICIAN)
    patient = PatientFactory()
    event = services.side_effect_report(
        patient=patient,
        by=nurse,
        term=SideEffectTerm.objects.get(name="Hypertension"),
        term_detail="BP 190/110",
        grade=3,
        serious=True,
        seriousness_criteria=["hospitalisation"],
    )

    log_in(page, "md", TEST_PASSWORD)
    page.goto(patient.get_absolute_url())
    page.get_by_test_id("patient-side-effects").get_by_role("link", name=re.compile("Hypertension")).click()
    page.get_by_role("link", name="Void (entered in error)").click()
    assert "Its reports not yet sent are withdrawn: FDA MedWatch" in page.get_by_test_id("void-summary").inner_text()
    reason = page.get_by_label("Reason for voiding")
    reason.fill("Entered on the wrong patient: belongs to the patient in chair 2")
    assert serious_accessibility_violations(page) == []
    screenshots(page, "side_effect_void_form")
    page.set_viewport_size(SIZES["1366"])

    reason.fill("")
    page.get_by_role("button", name="Void this side effect").click()
    expect(page.get_by_text("Give a reason for voiding this record (at least 5 characters).")).to_be_visible()
    assert SideEffect.objects.active().filter(pk=event.pk).exists()
    page.get_by_label("Reason for voiding").fill("Entered on the wrong patient: belongs to the patient in chair 2")
    page.get_by_role("button", name="Void this side effect").click()
    page.wait_for_load_state("networkidle")

    expect(page.get_by_text("Side effect voided: Hypertension (BP 190/110), grade 3.")).to_be_visible()
    assert "by Jordan" in page.get_by_test_id("voided").inner_text()
    assert struck_through(page.locator("h2 del"))
    assert struck_through(page.get_by_test_id("side-effect").locator("dd").first)
    assert not struck_through(page.get_by_test_id("side-effect").locator("dt").first)  # the labels stay plain
    assert page.get_by_text("Withdrawn", exact=True).count() == 2
    assert page.get_by_role("button", name="Mark sent").count() == 0
    assert serious_accessibility_violations(page) == []
    screenshots(page, "side_effect_voided_detail")

    page.set_viewport_size(SIZES["1366"])
    page.goto(patient.get_absolute_url())
    row = page.get_by_test_id("patient-side-effects").get_by_role("row", name=re.compile("Hypertension"))
    assert "Voided" in row.inner_text()
    assert struck_through(row.locator("del").first)
    assert serious_accessibility_violations(page) == []
    page.get_by_test_id("patient-side-effects").scroll_into_view_if_needed()
    screenshots(page, "side_effect_voided_patient_page")

    page.goto(reverse("side_effects:side_effect_queue"))
    assert "No side effects recorded." in page.get_by_test_id("side-effect-queue").inner_text()
    assert SideEffect.objects.get(pk=event.pk).voided_by.username == "md"
