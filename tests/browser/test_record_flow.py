"""Records that read like records (issue #17), in a real browser: the clinician about to sign sees the check-in,
pain, discharge, note and side effects on the chart (screenshots at desktop and tablet size); the printed record,
printed to PDF by Chromium, carries the patient, MRN and day and "Page x of y" on every page; and a side effect
opened from a vitals alert has the reading's time as its onset."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts import roles
from infusions import services
from infusions.models import VitalSign
from side_effects.models import SideEffectTerm
from tests.browser.conftest import SCREENSHOTS, log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, UserFactory
from tests.infusions.test_services import GOOD_VITALS, checked_in, earlier
from tests.infusions.test_signing import discharged, minutes
from tests.side_effects.factories import SideEffectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": (1366, 900), "tablet": (820, 1180)}
PAGE_OF = re.compile(r"Page (\d+) of (\d+)")


def pdf_text(pdf: bytes) -> list[str]:
    """The text of each page of ``pdf`` (poppler's pdftotext, installed with Chromium by `make browser-deps`)."""
    if not shutil.which("pdftotext"):  # as a missing Chromium (tests/browser/conftest.py): fatal only under CI
        message = "pdftotext is missing: run `make browser-deps` (apt-get install poppler-utils)."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    path = SCREENSHOTS / "session_record.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True)  # noqa: S603, S607
    return out.stdout.split("\f")[:-1]


def test_the_signer_reviews_and_the_printed_record_numbers_its_pages(page):
    nurse = UserFactory(username="rn", role=roles.NURSE)
    UserFactory(username="md", first_name="Jordan", last_name="Lee", role=roles.CLINICIAN)
    session = discharged(nurse)
    SideEffectFactory(patient=session.patient, session=session, term=SideEffectTerm.objects.get(name="Nausea"),
                      onset_at=minutes(30), grade=2, action_taken="paused", outcome="recovered",
                      resolved_at=minutes(40))  # fmt: skip
    log_in(page, "md", TEST_PASSWORD)
    page.goto(reverse("infusions:session_chart", kwargs={"pk": session.pk}))
    review = page.get_by_test_id("review-record")
    # In the signing column, above the signature (at tablet size, the one column's top).
    assert page.get_by_test_id("chart-actions").get_by_test_id("review-record").count() == 1
    assert "before 6/10 · after 2/10" in review.inner_text()
    assert "modified PADSS 10/10" in review.inner_text()
    assert "Nausea" in page.get_by_test_id("session-side-effects").inner_text()
    expect(page.get_by_test_id("sign-form")).to_be_visible()
    for name, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        review.scroll_into_view_if_needed()
        screenshot(page, f"review_column_{name}")
    assert serious_accessibility_violations(page) == []

    for n in range(40):  # a long observation: the record runs over more than one printed page
        VitalSign.objects.create(session=session, taken_at=minutes(6 + 2 * n), created_by=nurse, **GOOD_VITALS)
    page.goto(reverse("infusions:session_print", kwargs={"pk": session.pk}))
    pages = pdf_text(page.pdf(format="Letter"))
    assert len(pages) >= 2
    patient = session.patient
    for number, text in enumerate(pages, start=1):
        assert PAGE_OF.search(text).groups() == (str(number), str(len(pages)))
        assert f"MRN {patient.mrn}" in text
        assert patient.family_name in text
    assert "SIDE EFFECTS" in "".join(pages)  # the print sets its headings in capitals
    assert "Nausea" in "".join(pages)
    # The signature heading is on the same page as the signature under it.
    [signed_page] = [text for text in pages if "SIGNATURES" in text]
    assert "Not signed." in signed_page


def test_a_side_effect_from_a_vitals_alert_starts_at_the_readings_time(page):
    nurse = UserFactory(username="rn", role=roles.NURSE)
    session = checked_in(nurse)
    reading = services.session_record_vitals(session=session, by=nurse, taken_at=earlier() + dt.timedelta(minutes=20),
                                             **{**GOOD_VITALS, "systolic": 185})  # fmt: skip
    log_in(page, "rn", TEST_PASSWORD)
    page.goto(reverse("infusions:session_chart", kwargs={"pk": session.pk}))
    page.get_by_test_id("open-alerts").get_by_test_id("report-alert").click()
    onset = page.get_by_label("Onset")
    assert onset.input_value() == timezone.localtime(reading.taken_at).strftime("%Y-%m-%dT%H:%M")
    assert page.get_by_label("Term").locator("option:checked").inner_text() == "Hypertension"
    assert onset.is_editable()
