"""The clinic admin filters the access log by patient and exports it; a locked-out sign-in sees what to do."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import RequestFactory
from playwright.sync_api import expect

from clinic.accounts import roles
from clinic.audit.models import AccessAction, AuthEvent, AuthEventKind, PatientAccessEvent
from clinic.audit.services import patient_access_log
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clinic_admin_filters_the_access_log_by_patient_and_exports_it(page):
    UserFactory(username="admin.casey", first_name="Casey", role=roles.CLINIC_ADMIN, is_staff=True)
    nurse = UserFactory(username="nurse.kim", role=roles.NURSE)
    wanted, other = PatientFactory(mrn="K0300001"), PatientFactory(mrn="K0300002")
    for patient, category in [(wanted, "summary"), (wanted, "sessions"), (other, "summary")]:
        request = RequestFactory().get(f"/patients/{patient.pk}/", REMOTE_ADDR="10.0.0.5")
        request.user = nurse
        patient_access_log(request=request, patient=patient, category=category)

    log_in(page, "admin.casey", TEST_PASSWORD)
    page.get_by_role("link", name="Audit").click()
    expect(page.get_by_role("heading", name="Audit: patient access log")).to_be_visible()
    page.get_by_label("Patient MRN").fill("K0300001")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state("networkidle")
    assert "K0300001" not in page.url  # the MRN is posted, never in the address bar
    assert page.get_by_test_id("result-count").inner_text().startswith("2 rows matching the filters")
    table = page.locator("table").inner_text()
    assert "K0300002" not in table
    assert table.count("nurse.kim") == 2
    assert serious_accessibility_violations(page) == []
    screenshot(page, "audit_access_log_filtered")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export these rows (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(download_info.value.path().read_text())))
    assert sorted(r["part_of_record"] for r in rows) == ["sessions", "summary"]
    assert {r["patient_mrn"] for r in rows} == {"K0300001"}

    assert AuthEvent.objects.filter(kind=AuthEventKind.AUDIT_EXPORT, user__username="admin.casey").count() == 1
    exported = PatientAccessEvent.objects.filter(action=AccessAction.EXPORT)
    assert [e.patient_id for e in exported] == [wanted.pk]

    page.get_by_role("link", name="Sign-ins and refusals").click()
    expect(page.get_by_role("cell", name="Audit report exported")).to_be_visible()
    screenshot(page, "audit_auth_events")
    page.get_by_role("link", name="Change history").click()
    expect(page.get_by_role("heading", name="Audit: change history")).to_be_visible()
    screenshot(page, "audit_change_history")


def test_clinic_admin_reads_the_change_history_as_a_record(page):
    """The change history opens on the last 7 days (dates filled in, editable), names each row's patient, labels the
    fields and names the staff they point to (issue #17)."""
    from django.utils import timezone

    from tests.infusions.factories import SessionFactory

    UserFactory(username="admin.casey", first_name="Casey", role=roles.CLINIC_ADMIN, is_staff=True)
    nurse = UserFactory(username="nurse.kim", first_name="Kim", last_name="Lee", role=roles.NURSE)
    session = SessionFactory(course__patient__family_name="Okafor", course__patient__given_name="Ada")
    session.nurse = nurse
    session.save()

    log_in(page, "admin.casey", TEST_PASSWORD)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/audit/changes/")
    today = timezone.localdate()
    assert page.get_by_label("To", exact=True).input_value() == today.isoformat()
    assert page.get_by_label("From", exact=True).input_value() == (today - dt.timedelta(days=6)).isoformat()
    assert "from the last 7 days" in page.get_by_test_id("result-count").inner_text()
    expect(page.get_by_role("columnheader", name="Patient")).to_be_visible()
    row = page.locator("tr", has=page.get_by_text("Nurse: (empty) → Kim Lee"))
    assert "Okafor, Ada" in row.inner_text()
    assert "nurse_id" not in page.locator("table").inner_text()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "audit_change_history_week_1366")
    page.set_viewport_size({"width": 820, "height": 1180})
    screenshot(page, "audit_change_history_week_820")

    page.get_by_label("From", exact=True).fill("")
    page.get_by_label("To", exact=True).fill("")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_label("From", exact=True).input_value() == ""
    assert "from the last 7 days" not in page.get_by_test_id("result-count").inner_text()


def type_password(page, username: str, password: str) -> None:
    """The first step of signing in only (log_in goes on to the second factor, which a refused password never
    reaches)."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def test_five_wrong_passwords_show_the_lockout_page(page):
    UserFactory(username="nurse.kim", role=roles.NURSE)
    for attempt in range(5):
        type_password(page, "nurse.kim", f"wrong-password-{attempt}")
    expect(page.get_by_role("heading", name="Sign-in is paused for this account")).to_be_visible()
    expect(page.get_by_text("Wait 15 minutes")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "login_locked_out")
    type_password(page, "nurse.kim", TEST_PASSWORD)  # the right password does not get through a lockout
    expect(page.get_by_role("heading", name="Sign-in is paused for this account")).to_be_visible()


def test_clinic_admin_lifts_a_lockout_in_the_admin_and_it_is_recorded(page):
    from django.test import Client

    UserFactory(username="admin.casey", role=roles.CLINIC_ADMIN, is_staff=True)
    UserFactory(username="nurse.kim", role=roles.NURSE)
    tablet = Client(REMOTE_ADDR="10.0.0.9")
    for attempt in range(5):
        tablet.post("/accounts/login/", {"username": "nurse.kim", "password": f"wrong-{attempt}"})

    log_in(page, "admin.casey", TEST_PASSWORD)
    page.goto("/admin/axes/accessattempt/")
    assert page.get_by_role("link", name="nurse.kim").is_visible() or "nurse.kim" in page.inner_text("#result_list")
    page.locator("#result_list input.action-select").first.check()
    page.locator("select[name=action]").select_option("lift_lockout")
    page.get_by_role("button", name="Go").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Each one is recorded in the audit trail")).to_be_visible()
    screenshot(page, "admin_lockout_lifted")

    unlock = AuthEvent.objects.get(kind=AuthEventKind.UNLOCK)
    assert (unlock.user.username, unlock.username) == ("admin.casey", "nurse.kim")
    assert tablet.post("/accounts/login/", {"username": "nurse.kim", "password": TEST_PASSWORD}).status_code == 302
