"""Courses have a lifecycle (issue #16 point 5; infusions/courses.py, docs/clinical.md §9.8): clinicians move a course
to maintenance, complete it or stop it with a coded reason; an open course with no session for a while is lapsed."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from infusions import services
from infusions.choices import CourseStatus, SessionStatus
from infusions.courses import is_lapsed
from infusions.models import InfusionSettings, TreatmentCourse
from tests.clock import t0
from tests.infusions.factories import CourseFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_lapsed_at_its_bound():
    today = t0().date()
    start = today - dt.timedelta(days=200)
    on = {"is_open": True, "started_on": start, "today": today, "lapse_days": 60}
    assert not is_lapsed(last_session_on=today - dt.timedelta(days=60), **on)
    assert is_lapsed(last_session_on=today - dt.timedelta(days=61), **on)
    assert is_lapsed(last_session_on=None, **on)  # counted from the start
    assert not is_lapsed(last_session_on=today + dt.timedelta(days=7), **on)  # a booking ahead keeps it current
    assert not is_lapsed(**{**on, "is_open": False}, last_session_on=None)


def test_a_clinician_moves_a_course_to_maintenance_then_completes_it(clinician):
    course = CourseFactory()
    course = services.course_to_maintenance(course=course, by=clinician)
    assert (course.status, course.maintenance_since) == (CourseStatus.MAINTENANCE, timezone.localdate())
    with pytest.raises(ValidationError, match="already in maintenance"):
        services.course_to_maintenance(course=course, by=clinician)
    course = services.course_complete(course=course, by=clinician, note="Six infusions, PHQ-9 down by half")
    assert (course.status, course.ended_on, course.ended_by) == (
        CourseStatus.COMPLETED,
        timezone.localdate(),
        clinician,
    )
    with pytest.raises(ValidationError, match="already ended"):
        services.course_stop(course=course, by=clinician, reason_code="cost")


def test_stopping_needs_a_coded_reason_and_other_needs_words_and_cancels_bookings(clinician):
    course = CourseFactory()
    booked = SessionFactory(course=course, scheduled_for=timezone.now() + dt.timedelta(days=3))
    with pytest.raises(ValidationError) as no_code:
        services.course_stop(course=course, by=clinician, reason_code="")
    assert "reason_code" in no_code.value.message_dict
    with pytest.raises(ValidationError) as no_words:
        services.course_stop(course=course, by=clinician, reason_code="other", note="")
    assert "note" in no_words.value.message_dict
    course = services.course_stop(course=course, by=clinician, reason_code="no_response", note="PHQ-9 unchanged")
    assert (course.status, course.stop_reason_code, course.stop_reason) == ("stopped", "no_response", "PHQ-9 unchanged")
    booked.refresh_from_db()
    assert (booked.status, booked.cancel_reason) == (SessionStatus.CANCELLED,
                                                     "Course stopped: no response (PHQ-9 unchanged)")  # fmt: skip


def test_the_end_date_cannot_be_in_the_future_or_before_the_start(clinician):
    course = CourseFactory(started_on=timezone.localdate() - dt.timedelta(days=10))
    for day in (timezone.localdate() + dt.timedelta(days=1), timezone.localdate() - dt.timedelta(days=11)):
        with pytest.raises(ValidationError) as refused:
            services.course_complete(course=course, by=clinician, on=day)
        assert "ended_on" in refused.value.message_dict
    assert TreatmentCourse.objects.get(pk=course.pk).status == CourseStatus.INDUCTION


# Pages -------------------------------------------------------------------------------------------------------------


def post(client, course, action, data):
    return client.post(reverse(f"infusions:course_{action}", args=[course.pk]), data)


def test_clinicians_end_a_course_from_its_page_and_nurses_cannot(clinician_client, nurse_client):
    course = CourseFactory()
    assert post(nurse_client, course, "stop", {"reason_code": "cost"}).status_code == HTTPStatus.FORBIDDEN
    page = post(clinician_client, course, "stop", {"reason_code": "other", "ended_on": timezone.localdate()})
    assert page.status_code == HTTPStatus.OK
    assert page.context["forms"]["stop"].errors["note"] == ["Say what the other reason is."]
    done = post(clinician_client, course, "stop", {"reason_code": "side_effects", "ended_on": timezone.localdate()})
    assert done.status_code == HTTPStatus.FOUND
    course.refresh_from_db()
    assert (course.status, course.stop_reason_code) == ("stopped", "side_effects")
    detail = clinician_client.get(reverse("infusions:course_detail", args=[course.pk]))
    assert detail.context["forms"] == {}  # an ended course offers nothing more
    assert "Side effects" in detail.content.decode()
    assert 'data-testid="course-actions"' not in nurse_client.get(course.get_absolute_url()).content.decode()


def test_a_course_with_no_recent_session_shows_as_lapsed(clinician_client):
    old = timezone.now() - dt.timedelta(days=62)  # 61 or 62 local days ago, depending on the hour: over 60 either way
    course = CourseFactory(started_on=timezone.localdate(old))
    SessionFactory(course=course, scheduled_for=old, status=SessionStatus.DISCHARGED)
    listing = clinician_client.get(reverse("infusions:course_list", args=[course.patient.pk]))
    assert listing.context["courses"][0].is_lapsed
    assert 'data-testid="course-lapsed"' in listing.content.decode()
    InfusionSettings.objects.filter(pk=1).update(course_lapse_days=90)
    detail = clinician_client.get(reverse("infusions:course_detail", args=[course.pk]))
    assert not detail.context["course"].is_lapsed
