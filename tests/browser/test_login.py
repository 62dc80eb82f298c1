"""A member of staff signs in through the real login form and reaches the dashboard."""

from __future__ import annotations

import re

import pytest

from clinic.accounts import roles
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_nurse_signs_in_sees_dashboard_opens_a_patient_and_signs_out(page):
    UserFactory(username="nurse.kim", first_name="Kim", last_name="Ward", role=roles.NURSE)
    patient = PatientFactory(family_name="Testperson", given_name="Alex")

    page.goto("/")
    assert "/accounts/login/" in page.url  # every page requires login
    assert serious_accessibility_violations(page) == []
    screenshot(page, "login")

    log_in(page, "nurse.kim", TEST_PASSWORD)

    assert page.get_by_role("heading", name="Good to see you, Kim").is_visible()
    header = page.get_by_test_id("signed-in-user")
    assert "Kim Ward" in header.inner_text()
    assert "Nurse" in header.inner_text()
    assert page.get_by_role("link", name="Find a patient").is_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "dashboard_nurse")

    page.get_by_role("link", name="Patients").first.click()
    page.get_by_role("link", name="Testperson, Alex").click()
    assert page.get_by_role("heading", name="Testperson, Alex").is_visible()
    assert patient.mrn in page.inner_text("main")
    screenshot(page, "patient_detail")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.goto("/patients/")
    assert "/accounts/login/" in page.url  # the session is gone


def test_wrong_password_shows_the_error_next_to_the_form(page):
    UserFactory(username="nurse.kim", role=roles.NURSE)
    log_in(page, "nurse.kim", "not-the-password")
    assert "/accounts/login/" in page.url
    assert page.get_by_text("That username and password do not match an active account").is_visible()
    screenshot(page, "login_error")
