"""A nurse hands the tablet to a patient who fills in a PHQ-9 (question 9 above 0); a clinician acknowledges the
alert from the queue, opens the patient's history, sees the charts and the response status, and exports the
cohort CSV. Then a migraine patient whose diary went blank: the history and the cohort report say "not evaluable"
and why (issue #16 point 6), at desktop and tablet sizes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts import roles
from patients.models import QuestionnaireResponse
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory
from tests.infusions.factories import CourseFactory
from tests.infusions.test_outcomes import at_local, given_session, migraine_patient, month_back
from tests.patients.factories import QuestionnaireFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHQ9_ANSWERS = [
    "Not at all",
    "Several days",
    "Not at all",
    "Several days",
    "Not at all",
    "Not at all",
    "Not at all",
    "Not at all",
    "Several days",
]  # fmt: skip  (total 3, question 9 above 0)


def test_questionnaire_alert_history_and_cohort_export(page):
    UserFactory(username="rn", first_name="Sam", role=roles.NURSE)
    UserFactory(username="md", first_name="Jordan", role=roles.CLINICIAN)
    patient = PatientFactory(given_name="Robin", family_name="Fictional", primary_indication="trd")
    now = timezone.now()
    QuestionnaireFactory(patient=patient, total=19, completed_at=now - dt.timedelta(days=21), timepoint="baseline")
    QuestionnaireFactory(patient=patient, total=11, completed_at=now - dt.timedelta(days=10))
    course = CourseFactory(patient=patient, started_on=timezone.localdate() - dt.timedelta(days=20))
    for days in (20, 15, 10, 5):
        given_session(course, now - dt.timedelta(days=days))

    log_in(page, "rn", TEST_PASSWORD)
    page.goto(patient.get_absolute_url())
    page.get_by_role("button", name="New questionnaire").click()
    page.get_by_role("link", name=re.compile("PHQ-9")).click()
    for number, answer in enumerate(PHQ9_ANSWERS[:-1], start=1):  # the patient skips question 9 at first
        page.locator(f"#question-{number}").get_by_text(answer, exact=True).click()
    page.get_by_role("button", name="Submit").click()
    assert "1 question(s) not answered (9)" in page.get_by_test_id("form-errors").inner_text()
    assert page.locator("#question-1 input:checked").count() == 1  # nothing already answered is lost
    page.locator("#question-9").get_by_text(PHQ9_ANSWERS[-1], exact=True).click()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "questionnaire_form")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("hand the tablet back")).to_be_visible()
    saved = QuestionnaireResponse.objects.get(patient=patient, suicide_risk=True)
    assert (saved.total, saved.band) == (3, "minimal")
    page.goto(patient.get_absolute_url())
    expect(page.get_by_test_id("risk-alert")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    log_in(page, "md", TEST_PASSWORD)
    page.get_by_role("link", name="Alerts", exact=True).click()
    page.get_by_test_id("alert-queue").get_by_role("link", name="Assess").click()
    page.get_by_role("link", name="Record assessment").click()
    page.get_by_label("Assessment and action taken").fill("Seen today: passive thoughts, no plan; safety plan given.")
    page.get_by_role("button", name="Acknowledge and save").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("risk-acknowledged")).to_be_visible()

    page.goto(patient.get_absolute_url())
    assert page.get_by_test_id("risk-alert").count() == 0
    page.get_by_role("link", name="History and outcomes").click()
    page.wait_for_load_state("networkidle")
    status = page.get_by_test_id("response-status").inner_text()
    assert "PHQ-9" in status
    assert "Remission" in status  # 19 at baseline → 3 today
    assert "Baseline 19" in status
    drawn = page.evaluate("() => Boolean(Chart.getChart(document.getElementById('chart-score-phq9')))")
    assert drawn
    assert serious_accessibility_violations(page) == []
    screenshot(page, "patient_history")

    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("link", name=re.compile("Cohort outcomes")).click()
    assert "Treatment-resistant depression" in page.get_by_test_id("cohort-table").inner_text()
    screenshot(page, "cohort_report")
    with page.expect_download() as download_info:
        page.get_by_test_id("cohort-csv").click()
    content = Path(download_info.value.path()).read_text(encoding="utf-8")
    (row,) = list(csv.DictReader(io.StringIO(content)))
    assert (row["patients"], row["sessions"], row["remission_pct"]) == ("1", "4", "100.0")
    assert reverse("infusions:cohort_export") in download_info.value.url


SIZES = {"desktop": {"width": 1366, "height": 900}, "tablet": {"width": 820, "height": 1180}}


def test_history_and_cohort_report_say_what_is_not_evaluable_and_why(page):
    UserFactory(username="md2", first_name="Jordan", role=roles.CLINICIAN)
    patient = migraine_patient(latest_recorded=10)  # last month's diary kept on 10 days only
    base, latest = (
        at_local(month_back(3) + dt.timedelta(days=5), 10),
        at_local(month_back(1) + dt.timedelta(days=5), 10),
    )
    QuestionnaireFactory(patient=patient, instrument="hit6", total=45, completed_at=base, timepoint="baseline")
    QuestionnaireFactory(patient=patient, instrument="hit6", total=40, completed_at=latest)
    QuestionnaireFactory(patient=patient, instrument="midas", total=30, completed_at=base, timepoint="baseline")
    QuestionnaireFactory(patient=patient, instrument="midas", total=18, completed_at=latest)

    log_in(page, "md2", TEST_PASSWORD)
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.goto(reverse("infusions:patient_history", args=[patient.pk]))
        status = page.get_by_test_id("response-status")
        migraine = status.locator(".card", has_text="Monthly migraine days")
        assert "Not evaluable" in migraine.inner_text()
        assert f"{month_back(1):%b %Y} (latest): diary kept on 10 of" in migraine.inner_text()
        hit6 = status.locator(".card", has_text="HIT-6")
        assert "Baseline 45 is in the HIT-6 band “Little or no impact” (36–49)" in hit6.inner_text()
        assert "Response" in status.locator(".card", has_text="MIDAS").inner_text()  # 30 → 18: 40 %
        assert serious_accessibility_violations(page) == []
        screenshot(page, f"patient_history_not_evaluable_{size}")

        page.goto(f"{reverse('infusions:cohort_report')}?start={month_back(4)}&end={timezone.localdate()}")
        table = page.get_by_test_id("cohort-table")
        migraine_line = table.locator('tr[data-measure="migraine_days"]')
        assert migraine_line.get_by_test_id("evaluable").inner_text() == "0 of 1"
        assert (
            migraine_line.get_by_test_id("not-evaluable").inner_text()
            == "Not evaluable: latest month's diary too gappy (1)"
        )
        assert "baseline already in the normal range" in table.locator('tr[data-measure="hit6"]').inner_text()
        assert serious_accessibility_violations(page) == []
        screenshot(page, f"cohort_report_not_evaluable_{size}")
