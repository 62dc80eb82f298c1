"""A clinician finds yesterday's unsigned session on the worklist (the top bar's total, then the list of sessions to
sign), signs it from there, and the worklist no longer holds it (issue #18)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts import roles
from infusions.choices import SessionStatus
from infusions.models import InfusionSession, RateChange, VitalSign
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, UserFactory
from tests.infusions.factories import SessionFactory, preparation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "tablet": {"width": 820, "height": 1180}}


def yesterday_at(hour: int, minute: int = 0) -> dt.datetime:
    """A time on the clinic's yesterday, computed from now, so the test holds on any day."""
    day = timezone.localdate() - dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def discharged_yesterday(nurse) -> InfusionSession:
    """A session given and discharged yesterday, with every field its signature covers filled in."""
    start = yesterday_at(10)

    def minutes(n: int) -> dt.datetime:
        return start + dt.timedelta(minutes=n)

    session = SessionFactory(
        status=SessionStatus.DISCHARGED, nurse=nurse, chair="3", scheduled_for=start, checked_in_at=start,
        escort_name="Pat Doe", escort_phone="(555) 010-1111", fasting="confirmed", pregnancy_check="not_applicable",
        weight_kg=D("72.5"), preparation=preparation(1), dose_per_kg=D("0.5"), planned_dose_mg=D("36.25"),
        start_rate_mg_h=D("54.4"), start_rate_ml_h=D("54.4"), dose_calculation="72.5 kg × 0.5 mg/kg = 36.25 mg",
        second_check_by=nurse, second_check_at=minutes(2), second_check_reason="Checked twice.",
        started_at=minutes(5), infusion_ended_at=minutes(45), total_mg=D("36.25"), pain_before=6, pain_after=2,
        note="Tolerated well.", padss_vitals=2, padss_activity=2, padss_nausea=2, padss_pain=2, padss_bleeding=2,
        escort_present=True, aftercare_given=True, discharged_at=minutes(110), discharged_by=nurse,
    )  # fmt: skip
    VitalSign.objects.create(session=session, taken_at=minutes(1), is_baseline=True, systolic=124, diastolic=78,
                             heart_rate=72, spo2=98, resp_rate=14, sedation=5, dissociation=0, pain=6,
                             created_by=nurse)  # fmt: skip
    RateChange.objects.create(session=session, at=minutes(5), rate_mg_h=D("54.4"), rate_ml_h=D("54.4"),
                              reason="Infusion started", created_by=nurse)  # fmt: skip
    return session


def test_clinician_signs_yesterdays_session_from_the_worklist(page):
    nurse = UserFactory(username="rn", first_name="Sam", last_name="Okafor", role=roles.NURSE)
    UserFactory(username="md", first_name="Jordan", role=roles.CLINICIAN)
    session = discharged_yesterday(nurse)
    patient = session.patient

    page.set_viewport_size(SIZES["desktop"])
    log_in(page, "md", TEST_PASSWORD)
    entry = page.get_by_role("link", name=re.compile(r"^Worklist, \d+ waiting$"))
    expect(entry).to_be_visible()
    entry.click()
    page.get_by_role("link", name=re.compile("sessions awaiting signature")).click()

    expect(page.get_by_role("heading", name="Sessions to sign")).to_be_visible()
    row = page.get_by_test_id("worklist-row").filter(has_text=patient.display_name)
    expect(row).to_have_count(1)
    day = timezone.localdate() - dt.timedelta(days=1)
    expect(row).to_contain_text(f"{day:%a} {day.day} {day:%b %Y}")  # the day it was given, not today
    expect(row).to_contain_text("Sam Okafor")
    expect(page.get_by_role("link", name="Worklist, 1 waiting")).to_be_visible()  # the top bar's entry has loaded
    screenshot(page, "worklist_to_sign_1366")
    assert serious_accessibility_violations(page) == []
    page.set_viewport_size(SIZES["tablet"])
    expect(page.get_by_role("link", name="Worklist, 1 waiting")).to_be_visible()  # not folded behind the menu
    screenshot(page, "worklist_to_sign_820")
    assert serious_accessibility_violations(page) == []
    page.set_viewport_size(SIZES["desktop"])

    row.get_by_role("link", name=re.compile("Open chart")).click()
    sign = page.get_by_test_id("sign-form")
    sign.get_by_label("Your password").fill(TEST_PASSWORD)
    sign.get_by_role("button", name="Sign and lock").click()
    expect(page.get_by_test_id("signature").first).to_contain_text("Signed by Jordan")
    session.refresh_from_db()
    assert session.status == SessionStatus.SIGNED

    page.get_by_role("link", name=re.compile(r"^Worklist, \d+ waiting$")).click()
    page.get_by_role("link", name=re.compile("sessions awaiting signature")).click()
    expect(page.get_by_test_id("worklist-row")).to_have_count(0)
    expect(page.get_by_text("Nothing is waiting here.")).to_be_visible()
    expect(page.get_by_role("link", name="Worklist, 0 waiting")).to_be_visible()
    screenshot(page, "worklist_to_sign_done")
