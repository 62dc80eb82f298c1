"""A member of staff signs in through the real login form and reaches the dashboard."""

from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import expect

from clinic.accounts import roles
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory
from tests.mfa import code_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_nurse_signs_in_sees_dashboard_opens_a_patient_and_signs_out(page):
    UserFactory(username="nurse.kim", first_name="Kim", last_name="Ward", role=roles.NURSE)
    patient = PatientFactory(family_name="Testperson", given_name="Alex")

    page.goto("/")
    assert "/accounts/login/" in page.url  # every page requires login
    assert serious_accessibility_violations(page) == []
    screenshot(page, "login")

    log_in(page, "nurse.kim", TEST_PASSWORD)

    expect(page.get_by_role("heading", name="Good to see you, Kim")).to_be_visible()
    header = page.get_by_test_id("signed-in-user")
    assert "Kim Ward" in header.inner_text()
    assert "Nurse" in header.inner_text()
    expect(page.get_by_role("link", name="Find a patient")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "dashboard_nurse")

    page.get_by_role("link", name="Patients").first.click()
    page.get_by_role("link", name="Testperson, Alex").click()
    expect(page.get_by_role("heading", name="Testperson, Alex")).to_be_visible()
    assert patient.mrn in page.inner_text("main")
    screenshot(page, "patient_detail")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.goto("/patients/")
    assert "/accounts/login/" in page.url  # the session is gone


def test_wrong_password_shows_the_error_next_to_the_form(page):
    UserFactory(username="nurse.kim", role=roles.NURSE)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("nurse.kim")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    assert "/accounts/login/" in page.url
    expect(page.get_by_text("That username and password do not match an active account")).to_be_visible()
    screenshot(page, "login_error")


def test_first_sign_in_sets_up_the_authenticator_and_shows_recovery_codes(page):
    UserFactory(username="new.nurse", first_name="Ari", role=roles.NURSE)
    page.goto("/patients/")
    page.get_by_label("Username").fill("new.nurse")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "mfa_setup")
    secret = page.get_by_test_id("mfa-secret").inner_text().replace(" ", "")
    key_hex = base64.b32decode(secret).hex()
    page.get_by_label("Code from the app").fill(code_for(key_hex, after=-1))
    page.get_by_role("button", name="Confirm and continue").click()
    codes = page.get_by_test_id("recovery-codes").locator("li")
    assert codes.count() == 10
    screenshot(page, "mfa_recovery_codes")
    page.get_by_role("link", name="I have kept them, continue").click()
    assert "/patients/" in page.url  # where the person was going


def test_second_step_refuses_a_wrong_code_next_to_the_field(page):
    UserFactory(username="nurse.kim", role=roles.NURSE)
    log_in(page, "nurse.kim", TEST_PASSWORD)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Username").fill("nurse.kim")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("That code was not accepted")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "mfa_verify_error")


def test_an_unattended_screen_warns_then_moves_to_sign_in_by_itself(page, settings):
    """Without a screen-lock PIN the lock falls back to the sign-in page at once (with a PIN: test_screen_lock_flow)."""
    settings.CLINIC_IDLE_TIMEOUT_SECONDS = 12  # the warning shows 3 s before the end (a quarter of the idle time)
    UserFactory(username="nurse.kim", role=roles.NURSE)
    patient = PatientFactory(family_name="Testperson", given_name="Alex")
    log_in(page, "nurse.kim", TEST_PASSWORD)
    page.goto(patient.get_absolute_url())
    warning = page.get_by_role("dialog", name="Still there?")
    warning.wait_for(state="visible", timeout=15_000)
    screenshot(page, "idle_warning")
    page.wait_for_url(re.compile(r"/accounts/login/"), timeout=15_000)
    expect(page.get_by_text("Your screen locked, so no record stays on it.")).to_be_visible()
    assert "Testperson" not in page.content()


def test_the_admin_works_under_the_content_security_policy(page):
    UserFactory(username="admin.casey", role=roles.CLINIC_ADMIN, is_staff=True)
    target = UserFactory(username="nurse.kim", role=roles.NURSE)
    log_in(page, "admin.casey", TEST_PASSWORD)
    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Users, roles, reference data and audit")).to_be_visible()
    page.goto(f"/admin/accounts/user/{target.pk}/change/")
    assert page.get_by_label("Username").input_value() == "nurse.kim"
    page.goto("/admin/accounts/user/")
    page.get_by_role("checkbox", name=f"Select this object for an action - {target.get_full_name()}").check()
    page.locator("select[name=action]").select_option(
        label="Reset the authenticator (lost phone): they set up a new one at next sign-in"
    )
    page.get_by_role("button", name="Go").click()
    page.get_by_text("Authenticator reset for 1 account(s).").wait_for()  # is_visible() alone does not wait
    screenshot(page, "admin_reset_authenticator")


def test_the_sign_in_security_link_lines_up_with_the_navigation_links(page):
    UserFactory(username="nurse.kim", first_name="Kim", last_name="Ward", role=roles.NURSE)
    log_in(page, "nurse.kim", TEST_PASSWORD)

    security = page.get_by_role("link", name="Sign-in security").bounding_box()
    patients = page.get_by_role("link", name="Patients", exact=True).bounding_box()

    assert abs(security["height"] - patients["height"]) <= 2, (security, patients)
    centre = lambda box: box["y"] + box["height"] / 2  # noqa: E731 - a one-line measure
    assert abs(centre(security) - centre(patients)) <= 2, (security, patients)
    assert security["height"] >= 24  # WCAG 2.5.8 target size
    assert serious_accessibility_violations(page) == []
    screenshot(page, "navbar_signed_in")
