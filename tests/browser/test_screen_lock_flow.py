"""The screen lock in a browser (issue #17; security.md B1, B3): an unattended screen moves to the lock page by
itself, the PIN brings the nurse back to where she was, too many wrong PINs mean the full sign-in, and the PIN is
set on the Sign-in security page."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts import roles
from clinic.accounts.models import UnlockPin
from clinic.audit.models import AuthEvent, AuthEventKind
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PIN = "4071"
DESKTOP, TABLET = {"width": 1366, "height": 900}, {"width": 820, "height": 1180}


def nurse_with_pin():
    nurse = UserFactory(username="nurse.kim", first_name="Kim", last_name="Ward", role=roles.NURSE)
    UnlockPin.objects.create(user=nurse, pin_hash=make_password(PIN), set_at=timezone.now())
    return nurse


def test_an_unattended_screen_locks_by_itself_and_the_pin_brings_the_nurse_back(page, settings):
    settings.CLINIC_IDLE_TIMEOUT_SECONDS = 12  # the warning shows 3 s before the lock (a quarter of the idle time)
    nurse_with_pin()
    patient = PatientFactory(family_name="Testperson", given_name="Alex")
    log_in(page, "nurse.kim", TEST_PASSWORD)
    page.goto(patient.get_absolute_url())
    expect(page.get_by_role("heading", name="Testperson, Alex")).to_be_visible()

    page.get_by_role("dialog", name="Still there?").wait_for(state="visible", timeout=15_000)
    page.wait_for_url(re.compile(r"/accounts/lock/"), timeout=15_000)

    expect(page.get_by_role("heading", name="Screen locked")).to_be_visible()
    assert page.get_by_test_id("locked-user").inner_text() == "Kim Ward"
    content = page.content()
    assert "Testperson" not in content
    assert patient.mrn not in content
    assert serious_accessibility_violations(page) == []
    for name, size in (("screen_lock_desktop", DESKTOP), ("screen_lock_tablet", TABLET)):
        page.set_viewport_size(size)
        screenshot(page, name)
    pin = page.get_by_label("PIN")
    assert pin.get_attribute("inputmode") == "numeric"
    page.goto(patient.get_absolute_url())  # the server keeps it locked whatever the browser asks for
    assert "/accounts/lock/" in page.url
    assert "Testperson" not in page.content()

    page.get_by_label("PIN").fill(PIN)
    page.get_by_role("button", name="Unlock").click()

    page.wait_for_url(re.compile(re.escape(patient.get_absolute_url()) + "$"))
    expect(page.get_by_role("heading", name="Testperson, Alex")).to_be_visible()
    kinds = list(AuthEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds[-2:] == [AuthEventKind.SCREEN_LOCKED, AuthEventKind.SCREEN_UNLOCKED]


def test_wrong_pins_fall_back_to_the_full_sign_in(page):
    nurse_with_pin()
    log_in(page, "nurse.kim", TEST_PASSWORD)
    page.goto("/accounts/lock/?next=/patients/")  # where the idle page goes (the first test waits for it)
    for tries_left in (4, 3, 2, 1):
        page.get_by_label("PIN").fill("9999")
        page.get_by_role("button", name="Unlock").click()
        page.get_by_text(f"That PIN is not right. {tries_left} more").wait_for()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "screen_lock_wrong_pin")

    page.get_by_label("PIN").fill("9999")
    page.get_by_role("button", name="Unlock").click()

    page.wait_for_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_text("Too many wrong PINs. Sign in with your password and code.")).to_be_visible()
    page.goto("/patients/")
    assert "/accounts/login/" in page.url  # signed out on the server
    log_in(page, "nurse.kim", TEST_PASSWORD)
    page.goto("/patients/")
    assert "/patients/" in page.url
    assert UnlockPin.objects.get().failures == 0  # the full sign-in gave the PIN its tries back


def test_switch_user_from_the_lock_page_needs_the_full_sign_in(page):
    nurse_with_pin()
    log_in(page, "nurse.kim", TEST_PASSWORD)
    page.goto("/accounts/lock/")
    page.get_by_role("button", name="Switch user").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.goto("/accounts/lock/")
    assert "/accounts/login/" in page.url


def test_a_nurse_sets_her_pin_on_the_sign_in_security_page(page):
    UserFactory(username="nurse.kim", first_name="Kim", last_name="Ward", role=roles.NURSE)
    log_in(page, "nurse.kim", TEST_PASSWORD)
    page.get_by_role("link", name="Sign-in security").click()
    page.get_by_role("link", name="Set a PIN").click()
    expect(page.get_by_role("heading", name="Set a screen-lock PIN")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    for name, size in (("pin_setup_desktop", DESKTOP), ("pin_setup_tablet", TABLET)):
        page.set_viewport_size(size)
        screenshot(page, name)
    page.set_viewport_size(DESKTOP)

    page.locator("#id_pin").fill("1234")
    page.get_by_label("New PIN again").fill("1234")
    page.get_by_label("Your password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Set PIN").click()
    expect(page.get_by_text("That PIN is too easy to guess")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "pin_setup_refused")

    page.locator("#id_pin").fill(PIN)
    page.get_by_label("New PIN again").fill(PIN)
    page.get_by_label("Your password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Set PIN").click()
    page.get_by_text("Your PIN is set.").wait_for()
    assert page.get_by_test_id("pin-status").inner_text().startswith("Your PIN unlocks your screen")
    assert UnlockPin.objects.filter(user__username="nurse.kim").exists()
    screenshot(page, "account_security_with_pin")
