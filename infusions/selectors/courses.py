"""Reads of a patient's courses: the course list, whether a course has lapsed (docs/clinical.md §9.8), and what front
desk is warned of when booking sessions (§2.1, §8.9)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Q
from django.utils import timezone

from infusions.choices import SessionStatus
from infusions.lifecycle import GIVEN_STATUSES
from infusions.models import InfusionSession, InfusionSettings, TreatmentCourse
from patients.due import asked_ahead, missing_baselines
from patients.models import Patient
from patients.models.readiness import booking_cautions as gate_cautions
from patients.models.readiness import latest_on_file


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


def booking_cautions(course: TreatmentCourse, starts: list[dt.datetime]) -> list[str]:
    """What front desk is warned of when booking ``course`` at ``starts`` (never a refusal): the screening clearance
    or treatment consent failing, or lapsing before one of the sessions; and, when none of the patient's infusions
    has been given yet, the baseline questionnaires not answered (docs/clinical.md §2.1, §8.9). Four queries at
    most, however many sessions."""
    if not starts:
        return []
    patient = course.patient
    days = sorted(timezone.localdate(start) for start in starts)
    screening, consent = latest_on_file(patient)
    cautions = gate_cautions(screening=screening, consent=consent, days=days)
    asked = asked_ahead(patient.primary_indication)
    if asked and not InfusionSession.objects.active().filter(patient=patient, status__in=GIVEN_STATUSES).exists():
        answered = (
            patient.questionnaires.active()
            .filter(instrument__in=[i.code for i in asked], completed_at__lt=min(starts))
            .values_list("instrument", flat=True)
        )
        missing = missing_baselines(patient.primary_indication, answered)
        if missing:
            names = " and ".join(i.name for i in missing)
            cautions.append(f"No baseline {names} before the first infusion: ask the patient to complete "
                            f"{'it' if len(missing) == 1 else 'them'} before they start.")  # fmt: skip
    return cautions
