"""At the chair: check in, dose, three sets of vitals (one flagged), titrate, ondansetron, discharge; a clinician
signs; a later edit is refused and an addendum is accepted."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts import roles
from infusions.choices import SessionStatus
from infusions.models import InfusionSession
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, UserFactory
from tests.infusions.factories import MIGRAINE_PROTOCOL, CourseFactory, SessionFactory, protocol
from tests.infusions.test_services import ready_patient
from tests.stock.factories import draw_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_vitals(page, systolic: str) -> None:
    form = page.get_by_test_id("vitals-form")
    for label, value in [
        ("Systolic", systolic),
        ("Diastolic", "80"),
        ("HR", "76"),
        ("SpO₂ %", "98"),
        ("RR", "14"),
        ("MOAA/S", "5"),
    ]:
        form.get_by_label(label).fill(value)  # required labels end with "*"
    form.get_by_role("button", name="Record vitals").click()
    page.wait_for_load_state("networkidle")


def test_nurse_charts_and_clinician_signs(page):
    nurse = UserFactory(username="rn", first_name="Sam", role=roles.NURSE)
    UserFactory(username="md", first_name="Jordan", role=roles.CLINICIAN)
    course = CourseFactory(
        patient=ready_patient(), protocol=protocol(MIGRAINE_PROTOCOL), ordered_dose=D("0.1"), ordered_max=D("1.0")
    )
    session = SessionFactory(course=course, chair="4", scheduled_for=timezone.now())

    log_in(page, "rn", TEST_PASSWORD)
    page.get_by_role("link", name="Today", exact=True).click()
    page.get_by_role("link", name=re.compile(session.patient.family_name)).click()
    page.get_by_label("Escort or driver").fill("Pat Doe")
    page.get_by_label("Escort's phone").fill("(555) 010-1111")
    page.get_by_label("Fasting as instructed").check()
    page.get_by_label("Not applicable").check()
    page.get_by_role("button", name="Check in").click()
    page.wait_for_load_state("networkidle")

    page.get_by_label("Weight today (kg)").fill("80")
    page.get_by_label("Preparation").select_option(label="Ketamine 1 mg/mL bag from 50 mg/mL vial (final 1 mg/mL)")
    page.get_by_role("button", name="Calculate").click()
    page.wait_for_load_state("networkidle")
    dose = page.get_by_test_id("dose-panel").inner_text()
    assert "80 kg × 0.1 mg/kg/h = 8 mg/h · at 1 mg/mL · pump 8 mL/h = 8 mg/h delivered" in dose

    fill_vitals(page, "126")  # baseline
    draw_for(session, nurse)  # the ledger's draw (tests/browser/test_stock_flow.py draws on the page)
    page.reload()
    page.get_by_role("button", name="Start infusion").click()
    page.wait_for_load_state("networkidle")
    assert "Infusing" in page.get_by_test_id("session-status").inner_text()
    fill_vitals(page, "132")
    fill_vitals(page, "171")  # out of range
    alerts = page.get_by_test_id("open-alerts").inner_text()
    assert "High" in alerts
    assert "Systolic 171 mmHg is at or above 165." in alerts
    assert "High" in page.get_by_test_id("vitals-table").locator("td.table-danger").first.inner_text()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "session_chart_infusing")

    page.locator("summary", has_text="Titrate").click()
    page.get_by_label("New rate (mg/kg/h)").fill("0.2")
    page.get_by_test_id("chart-actions").locator("#id_titrate_reason").fill("Pain 6/10, tolerating well")
    page.get_by_role("button", name="Change rate").click()
    page.wait_for_load_state("networkidle")
    assert "16 mL/h" in page.get_by_test_id("session-status").inner_text().replace(".0 mL/h", " mL/h")

    page.locator("summary", has_text="Give a medication").click()
    page.locator("#id_medication_drug").select_option("ondansetron")
    page.locator("#id_medication_dose").fill("4")
    page.locator("#id_medication_route").select_option("iv")
    page.locator("#id_medication_reason").fill("Nausea")
    page.get_by_role("button", name="Chart medication").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Ondansetron 4 mg IV")).to_be_visible()

    assert "It cannot be undone." in page.get_by_test_id("stop-summary").inner_text()
    page.get_by_label("The pump is stopped: record the stop").check()
    page.get_by_role("button", name="Stop infusion, start observation").click()
    page.wait_for_load_state("networkidle")
    # An hour of observation passes.
    InfusionSession.objects.filter(pk=session.pk).update(infusion_ended_at=timezone.now() - dt.timedelta(minutes=70))
    page.reload()
    fill_vitals(page, "128")  # a set in range before discharge: the 171 alert would block it (docs/clinical.md §5.4)
    discharge = page.get_by_test_id("discharge-form")
    for radio in discharge.get_by_role("radio", name="2").all():
        radio.check()
    discharge.get_by_label("Escort is here").check()
    discharge.get_by_label("After-care instructions given").check()
    discharge.get_by_role("button", name="Discharge").click()
    page.wait_for_load_state("networkidle")
    assert "Discharged" in page.get_by_test_id("session-status").inner_text()
    page.get_by_role("button", name="Sign out").click()

    log_in(page, "md", TEST_PASSWORD)
    page.goto(reverse("infusions:session_chart", kwargs={"pk": session.pk}))
    sign = page.get_by_test_id("sign-form")
    assert sign.get_by_label(re.compile("Approval: I reviewed and approved")).is_checked()
    sign.get_by_label("Your password").fill("not my password")
    sign.get_by_role("button", name="Sign and lock").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("That is not your password, so nothing was signed.")).to_be_visible()
    page.get_by_test_id("sign-card").scroll_into_view_if_needed()
    screenshot(page, "session_sign_wrong_password")
    assert not serious_accessibility_violations(page)
    session.refresh_from_db()
    assert session.status == SessionStatus.DISCHARGED

    sign = page.get_by_test_id("sign-form")
    sign.get_by_label("Your password").fill(TEST_PASSWORD)
    sign.get_by_role("button", name="Sign and lock").click()
    page.wait_for_load_state("networkidle")
    signature = page.get_by_test_id("signature").first
    assert "Signed by Jordan" in signature.inner_text()
    assert "Meaning: Approval" in signature.inner_text()
    assert "Signature verified" in page.get_by_test_id("signature-status").first.inner_text()

    # A late edit (the notes form of an unsigned session, posted now) is refused; the record is unchanged.
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    notes_url = reverse("infusions:session_notes", kwargs={"pk": session.pk})
    with page.expect_navigation():
        page.evaluate(
            """([url, token]) => { const f = document.createElement('form'); f.method = 'post'; f.action = url;
        for (const [k, v] of [['csrfmiddlewaretoken', token], ['note', 'changed after signing']]) {
        const i = document.createElement('input'); i.name = k; i.value = v; f.appendChild(i); }
        document.body.appendChild(f); f.submit(); }""",
            [notes_url, token],
        )
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("That action is not possible now: the session is signed.")).to_be_visible()
    session.refresh_from_db()
    assert (session.status, session.note) == (SessionStatus.SIGNED, "")

    addendum = page.get_by_test_id("addendum-form")
    addendum.get_by_label("Addendum").fill("IV site checked at removal: no redness or swelling.")
    addendum.get_by_label("Your password").fill(TEST_PASSWORD)
    addendum.get_by_role("button", name="Sign and add addendum").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("IV site checked at removal: no redness or swelling.")).to_be_visible()
    assert page.get_by_test_id("addendum").get_by_test_id("signature-meaning").inner_text() == "Authorship"
    page.get_by_role("link", name="Printable record").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("signature-status").first.inner_text().strip().startswith("Signature verified")
    assert not serious_accessibility_violations(page)
    screenshot(page, "session_record_print")
    page.go_back()
    screenshot(page, "session_chart_signed")
