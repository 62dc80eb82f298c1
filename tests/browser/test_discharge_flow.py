"""Discharge reads the recorded vitals: a nurse cannot discharge a patient whose last blood pressure is 190/110 (the
vital-signs item is computed, not typed); a clinician overrides with a reason once a recheck settles; the chart and the
print show the override (issue #16 point 3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.accounts import roles
from infusions import services
from infusions.models import InfusionSession
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, UserFactory
from tests.infusions.test_services import GOOD_VITALS, started

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def observing_with_high_pressure(nurse) -> InfusionSession:
    """Stopped 70 minutes ago; the last set, two minutes ago, reads 190/110."""
    session = started(nurse)  # started at earlier() + 5 min, six hours ago
    session = services.session_end_infusion(session=session, by=nurse, at=timezone.now() - dt.timedelta(minutes=70))
    services.session_record_vitals(session=session, by=nurse, taken_at=timezone.now() - dt.timedelta(minutes=2),
                                   **{**GOOD_VITALS, "systolic": 190, "diastolic": 110})  # fmt: skip
    return session


def try_discharge(page) -> None:
    form = page.get_by_test_id("discharge-form")
    for radio in form.get_by_role("radio", name="2").all():
        radio.check()
    form.get_by_label("Escort is here").check()
    form.get_by_label("After-care instructions given").check()
    form.get_by_role("button", name="Discharge").click()
    page.wait_for_load_state("networkidle")


def test_high_vitals_block_discharge_until_a_clinician_overrides(page):
    nurse = UserFactory(username="rn", first_name="Sam", role=roles.NURSE)
    UserFactory(username="md", first_name="Jordan", role=roles.CLINICIAN)
    session = observing_with_high_pressure(nurse)
    chart = reverse("infusions:session_chart", kwargs={"pk": session.pk})

    log_in(page, "rn", TEST_PASSWORD)
    page.goto(chart)
    assert "0: largest change systolic 124 → 190" in page.get_by_test_id("padss-vitals").inner_text()
    assert page.get_by_test_id("discharge-override-form").count() == 0  # nurses cannot override
    try_discharge(page)
    assert "Not yet: 4 open vitals alerts" in page.get_by_test_id("discharge-form").inner_text()
    assert "Open vitals alert: Systolic 190 mmHg" in page.get_by_test_id("discharge-problems").inner_text()
    session.refresh_from_db()
    assert session.status == "observing"
    assert serious_accessibility_violations(page) == []
    page.get_by_test_id("discharge-form").scroll_into_view_if_needed()
    screenshot(page, "discharge_blocked")
    # A recheck: 168/92 (above the 165 alert line, +35 % on the baseline: the item scores 1, total 9).
    services.session_record_vitals(session=session, by=nurse, **{**GOOD_VITALS, "systolic": 168, "diastolic": 92})
    page.get_by_role("button", name="Sign out").click()

    log_in(page, "md", TEST_PASSWORD)
    page.goto(chart)
    override = page.get_by_test_id("discharge-override-form")
    override.get_by_label("Why the patient is safe to leave").fill(
        "Known hypertensive, 168/92 is her usual; no symptoms"
    )
    override.get_by_role("button", name="Override (clinician)").click()
    page.wait_for_load_state("networkidle")
    assert "Overridden by Jordan" in page.get_by_test_id("discharge-problems").inner_text()
    page.get_by_role("button", name="Sign out").click()

    log_in(page, "rn", TEST_PASSWORD)
    page.goto(chart)
    try_discharge(page)
    assert "Discharged" in page.get_by_test_id("session-status").inner_text()
    assert "Discharged despite the vitals check" in page.get_by_test_id("discharge-override").inner_text()
    session.refresh_from_db()
    assert (session.padss_vitals, session.padss_total) == (1, 9)
    page.goto(reverse("infusions:session_print", kwargs={"pk": session.pk}))
    assert "discharged despite the vitals check" in page.content()
