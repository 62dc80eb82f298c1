"""Demo outcome questionnaires for ``seed_demo``: made-up scores that give the history charts and the cohort report
something to show: responders, partial responders, non-responders and drop-outs.

Each demo course gets a trajectory. Its patient fills in a baseline a few days before the first infusion (marked
baseline) and a form at check-in of each infusion given; the scores move from the baseline towards the trajectory's
end point with a little noise. Everything goes through ``patients.services.questionnaire_record`` so scoring, bands
and the PHQ-9 item 9 alert are computed exactly as in the clinic.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from clinic.services import record_void
from infusions import services
from infusions.choices import CourseStopReason
from infusions.lifecycle import GIVEN_STATUSES
from infusions.models import TreatmentCourse
from patients.choices import DEPRESSION_INDICATIONS, HEADACHE_INDICATIONS
from patients.models import QuestionnaireResponse, Timepoint
from patients.scoring import INSTRUMENTS
from patients.services import questionnaire_acknowledge_risk, questionnaire_record

# Share of the baseline left at the end of the course, per trajectory.
TRAJECTORIES = {"responder": 0.25, "partial": 0.6, "non_responder": 0.95, "drop_out": 0.9}
ORDER = ["responder", "partial", "non_responder", "drop_out", "responder", "drop_out", "partial"]
# (instrument, baseline low, baseline high) per kind of indication
MEASURES = {
    "depression": [("phq9", 16, 23), ("gad7", 11, 17)],
    "headache": [("nrs_pain", 6, 8), ("hit6", 62, 70), ("midas", 24, 45)],
    "pain": [("nrs_pain", 6, 9)],
}
CLINICIAN_MEASURES = {"depression": [("madrs", 28, 36)]}
DROP_OUT_REASON = "Stopped attending after the early sessions; did not wish to continue (demo)."
RISK_ACTION = "Seen the same day: passive thoughts, no plan or intent. Safety plan reviewed, crisis line given."


def answers_for(instrument: str, total: int, rng: random.Random, *, item9: int = 0) -> dict[str, int]:
    """Answers adding up to ``total``, spread over the items; the suicide item (PHQ-9 item 9, MADRS item 10) is fixed
    to ``item9``, so that the demo opens only the alerts ``_risk_alerts`` means to."""
    definition = INSTRUMENTS[instrument]
    risk_key = definition.risk_item.key if definition.risk_item else None
    items = [i for i in definition.scored_items if i.key != risk_key]
    answers = {i.key: min(i.allowed) for i in items}
    remaining = total - sum(answers.values()) - item9
    while remaining > 0:
        raisable = [i for i in items if any(v > answers[i.key] and v - answers[i.key] <= remaining for v in i.allowed)]
        if not raisable:
            break
        item = rng.choice(raisable)
        step = min(v for v in item.allowed if v > answers[item.key]) - answers[item.key]
        answers[item.key] += step
        remaining -= step
    if risk_key:
        answers[risk_key] = item9
    return answers


def _kind(indication: str) -> str:
    if indication in DEPRESSION_INDICATIONS:
        return "depression"
    return "headache" if indication in HEADACHE_INDICATIONS else "pain"


def seed_outcomes(*, rng: random.Random, nurse: Any, clinician: Any) -> str:
    courses = list(TreatmentCourse.objects.select_related("patient", "protocol").order_by("pk"))
    today_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    stopped = 0
    for index, course in enumerate(courses):
        trajectory = ORDER[index % len(ORDER)]
        given = list(
            course.sessions.filter(status__in=GIVEN_STATUSES, started_at__lt=today_start).order_by("started_at")
        )
        if not given:
            continue
        kind = _kind(course.patient.primary_indication)
        baseline_at = timezone.localtime(given[0].started_at) - dt.timedelta(days=rng.randint(3, 8))
        measures = [(m, nurse) for m in MEASURES[kind]] + [(m, clinician) for m in CLINICIAN_MEASURES.get(kind, [])]
        for (instrument, low, high), by in measures:
            definition = INSTRUMENTS[instrument]
            baseline = rng.randint(low, high)
            floor = definition.min_score
            end = floor + (baseline - floor) * TRAJECTORIES[trajectory]
            points = [(baseline_at, baseline, Timepoint.BASELINE)]
            for n, session in enumerate(given[1:], start=1):
                share = n / max(len(given) - 1, 1)
                value = baseline + (end - baseline) * share + rng.uniform(-1.5, 1.5)
                value = round(min(max(value, floor), definition.max_score))
                points.append(
                    (timezone.localtime(session.started_at) - dt.timedelta(minutes=20), value, Timepoint.PRE_SESSION)
                )
            if instrument == "madrs":
                points = [points[0], points[-1]] if len(points) > 1 else points
            for at, total, timepoint in points:
                questionnaire_record(
                    patient=course.patient,
                    instrument=instrument,
                    answers=answers_for(instrument, total, rng),
                    by=by,
                    completed_at=at,
                    timepoint=timepoint,
                )
        if trajectory == "drop_out" and not course.sessions.filter(scheduled_for__gte=today_start).exists():
            services.course_stop(course=course, by=clinician, reason_code=CourseStopReason.PATIENT_CHOICE,
                                 note=DROP_OUT_REASON)  # fmt: skip
            stopped += 1
    alerts = _risk_alerts(rng, nurse, clinician)
    count = QuestionnaireResponse.objects.count()
    return f"{count} questionnaires ({alerts} suicide-risk alerts, one left open), {stopped} courses dropped out"


def _risk_alerts(rng: random.Random, nurse: Any, clinician: Any) -> int:
    """Two depression patients still scoring 10 or more answer PHQ-9 question 9 above 0 at their latest visit, with
    the same total as before (the alert does not change their trajectory): one assessed, one left open."""
    latest = (
        QuestionnaireResponse.objects.filter(instrument="phq9", total__gte=10)
        .order_by("patient_id", "-completed_at")
        .distinct("patient_id")
    )
    chosen = sorted(latest, key=lambda q: q.completed_at, reverse=True)[:2]
    for n, previous in enumerate(chosen):
        response = questionnaire_record(
            patient=previous.patient,
            instrument="phq9",
            answers=answers_for("phq9", previous.total, rng, item9=1),
            by=nurse,
            completed_at=previous.completed_at + dt.timedelta(minutes=2),
            timepoint=previous.timepoint,
            note="Filled in again at check-in after a question was skipped on the first form.",
        )
        record_void(record=previous, by=nurse, reason="Question 9 was skipped; the form was filled in again.")
        if n == 1:
            questionnaire_acknowledge_risk(response=response, by=clinician, action=RISK_ACTION)
    return len(chosen)
