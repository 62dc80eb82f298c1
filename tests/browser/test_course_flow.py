"""A clinician moves a course to maintenance and later stops it for no response, from the patient's courses; the
session still booked is cancelled and the course shows why it ended (issue #16 point 5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.accounts import roles
from infusions.choices import SessionStatus
from infusions.models import TreatmentCourse
from tests.browser.conftest import log_in, screenshot, serious_accessibility_violations
from tests.factories import TEST_PASSWORD, UserFactory
from tests.infusions.factories import CourseFactory, SessionFactory
from tests.infusions.test_services import ready_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clinician_moves_a_course_to_maintenance_then_stops_it(page):
    UserFactory(username="md", first_name="Jordan", role=roles.CLINICIAN)
    course = CourseFactory(patient=ready_patient(), started_on=timezone.localdate() - dt.timedelta(days=20))
    booked = SessionFactory(course=course, scheduled_for=timezone.now() + dt.timedelta(days=2))
    log_in(page, "md", TEST_PASSWORD)
    page.goto(reverse("patients:patient_detail", kwargs={"pk": course.patient.pk}))
    page.get_by_role("link", name="Courses and sessions").click()
    page.get_by_role("link", name=str(course.protocol)).click()

    actions = page.get_by_test_id("course-actions")
    actions.locator("summary", has_text="Move to maintenance").click()
    actions.get_by_role("button", name="Move to maintenance").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("course-status").inner_text() == "Maintenance"

    actions = page.get_by_test_id("course-actions")
    actions.locator("summary", has_text="Stop the course").click()
    actions.get_by_label("Other").check()
    actions.get_by_role("button", name="Stop the course").click()
    page.wait_for_load_state("networkidle")
    assert "Say what the other reason is." in page.get_by_test_id("course-stop-form").inner_text()
    assert serious_accessibility_violations(page) == []
    page.get_by_test_id("course-actions").scroll_into_view_if_needed()
    screenshot(page, "course_stop_refused")

    form = page.get_by_test_id("course-stop-form")
    form.get_by_label("No response").check()
    form.get_by_label("Note").fill("MADRS unchanged after six infusions")
    form.get_by_role("button", name="Stop the course").click()
    page.wait_for_load_state("networkidle")
    assert "Course stopped" in page.get_by_role("alert").first.inner_text()
    assert "No response: MADRS unchanged after six infusions" in page.locator("h2.h4").inner_text()
    assert page.get_by_test_id("course-actions").count() == 0
    assert serious_accessibility_violations(page) == []
    for name, size in (("desktop", {"width": 1366, "height": 900}), ("tablet", {"width": 820, "height": 1180})):
        page.set_viewport_size(size)
        screenshot(page, f"course_stopped_{name}")
    booked.refresh_from_db()
    assert booked.status == SessionStatus.CANCELLED
    assert booked.cancel_reason == "Course stopped: no response (MADRS unchanged after six infusions)"
    assert TreatmentCourse.objects.get(pk=course.pk).stop_reason_code == "no_response"
