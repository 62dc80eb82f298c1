"""Emergency access in a browser: a designated clinician finds a restricted record by its MRN, breaks the glass and
sees the banner; the clinic admin reviews the access with the pages it opened (security.md D1, D2)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from clinic.accounts import roles
from patients.models import EmergencyAccessGrant, ReviewOutcome
from patients.services_emergency import patient_restriction_set
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_designated_clinician_breaks_the_glass_and_the_clinic_admin_reviews_it(page, browser, live_server):
    doctor = UserFactory(username="doc.lee", first_name="Dana", last_name="Lee", role=roles.CLINICIAN)
    doctor.user_permissions.add(Permission.objects.get(content_type__app_label="patients", codename="break_glass"))
    UserFactory(username="admin.casey", first_name="Casey", role=roles.CLINIC_ADMIN, is_staff=True)
    nurse = UserFactory(username="nurse.kim", role=roles.NURSE)
    patient = PatientFactory(mrn="K0400001", family_name="Quill")
    patient_restriction_set(patient=patient, by=nurse, restricted=True, reason="Member of staff")

    log_in(page, "doc.lee", TEST_PASSWORD)
    page.get_by_role("link", name="Patients").first.click()
    page.get_by_label("Find a patient").fill("K0400001")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state("networkidle")
    match = page.get_by_test_id("restricted-match")
    assert "1 restricted record" in match.inner_text()
    assert "Quill" not in page.locator("main").inner_text()
    screenshot(page, "emergency_access_search")
    match.get_by_role("link", name="Emergency access").click()

    expect(page.get_by_test_id("break-glass-warning")).to_be_visible()
    page.get_by_label("Reason").select_option("clinical_emergency")
    page.get_by_label("Explain the emergency").fill("Collapsed in chair 3; allergies and medications needed now.")
    page.get_by_label("Your password").fill(TEST_PASSWORD)
    assert serious_accessibility_violations(page) == []
    screenshot(page, "emergency_access_form")
    page.get_by_role("button", name="Break the glass and open the record").click()
    page.wait_for_load_state("networkidle")

    banner = page.get_by_test_id("emergency-banner")
    assert "Emergency access — expires" in banner.inner_text()
    expect(page.get_by_role("heading", name="Quill")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "emergency_access_banner")

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    admin_page = context.new_page()
    log_in(admin_page, "admin.casey", TEST_PASSWORD)
    admin_page.get_by_role("link", name="Emergency access", exact=True).click()
    queue = admin_page.get_by_test_id("emergency-queue")
    assert "K0400001" in queue.inner_text()
    screenshot(admin_page, "emergency_access_queue")
    queue.get_by_role("link", name="Review").click()
    assert "summary" in admin_page.get_by_test_id("grant-access-log").inner_text()
    admin_page.get_by_label("Appropriate", exact=True).check()
    admin_page.get_by_label("Note").fill("Collapse in chair 3 confirmed by the charge nurse.")
    assert serious_accessibility_violations(admin_page) == []
    screenshot(admin_page, "emergency_access_review")
    admin_page.get_by_role("button", name="Record review").click()
    admin_page.wait_for_load_state("networkidle")
    expect(admin_page.get_by_text("Review recorded.")).to_be_visible()
    context.close()

    grant = EmergencyAccessGrant.objects.get()
    assert (grant.user, grant.review_outcome, grant.reviewed_by.username) == (
        doctor, ReviewOutcome.APPROPRIATE, "admin.casey",
    )  # fmt: skip
