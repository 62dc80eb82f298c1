"""What front desk is warned of when booking (issue #18, docs/clinical.md §2.1 and §8.9): a screening clearance or
consent that fails on the first session or lapses before a later one, and baselines missing before the first
infusion. Warnings only: nothing here refuses a booking. Dates are fixed, so the result does not depend on the day
the suite runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from infusions.choices import SessionStatus
from infusions.selectors.courses import booking_cautions
from tests.infusions.factories import CourseFactory, SessionFactory
from tests.patients.factories import ClearedScreeningFactory, ConsentFactory, QuestionnaireFactory, ScreeningFactory

pytestmark = pytest.mark.django_db

SIGNED = dt.date(2026, 3, 1)


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def series(first: dt.date, n: int = 6) -> list[dt.datetime]:
    return [at(first + dt.timedelta(days=2 * k)) for k in range(n)]


@pytest.fixture
def course():
    """A depression patient cleared and consented until 1 Mar 2027, with both baselines answered."""
    course = CourseFactory()
    ClearedScreeningFactory(patient=course.patient, screened_on=SIGNED)
    ConsentFactory(patient=course.patient, signed_on=SIGNED)
    for instrument in ("phq9", "gad7"):
        QuestionnaireFactory(patient=course.patient, instrument=instrument, total=14,
                             completed_at=at(SIGNED))  # fmt: skip
    return course


def test_a_patient_in_order_for_every_session_gets_no_caution(course):
    assert booking_cautions(course, series(dt.date(2027, 2, 1))) == []


def test_a_consent_and_clearance_lapsing_before_a_later_session_name_that_session_and_the_expiry(course):
    cautions = booking_cautions(course, series(dt.date(2027, 2, 22)))
    assert cautions == [
        "By the session of Tue 2 Mar, the screening clearance will have expired (1 Mar 2027): repeat the screening "
        "before then.",
        "By the session of Tue 2 Mar, the treatment consent will have expired (1 Mar 2027): record a new consent "
        "before then.",
    ]


def test_the_expiry_day_itself_is_still_covered(course):
    assert booking_cautions(course, [at(dt.date(2027, 3, 1))]) == []


def test_a_gate_failing_on_the_first_session_says_what_to_do():
    course = CourseFactory()
    ScreeningFactory(patient=course.patient, screened_on=SIGNED)  # pending review
    cautions = booking_cautions(course, series(dt.date(2026, 4, 1), n=2))
    assert cautions[:2] == [
        "For the session of Wed 1 Apr: The screening of 1 Mar 2026 is waiting for a clinician's review.",
        "For the session of Wed 1 Apr: No signed treatment consent on file: record the patient's signed consent.",
    ]


def test_missing_baselines_are_named_before_the_first_infusion_only(course):
    course.patient.questionnaires.filter(instrument="gad7").update(completed_at=at(dt.date(2026, 5, 1)))
    first = [at(dt.date(2026, 4, 1))]  # the GAD-7 was answered after this session: not a baseline
    assert booking_cautions(course, first) == [
        "No baseline GAD-7 before the first infusion: ask the patient to complete it before they start."
    ]
    SessionFactory(course=course, status=SessionStatus.DISCHARGED, scheduled_for=at(dt.date(2026, 3, 20)))
    assert booking_cautions(course, first) == []  # treatment has begun: a baseline can no longer be taken


def test_a_patient_asked_nothing_ahead_has_no_baseline_caution():
    course = CourseFactory(patient__primary_indication="crps")
    ClearedScreeningFactory(patient=course.patient, screened_on=SIGNED)
    ConsentFactory(patient=course.patient, signed_on=SIGNED)
    assert booking_cautions(course, [at(dt.date(2026, 4, 1))]) == []
