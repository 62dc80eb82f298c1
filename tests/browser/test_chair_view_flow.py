"""At the chair, on a tablet in portrait (issue #17): the strip follows a rate change, a jump bigger than the
titration step is refused until a second nurse confirms, the same vitals twice ask "record again?", stopping asks for
confirmation; an overrunning infusion shows its alert on the strip and the board; an unacknowledged suicide-risk
answer stops the start until a clinician acknowledges it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts import roles
from infusions import services
from infusions.models import InfusionSession
from patients.services import questionnaire_acknowledge_risk
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, UserFactory
from tests.infusions.factories import MIGRAINE_PROTOCOL, preparation
from tests.infusions.test_services import GOOD_VITALS, checked_in, started
from tests.patients.factories import QuestionnaireFactory
from tests.stock.factories import draw_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 820, "height": 1180}


def running_migraine(nurse) -> InfusionSession:
    session = checked_in(nurse, protocol_name=MIGRAINE_PROTOCOL, ordered_dose="0.1", ordered_max="1.0")
    begun = timezone.now() - dt.timedelta(minutes=40)
    InfusionSession.objects.filter(pk=session.pk).update(checked_in_at=begun - dt.timedelta(minutes=15))
    services.session_set_dose(session=session, by=nurse, weight_kg=D(80), preparation=preparation(1),
                              dose_per_kg=D("0.1"))  # fmt: skip
    services.session_record_vitals(session=session, by=nurse, taken_at=begun - dt.timedelta(minutes=5), **GOOD_VITALS)
    draw_for(session, nurse)
    return services.session_start(session=session, by=nurse, at=begun)


def titrate(page, rate: str, second: tuple[str, str] | None = None) -> None:
    card = page.get_by_test_id("chart-actions").locator("details", has=page.locator("summary", has_text="Titrate"))
    if card.get_attribute("open") is None:
        card.locator("summary").click()
    card.get_by_label("New rate (mg/kg/h)").fill(rate)
    card.get_by_label("Reason").fill("Pain 7/10, tolerating well")
    if second:
        card.get_by_label("Second checker's username").fill(second[0])
        card.get_by_label("Second checker's password").fill(second[1])
    card.get_by_role("button", name="Change rate").click()
    page.wait_for_load_state("networkidle")


def test_the_strip_the_step_gate_the_twin_vitals_and_the_stop(page):
    nurse = UserFactory(username="rn", first_name="Sam", role=roles.NURSE)
    UserFactory(username="rn2", first_name="Alex", role=roles.NURSE)
    session = running_migraine(nurse)
    page.set_viewport_size(TABLET)
    log_in(page, "rn", TEST_PASSWORD)
    page.goto(reverse("infusions:session_chart", kwargs={"pk": session.pk}))
    assert "8 mL/h = 0.1 mg/kg/h" in page.get_by_test_id("pump-rate").inner_text()

    titrate(page, "0.2")
    assert "16 mL/h = 0.2 mg/kg/h" in page.get_by_test_id("pump-rate").inner_text()
    expect(page.get_by_test_id("dose-changed")).to_be_visible()
    titrate(page, "0.6")  # 0.2 -> 0.6 with a 0.1 step
    assert "more than the protocol's step of 0.1 mg/kg/h" in page.get_by_test_id("chart-actions").inner_text()
    assert "16 mL/h" in page.get_by_test_id("pump-rate").inner_text()
    titrate(page, "0.6", second=("rn2", TEST_PASSWORD))
    assert "48 mL/h = 0.6 mg/kg/h" in page.get_by_test_id("pump-rate").inner_text()

    vitals = page.get_by_test_id("vitals-form")
    for label, value in [("Systolic", "128"), ("Diastolic", "80"), ("HR", "74"), ("SpO₂ %", "98")]:
        vitals.get_by_label(label).fill(value)
    vitals.get_by_role("button", name="Record vitals").click()
    page.wait_for_load_state("networkidle")
    vitals = page.get_by_test_id("vitals-form")
    for label, value in [("Systolic", "128"), ("Diastolic", "80"), ("HR", "74"), ("SpO₂ %", "98")]:
        vitals.get_by_label(label).fill(value)
    vitals.get_by_role("button", name="Record vitals").click()
    page.wait_for_load_state("networkidle")
    assert "record it again?" in page.get_by_test_id("vitals-form").inner_text()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "chair_twin_vitals_tablet")
    page.get_by_test_id("vitals-form").get_by_label("Record this set again").check()
    page.get_by_test_id("vitals-form").get_by_role("button", name="Record vitals").click()
    page.wait_for_load_state("networkidle")
    assert session.vitals.count() == 3

    page.get_by_role("button", name="Stop infusion, start observation").click()
    page.wait_for_load_state("networkidle")
    assert "Tick to confirm that the pump is stopped." in page.get_by_test_id("stop-form").inner_text()
    assert InfusionSession.objects.get(pk=session.pk).status == "infusing"
    page.get_by_label("The pump is stopped: record the stop").check()
    page.get_by_role("button", name="Stop infusion, start observation").click()
    page.wait_for_load_state("networkidle")
    assert "Observing" in page.get_by_test_id("session-status").inner_text()


def test_an_overrun_shows_on_the_strip_and_the_board(page):
    nurse = UserFactory(username="rn", first_name="Sam", role=roles.NURSE)
    session = started(nurse)  # a 40 min fixed dose started six hours ago, never stopped
    InfusionSession.objects.filter(pk=session.pk).update(scheduled_for=timezone.now())
    log_in(page, "rn", TEST_PASSWORD)
    page.goto(reverse("infusions:session_chart", kwargs={"pk": session.pk}))
    assert "has been given and the pump still runs" in page.get_by_test_id("overrun-alert").inner_text()
    page.set_viewport_size(TABLET)
    screenshot(page, "chair_overrun_tablet")
    page.get_by_role("link", name="Today", exact=True).click()
    assert "Pump: The planned 36.25 mg has been given" in page.get_by_test_id("board-overrun").inner_text()
    assert serious_accessibility_violations(page) == []


def test_a_suicide_risk_answer_stops_the_start_until_acknowledged(page):
    nurse = UserFactory(username="rn", first_name="Sam", role=roles.NURSE)
    clinician = UserFactory(username="md", first_name="Jordan", role=roles.CLINICIAN)
    session = checked_in(nurse)
    services.session_set_dose(session=session, by=nurse, weight_kg=D("76"), preparation=preparation(1),
                              dose_per_kg=D("0.5"))  # fmt: skip
    services.session_record_vitals(session=session, by=nurse, taken_at=session.checked_in_at, **GOOD_VITALS)
    draw_for(session, nurse)
    risk = QuestionnaireFactory(patient=session.patient, total=14, item9=1)
    log_in(page, "rn", TEST_PASSWORD)
    chart = reverse("infusions:session_chart", kwargs={"pk": session.pk})
    page.goto(chart)
    assert "Unacknowledged suicide-risk answer (PHQ-9" in page.get_by_test_id("start-problems").inner_text()
    assert page.get_by_role("button", name="Start infusion").is_disabled()
    expect(page.get_by_test_id("now-risk-alert")).to_be_visible()
    questionnaire_acknowledge_risk(response=risk, by=clinician, action="Assessed in person: no plan, safe to treat")
    page.goto(chart)
    assert page.get_by_test_id("start-problems").count() == 0
    assert page.get_by_role("button", name="Start infusion").is_enabled()
