"""Reads of a patient's courses: the course list, and whether a course has lapsed (docs/clinical.md §9.8)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q
from django.utils import timezone

from infusions.choices import SessionStatus
from infusions.models import InfusionSettings, TreatmentCourse
from patients.models import Patient


def patient_courses(patient: Patient) -> list[TreatmentCourse]:
    """The patient's courses, each with ``done`` (signed sessions) and ``is_lapsed``, in three queries."""
    courses = list(
        TreatmentCourse.objects.filter(patient=patient)
        .select_related("protocol", "prescriber")
        .with_last_session()
        .annotate(done=Count("sessions", filter=Q(sessions__status=SessionStatus.SIGNED)))
    )
    mark_lapsed(courses)
    return courses


def mark_lapsed(courses: Iterable[TreatmentCourse]) -> None:
    """Set ``is_lapsed`` on courses read ``with_last_session()``, for the templates."""
    days, today = InfusionSettings.current().course_lapse_days, timezone.localdate()
    for course in courses:
        course.is_lapsed = course.lapsed(today, days)  # type: ignore[attr-defined]
