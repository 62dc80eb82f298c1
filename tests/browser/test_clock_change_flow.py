"""The night the clocks go forward, at the chair (docs/clinical.md §12): a vitals time in the skipped hour is
refused next to its field and nothing is saved; the nurse corrects it and the set is charted. Tablet size."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic.accounts import roles
from infusions.models import VitalSign
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.clock import travel
from tests.factories import TEST_PASSWORD, UserFactory
from tests.infusions.test_services import started

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AFTER_THE_CLOCKS_WENT_FORWARD = "2027-03-14T03:20:00-04:00"  # 02:00-02:59 did not happen that night


@pytest.fixture
def spring_forward_night():
    with travel(AFTER_THE_CLOCKS_WENT_FORWARD) as moment:
        yield moment


def test_a_vitals_time_in_the_skipped_hour_is_refused_next_to_its_field_then_corrected(page, spring_forward_night):
    nurse = UserFactory(username="rn_night", role=roles.NURSE)
    session = started(nurse)
    before = VitalSign.objects.filter(session=session).count()
    page.set_viewport_size({"width": 820, "height": 1180})
    log_in(page, "rn_night", TEST_PASSWORD)
    page.goto(session.get_absolute_url())

    form = page.get_by_test_id("vitals-form")
    time_field = form.locator('input[name="taken_at"]')
    time_field.fill("2027-03-14T02:30")
    for label, value in [("Systolic", "124"), ("Diastolic", "78"), ("HR", "72"), ("SpO₂ %", "98"), ("RR", "14"),
                         ("MOAA/S", "5")]:  # fmt: skip
        form.get_by_label(label).fill(value)
    form.get_by_role("button", name="Record vitals").click()
    page.wait_for_load_state("networkidle")

    form = page.get_by_test_id("vitals-form")
    message = "02:30 did not happen on 14 Mar 2027: the clocks went forward an hour that night."
    assert message in form.inner_text()
    assert form.locator('input[name="taken_at"]').get_attribute("class").count("is-invalid") == 1
    assert VitalSign.objects.filter(session=session).count() == before
    screenshot(page, "vitals_skipped_hour_tablet")
    assert serious_accessibility_violations(page) == []

    form.locator('input[name="taken_at"]').fill("2027-03-14T03:15")
    form.get_by_role("button", name="Record vitals").click()
    page.wait_for_load_state("networkidle")
    saved = VitalSign.objects.filter(session=session).latest("id")
    assert VitalSign.objects.filter(session=session).count() == before + 1
    assert saved.taken_at == dt.datetime(2027, 3, 14, 7, 15, tzinfo=dt.UTC)
