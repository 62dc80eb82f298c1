"""Courses and sessions: every state change and every dose decision happens here, atomically, or not at all.

Session states: scheduled → checked in → infusing → observing → discharged → signed; scheduled or checked in →
cancelled / no-show. Each transition checks its preconditions and refuses with a sentence naming what is missing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.accounts.models import User
from clinic.concurrency import VersionCheck, check_version
from clinic.services import record_save, second_person_check
from clinic.signatures.models import meaning_text
from clinic.signatures.services import Reauthentication, require_reauthentication, signature_create
from infusions import hooks, lifecycle
from infusions.checkin import ESCORT_NAME_NEEDED, ESCORT_PHONE_NEEDED, pregnancy_test_applies
from infusions.choices import CourseStatus, CourseStopReason, Fasting, PregnancyCheck, SessionStatus
from infusions.discharge import VitalSignsItem, VitalsProblems, discharge_vitals_problems, padss_vital_signs
from infusions.dosing import (
    better_preparation,
    calculate,
    check_dose,
    rate_segments,
    rounding_problem,
    total_mg,
    volume_is_unusual,
    weight_change_problem,
)
from infusions.models import (
    Addendum,
    DrugPreparation,
    InfusionSession,
    InfusionSettings,
    Protocol,
    RateChange,
    SessionMedication,
    TreatmentCourse,
    VitalSign,
    VitalThresholdSettings,
)
from infusions.models.session import PADSS_FIT, PADSS_ITEMS
from infusions.signing import (
    ADDENDUM_STATEMENT,
    SESSION_STATEMENTS,
    SignatureMeaning,
    session_sign_meanings,
)
from infusions.timing import charted_time_problem, to_the_minute
from infusions.vitals import VitalsReading, evaluate, evaluate_predose
from patients.models import BodyMeasurement, Patient, QuestionnaireResponse
from patients.models.background import WEIGHT_KG_MAX, WEIGHT_KG_MIN

SECOND_CHECK_NEEDED = "{reason} Enter a second staff member's username and password to confirm."
SECOND_CHECKER_SAME = "The second check must be done by another member of staff."
SECOND_CHECK_PERMISSION = "infusions.change_infusionsession"  # a nurse or clinician who may chart the session


def _refuse(message: str, field: str | None = None) -> ValidationError:
    return ValidationError({field: message} if field else message)


def _locked(session: InfusionSession) -> InfusionSession:
    """Re-read the session under a row lock, so two nurses cannot move it at once."""
    locked: InfusionSession = (
        InfusionSession.objects.select_for_update(of=("self",))
        .select_related("course__protocol", "patient")
        .get(pk=session.pk)
    )
    return locked


COURSE_ENDED = "Cannot {action}: the course has ended ({status})."


def _require_open_course(session: InfusionSession, action: str) -> None:
    course = session.course
    if course.is_voided or course.status in (CourseStatus.COMPLETED, CourseStatus.STOPPED):
        raise _refuse(COURSE_ENDED.format(action=action, status=course.get_status_display().lower()))


def _save(session: InfusionSession, by: User) -> InfusionSession:
    return record_save(record=session, by=by)


def _charted_at(at: dt.datetime | None, *, not_before: dt.datetime | None, after_what: str, field: str) -> dt.datetime:
    """The time something happened at the chair: ``at`` (default now), refused in the future or before
    ``not_before`` (infusions.timing, docs/clinical.md §12)."""
    now = timezone.now()
    at = to_the_minute(at or now, not_before)
    problem = charted_time_problem(at, now=now, not_before=not_before, after_what=after_what)
    if problem:
        raise _refuse(problem, field)
    return at


def _rounding_limit() -> Decimal:
    return InfusionSettings.current().rate_rounding_limit_percent / 100


# Courses ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def course_create(
    *,
    patient: Patient,
    protocol: Protocol,
    prescriber: User,
    ordered_dose: Decimal,
    ordered_max: Decimal,
    planned_sessions: int,
    by: User,
    started_on: dt.date | None = None,
) -> TreatmentCourse:
    """A clinician's order: a starting dose and a patient maximum within the protocol's hard maximum."""
    course = TreatmentCourse(
        patient=patient,
        protocol=protocol,
        prescriber=prescriber,
        ordered_dose=ordered_dose,
        ordered_max=ordered_max,
        planned_sessions=planned_sessions,
        started_on=started_on or timezone.localdate(),
    )
    return record_save(record=course, by=by)


def _open_course(course: TreatmentCourse) -> TreatmentCourse:
    course = TreatmentCourse.objects.select_for_update().get(pk=course.pk)
    if course.is_voided or course.status in (CourseStatus.COMPLETED, CourseStatus.STOPPED):
        raise _refuse("This course has already ended.")
    return course


def _end_course(course: TreatmentCourse, by: User, status: str, on: dt.date | None) -> TreatmentCourse:
    """Close the course on ``on`` (today by default) and cancel what is still booked under it."""
    on = on or timezone.localdate()
    if on > timezone.localdate() or on < course.started_on:
        raise _refuse("The end date must be between the course's start and today.", "ended_on")
    course.status, course.ended_on, course.ended_by = status, on, by
    course = record_save(record=course, by=by)
    label = course.get_status_display().lower()
    why = f": {course.get_stop_reason_code_display().lower()}" if course.stop_reason_code else ""
    why += f" ({course.stop_reason})" if course.stop_reason else ""
    for session in course.sessions.active().filter(status__in=[SessionStatus.SCHEDULED, SessionStatus.CHECKED_IN]):
        session_cancel(session=session, by=by, reason=f"Course {label}{why}")
    return course


@transaction.atomic
def course_complete(*, course: TreatmentCourse, by: User, note: str = "", on: dt.date | None = None) -> TreatmentCourse:
    """The course is over as planned (docs/clinical.md §9.8)."""
    course = _open_course(course)
    course.stop_reason = note.strip()
    return _end_course(course, by, CourseStatus.COMPLETED, on)


@transaction.atomic
def course_stop(
    *, course: TreatmentCourse, by: User, reason_code: str, note: str = "", on: dt.date | None = None
) -> TreatmentCourse:
    """The course ends before its plan, with the reason the cohort report counts (CourseStopReason)."""
    course = _open_course(course)
    if reason_code not in CourseStopReason.values:
        raise _refuse("Choose why the course stopped.", "reason_code")
    if reason_code == CourseStopReason.OTHER and len(note.strip()) < 3:
        raise _refuse("Say what the other reason is.", "note")
    course.stop_reason_code, course.stop_reason = reason_code, note.strip()
    return _end_course(course, by, CourseStatus.STOPPED, on)


@transaction.atomic
def course_to_maintenance(*, course: TreatmentCourse, by: User, on: dt.date | None = None) -> TreatmentCourse:
    """Induction is over: the course goes on as maintenance infusions."""
    course = _open_course(course)
    if course.status != CourseStatus.INDUCTION:
        raise _refuse("This course is already in maintenance.")
    course.status, course.maintenance_since = CourseStatus.MAINTENANCE, on or timezone.localdate()
    return record_save(record=course, by=by)


# Scheduling and check-in -----------------------------------------------------------------------------------------


@transaction.atomic
def session_schedule(
    *, course: TreatmentCourse, scheduled_for: dt.datetime, chair: str, by: User, nurse: User | None = None
) -> InfusionSession:
    if course.status in (CourseStatus.COMPLETED, CourseStatus.STOPPED) or course.is_voided:
        raise _refuse("This course has ended: start a new course to book more sessions.")
    session = InfusionSession(
        course=course, patient_id=course.patient_id, scheduled_for=scheduled_for, chair=chair.strip(), nurse=nurse
    )
    return _save(session, by)


@transaction.atomic
def session_check_in(
    *,
    session: InfusionSession,
    by: User,
    escort_name: str,
    escort_phone: str,
    fasting: str,
    pregnancy_check: str,
    at: dt.datetime | None = None,
) -> InfusionSession:
    """The patient is in the clinic: escort with a phone number, fasting and pregnancy questions
    (docs/clinical.md §2.2, §2.3)."""
    session = _locked(session)
    lifecycle.require(session, "check_in")
    _require_open_course(session, "check in")
    errors: dict[str, str] = {}
    if not escort_name.strip():
        errors["escort_name"] = ESCORT_NAME_NEEDED
    if not escort_phone.strip():
        errors["escort_phone"] = ESCORT_PHONE_NEEDED
    if fasting not in Fasting.values:
        errors["fasting"] = "Record the fasting status."
    if pregnancy_check not in PregnancyCheck.values:
        errors["pregnancy_check"] = "Answer the pregnancy question (or not applicable)."
    else:
        patient = session.patient
        age = patient.age_on(timezone.localdate())
        if pregnancy_check == PregnancyCheck.NOT_APPLICABLE and pregnancy_test_applies(patient.sex, age):
            errors["pregnancy_check"] = (
                f"The pregnancy question applies ({patient.get_sex_display().lower()}, {age} years): record the "
                "test result or what the patient says."
            )
    if errors:
        raise ValidationError(errors)
    session.escort_name, session.escort_phone = escort_name.strip(), escort_phone.strip()
    session.fasting, session.pregnancy_check = fasting, pregnancy_check
    lifecycle.advance(session, "check_in")
    session.checked_in_at = at or timezone.now()
    session.nurse = session.nurse or by
    return _save(session, by)


@transaction.atomic
def session_cancel(*, session: InfusionSession, by: User, reason: str, no_show: bool = False) -> InfusionSession:
    session = _locked(session)
    lifecycle.require(session, "cancel")
    if len(reason.strip()) < 3:
        raise _refuse("Give the reason.", "reason")
    session.status = SessionStatus.NO_SHOW if no_show else SessionStatus.CANCELLED
    session.cancel_reason = reason.strip()
    session = _save(session, by)
    hooks.session_cancelled(session, by)  # the schedule frees the chair at once
    return session


# Dose ------------------------------------------------------------------------------------------------------------


def _check_second(by: User, second_checker: User | None, password: str | None, reason: str) -> User:
    """The second check of a dose or rate outside the usual range: another nurse or clinician, present, who types
    their own password (verified here, by ``clinic.services.second_person_check``, not by the form)."""
    if second_checker is None:
        raise _refuse(SECOND_CHECK_NEEDED.format(reason=reason), "second_checker")
    if second_checker.pk == by.pk:
        raise _refuse(SECOND_CHECKER_SAME, "second_checker")
    second_person_check(by=by, person=second_checker, password=password, permission=SECOND_CHECK_PERMISSION,
                        field="second_password")  # fmt: skip
    return second_checker


@transaction.atomic
def session_set_dose(
    *,
    session: InfusionSession,
    by: User,
    weight_kg: Decimal,
    preparation: DrugPreparation,
    dose_per_kg: Decimal,
    second_checker: User | None = None,
    second_checker_password: str | None = None,
    version: VersionCheck | None = None,
    weight_confirmed: bool = False,
) -> InfusionSession:
    """Weigh, pick the preparation, prescribe mg/kg (or mg/kg/h): compute mg, mg/h and mL/h from them.

    Above the order or the hard maximum: refused. Outside the usual range, or a volume 5x off the usual: a second
    member of staff must confirm with their own password (dosing.check_dose, dosing.volume_is_unusual; verified here).
    ``version``: the dose form's version check, so a dose another nurse set meanwhile is not silently replaced
    (clinic.concurrency).
    """
    session = _locked(session)
    lifecycle.require(session, "dose")
    check_version(session, version)
    protocol, course = session.course.protocol, session.course
    if not WEIGHT_KG_MIN <= weight_kg <= WEIGHT_KG_MAX:
        raise _refuse(f"Weight must be between {WEIGHT_KG_MIN} and {WEIGHT_KG_MAX} kg (weigh in kg).", "weight_kg")
    if not weight_confirmed and (problem := _weight_problem(session, weight_kg)):
        raise _refuse(f"{problem} Tick the confirmation if it is right.", "weight_kg")
    if not preparation.is_active:
        raise _refuse("This preparation is no longer in use.", "preparation")
    if (refusal := hooks.dose_problem(session, preparation)) is not None:
        raise _refuse(refusal, "preparation")
    check = check_dose(
        dose_per_kg,
        unit=protocol.unit,
        usual_min=protocol.usual_min,
        usual_max=protocol.usual_max,
        hard_max=protocol.hard_max,
        order_max=course.ordered_max,
    )
    if not check.allowed:
        raise _refuse(check.message, "dose_per_kg")
    calc = calculate(
        mode=protocol.dosing_mode,
        weight_kg=weight_kg,
        dose_per_kg=dose_per_kg,
        concentration_mg_ml=preparation.final_mg_ml,
        minutes=protocol.infusion_minutes,
        pump_step_ml_h=preparation.pump_step_ml_h,
    )
    if calc.rate_ml_h <= 0:
        raise _refuse(rounding_problem(calc), "preparation")
    reasons = [check.message] if check.needs_second_check else []
    if calc.volume_ml is not None and volume_is_unusual(calc.volume_ml, protocol.usual_volume_ml):
        reasons.append(
            f"The volume ({calc.volume_ml} mL) is 5x or more away from the usual {protocol.usual_volume_ml} mL: "
            "check the vial and preparation."
        )
    if (
        protocol.is_continuous
        and protocol.usual_rate_ml_h is not None
        and volume_is_unusual(calc.rate_ml_h, protocol.usual_rate_ml_h)
    ):
        reasons.append(
            f"The pump rate ({calc.rate_ml_h.normalize():f} mL/h) is 5x or more away from the usual "
            f"{protocol.usual_rate_ml_h.normalize():f} mL/h: check the vial and preparation."
        )
    if rounding := _rounding_reason(session, calc, preparation):
        reasons.append(rounding)
    if reasons or second_checker is not None:  # a second checker named is verified, needed or not
        _check_second(by, second_checker, second_checker_password, " ".join(reasons))
    if reasons:
        session.second_check_by, session.second_check_at = second_checker, timezone.now()
        session.second_check_reason = " ".join(reasons)[:300]
    else:
        session.second_check_by, session.second_check_at, session.second_check_reason = None, None, ""
    session.weight_kg, session.preparation, session.dose_per_kg = weight_kg, preparation, dose_per_kg
    session.planned_dose_mg = calc.dose_mg
    session.prescribed_rate_mg_h = _mg_h(calc.prescribed_mg_h)
    session.start_rate_mg_h, session.start_rate_ml_h = calc.rate_mg_h, calc.rate_ml_h
    session.dose_calculation = calc.explanation[:300]
    return _save(session, by)


def _weight_problem(session: InfusionSession, weight_kg: Decimal) -> str:
    """Today's weight against the last one recorded (the weight history, or an earlier session's), beyond the
    clinic's limit or looking like pounds (dosing.weight_change_problem, docs/clinical.md §3.7)."""
    measured = (
        BodyMeasurement.objects.active().filter(patient_id=session.patient_id, weight_kg__isnull=False)
        .order_by("-measured_on", "-id").values_list("weight_kg", "measured_on").first()
    )  # fmt: skip
    weighed = (
        InfusionSession.objects.active().filter(patient_id=session.patient_id, weight_kg__isnull=False)
        .exclude(pk=session.pk).order_by("-scheduled_for").values_list("weight_kg", "scheduled_for").first()
    )  # fmt: skip
    candidates = []  # (day, kg): the latest of the weight history and of earlier sessions
    if measured:
        candidates.append((measured[1], measured[0]))
    if weighed:
        candidates.append((timezone.localdate(weighed[1]), weighed[0]))
    if not candidates:
        return ""
    day, last = max(candidates)
    limit = InfusionSettings.current().weight_change_limit_percent / 100
    return weight_change_problem(weight_kg, last, limit, last_when=f"{day:%-d %b %Y}")


def _mg_h(value: Decimal) -> Decimal:
    """A rate as stored (5 decimal places: delivered rates are exact products of mL/h and mg/mL)."""
    return value.quantize(Decimal("0.00001"))


def _rounding_reason(session: InfusionSession, calc: Any, preparation: DrugPreparation) -> str:
    """Why the pump's rounding needs a second check, naming a preparation that fits better (dosing.rounding_problem,
    dosing.better_preparation; docs/clinical.md §3.8); empty when the rounding is within the clinic's limit."""
    limit = _rounding_limit()
    problem = rounding_problem(calc, limit)
    if not problem:
        return ""
    others = [
        (other, other.final_mg_ml, other.pump_step_ml_h)
        for other in DrugPreparation.objects.filter(is_active=True).exclude(pk=preparation.pk)
        if hooks.dose_problem(session, other) is None
    ]
    fit = better_preparation(calc, others, limit)
    if fit is None:
        return f"{problem} No active preparation fits better."
    return f"{problem} {fit.preparation.name} would give {fit.calculation.rate_text}."


# Vitals ----------------------------------------------------------------------------------------------------------

VITAL_FIELDS = ["systolic", "diastolic", "heart_rate", "spo2", "resp_rate", "sedation", "dissociation", "pain"]


def _reading(source: Any) -> VitalsReading:
    names = [f.name for f in dataclasses.fields(VitalsReading)]
    return VitalsReading(**{name: getattr(source, name) for name in names})


@transaction.atomic
def session_record_vitals(
    *,
    session: InfusionSession,
    by: User,
    taken_at: dt.datetime | None = None,
    record_again: bool = False,
    **values: Any,
) -> VitalSign:
    """Record a set of vitals and flag what is out of range. The first set before the start is the baseline. The
    same values within a minute of a set already recorded ask to be confirmed (``record_again``): a double tap or a
    form sent twice does not add a second set silently."""
    session = _locked(session)
    lifecycle.require(session, "vitals")
    thresholds = VitalThresholdSettings.current().as_thresholds()
    taken_at = _charted_at(taken_at, not_before=session.checked_in_at, after_what="check-in", field="taken_at")
    if not record_again and (twin := _same_set(session, taken_at, values)) is not None:
        who = twin.created_by.display_name if twin.created_by else "another member of staff"
        raise _refuse(f"The same set was recorded at {timezone.localtime(twin.taken_at):%H:%M} by "
                      f"{who}: record it again?", "record_again")  # fmt: skip
    vitals = VitalSign(session=session, taken_at=taken_at, **values)
    vitals.is_baseline = session.status == SessionStatus.CHECKED_IN
    baseline = session.vitals.active().filter(is_baseline=True).order_by("-taken_at").first()
    alerts = (
        evaluate_predose(_reading(vitals), thresholds)
        if vitals.is_baseline
        else evaluate(_reading(vitals), thresholds, _reading(baseline) if baseline else None)
    )
    vitals.alerts = [dataclasses.asdict(alert) for alert in alerts]
    vitals = record_save(record=vitals, by=by)
    if session.status == SessionStatus.OBSERVING and session.discharge_override_reason:
        # A discharge override covers the vitals the clinician saw; a new set is judged again.
        session.discharge_override_reason, session.discharge_override_by, session.discharge_override_at = "", None, None
        _save(session, by)
    if vitals.is_baseline and session.baseline_override_reason:
        # An override covers the baseline the clinician saw; a new baseline needs its own decision.
        session.baseline_override_reason, session.baseline_override_by = "", None
        _save(session, by)
    return vitals


def _same_set(session: InfusionSession, taken_at: dt.datetime, values: dict[str, Any]) -> VitalSign | None:
    """An active set of the session with the same values, taken within a minute of ``taken_at``."""
    near = (
        session.vitals.active()
        .select_related("created_by")
        .filter(taken_at__gte=taken_at - dt.timedelta(seconds=59), taken_at__lte=taken_at + dt.timedelta(seconds=59))
    )
    return next((v for v in near if all(getattr(v, k) == values.get(k) for k in VITAL_FIELDS)), None)


# Start, titrate, stop --------------------------------------------------------------------------------------------


def start_problems(session: InfusionSession, *, risk_alerts: list[Any] | None = None) -> list[str]:
    """Everything that stops the infusion from starting now, as sentences (empty: ready to start).
    ``risk_alerts``: the patient's unacknowledged suicide-risk answers, when the caller has read them (the chart)."""
    problems = list(session.patient.infusion_readiness().problems)
    if risk_alerts is None:
        risk_alerts = list(QuestionnaireResponse.objects.filter(patient_id=session.patient_id).open_risk_alerts())
    for alert in risk_alerts:
        problems.append(
            f"Unacknowledged suicide-risk answer ({alert.get_instrument_display()}, "
            f"{timezone.localtime(alert.completed_at):%-d %b %H:%M}): a clinician assesses and acknowledges it first."
        )
    if session.pregnancy_check == PregnancyCheck.POSITIVE:
        problems.append("The patient is pregnant: the infusion is not started; a clinician reviews the plan.")
    if not session.escort_name or not session.escort_phone:
        problems.append("No escort with a phone number recorded: check the patient in first.")
    if session.dose_per_kg is None or session.start_rate_ml_h is None:
        problems.append("The dose has not been calculated: weigh the patient and set the dose.")
    baseline = session.vitals.active().filter(is_baseline=True).order_by("-taken_at").first()
    if baseline is None:
        problems.append("No baseline vitals: record a set before starting.")
    elif baseline.alerts and not session.baseline_override_reason:
        words = "; ".join(alert["message"] for alert in baseline.alerts)
        problems.append(f"Baseline out of range ({words}): a clinician must override with a reason, or recheck.")
    problems += hooks.start_problems(session)
    return problems


@transaction.atomic
def session_override_baseline(*, session: InfusionSession, by: User, reason: str) -> InfusionSession:
    """A clinician accepts out-of-range baseline vitals, with a written reason (kept on the session)."""
    session = _locked(session)
    lifecycle.require(session, "override")
    if len(reason.strip()) < 10:
        raise _refuse("Write why it is safe to start despite the baseline (at least 10 characters).", "reason")
    session.baseline_override_reason, session.baseline_override_by = reason.strip(), by
    return _save(session, by)


def _rate_change(session: InfusionSession, by: User, at: dt.datetime, per_kg_h: Decimal | None, **rates: Any) -> None:
    record_save(record=RateChange(session=session, at=at, rate_mg_per_kg_h=per_kg_h, **rates), by=by)


@transaction.atomic
def session_start(*, session: InfusionSession, by: User, at: dt.datetime | None = None) -> InfusionSession:
    """Start the infusion at the calculated rate, once every pre-infusion check is met."""
    session = _locked(session)
    lifecycle.require(session, "start")
    _require_open_course(session, "start")
    problems = start_problems(session)
    if problems:
        raise ValidationError(["Cannot start: " + problems[0], *problems[1:]])
    at = _charted_at(at, not_before=session.checked_in_at, after_what="check-in", field="at")
    per_kg_h = session.dose_per_kg if session.course.protocol.is_continuous else None
    _rate_change(session, by, at, per_kg_h, rate_mg_h=session.start_rate_mg_h, rate_ml_h=session.start_rate_ml_h,
                 reason="Infusion started")  # fmt: skip
    lifecycle.advance(session, "start")
    session.started_at = at
    session = _save(session, by)
    # The weight that dosed the infusion joins the patient's weight history (docs/clinical.md §3.7).
    record_save(record=BodyMeasurement(patient_id=session.patient_id, measured_on=timezone.localdate(at),
                                       weight_kg=session.weight_kg), by=by)  # fmt: skip
    return session


@transaction.atomic
def session_titrate(
    *,
    session: InfusionSession,
    by: User,
    rate_mg_per_kg_h: Decimal,
    reason: str,
    at: dt.datetime | None = None,
    second_checker: User | None = None,
    second_checker_password: str | None = None,
) -> RateChange:
    """Change a continuous infusion's rate: refused above the order or hard maximum; confirmed outside usual, or
    when the pump's rounding moves the delivered rate beyond the clinic's limit. A paused pump restarts at it."""
    session = _locked(session)
    lifecycle.require(session, "titrate")
    protocol = session.course.protocol
    if not protocol.is_continuous:
        raise _refuse("This protocol gives a fixed dose over a set time; its rate is not titrated: reduce or pause it.")
    if len(reason.strip()) < 3:
        raise _refuse("Give the reason for the change (e.g. pain 6/10, tolerating well).", "reason")
    at = _rate_change_time(session, at)
    check = check_dose(
        rate_mg_per_kg_h,
        unit=protocol.unit,
        usual_min=protocol.usual_min,
        usual_max=protocol.usual_max,
        hard_max=protocol.hard_max,
        order_max=session.course.ordered_max,
    )
    if not check.allowed:
        raise _refuse(check.message, "rate_mg_per_kg_h")
    weight_kg, preparation = _dosed(session)
    calc = calculate(
        mode=protocol.dosing_mode,
        weight_kg=weight_kg,
        dose_per_kg=rate_mg_per_kg_h,
        concentration_mg_ml=preparation.final_mg_ml,
        minutes=None,
        pump_step_ml_h=preparation.pump_step_ml_h,
    )
    if calc.rate_ml_h <= 0:
        raise _refuse(rounding_problem(calc), "rate_mg_per_kg_h")
    reasons = [check.message] if check.needs_second_check else []
    if step_problem := _titration_step_problem(session, rate_mg_per_kg_h):
        reasons.append(step_problem)
    if rounding := rounding_problem(calc, _rounding_limit()):
        reasons.append(rounding)
    if reasons or second_checker is not None:  # a second checker named is verified, needed or not
        checker = _check_second(by, second_checker, second_checker_password, " ".join(reasons))
        if reasons:
            reason = f"{reason.strip()} (second check: {checker.display_name})"
    change = RateChange(session=session, at=at, rate_mg_per_kg_h=rate_mg_per_kg_h,
                        prescribed_mg_h=_mg_h(calc.prescribed_mg_h), rate_mg_h=calc.rate_mg_h,
                        rate_ml_h=calc.rate_ml_h, reason=reason.strip()[:300])  # fmt: skip
    return record_save(record=change, by=by)


def _titration_step_problem(session: InfusionSession, new_rate: Decimal) -> str:
    """A change larger than the protocol's titration step needs the second check (docs/clinical.md §3.6); compared
    with the rate that ran before any pause."""
    step = session.course.protocol.titration_step
    before = (
        session.rate_changes.active().filter(rate_ml_h__gt=0, rate_mg_per_kg_h__isnull=False)
        .order_by("-at", "-id").values_list("rate_mg_per_kg_h", flat=True).first()
    )  # fmt: skip
    if not step or before is None or abs(new_rate - before) <= step:
        return ""
    return (f"{before.normalize():f} → {new_rate.normalize():f} mg/kg/h is more than the protocol's step of "
            f"{step.normalize():f} mg/kg/h.")  # fmt: skip


def _running(session: InfusionSession) -> RateChange | None:
    """The rate the pump runs at now (the latest active change)."""
    return session.rate_changes.active().order_by("-at", "-id").first()


def _rate_change_time(session: InfusionSession, at: dt.datetime | None) -> dt.datetime:
    last = _running(session)
    if last is not None:
        return _charted_at(at, not_before=last.at, after_what="the previous rate change", field="at")
    return _charted_at(at, not_before=session.started_at, after_what="the start", field="at")


def _dosed(session: InfusionSession) -> tuple[Decimal, DrugPreparation]:
    """The weight and preparation the dose was set with (the dose is set before the start)."""
    if session.weight_kg is None or session.preparation is None:
        raise _refuse("Set the dose first.")
    return session.weight_kg, session.preparation


def _per_kg_h(session: InfusionSession, rate_mg_h: Decimal) -> Decimal | None:
    if not session.course.protocol.is_continuous:
        return None
    weight_kg, _ = _dosed(session)
    return (rate_mg_h / weight_kg).quantize(Decimal("0.001"))


@transaction.atomic
def session_reduce_rate(
    *, session: InfusionSession, by: User, rate_ml_h: Decimal, reason: str, at: dt.datetime | None = None
) -> RateChange:
    """Slow any infusion down (a side effect, the patient's wish): the nurse programs a lower mL/h, no second check
    (reducing is the safe direction). Refused at or above the running rate, or off the pump's steps. A paused
    infusion cannot be reduced: resume it first (docs/clinical.md §3.6)."""
    session = _locked(session)
    lifecycle.require(session, "reduce")
    if len(reason.strip()) < 3:
        raise _refuse("Give the reason (e.g. nausea, dissociation).", "reason")
    running = _running(session)
    if running is None or running.rate_ml_h <= 0:
        raise _refuse("The infusion is paused: resume it first.", "rate_ml_h")
    if not 0 < rate_ml_h < running.rate_ml_h:
        raise _refuse(
            f"Enter a rate above 0 and below the running {running.rate_ml_h.normalize():f} mL/h "
            "(to stop the pump for a while, pause it).",
            "rate_ml_h",
        )
    _, preparation = _dosed(session)
    step = preparation.pump_step_ml_h
    if rate_ml_h % step:
        raise _refuse(f"This pump steps by {step.normalize():f} mL/h.", "rate_ml_h")
    at = _rate_change_time(session, at)
    rate_mg_h = rate_ml_h * preparation.final_mg_ml
    change = RateChange(session=session, at=at, rate_mg_per_kg_h=_per_kg_h(session, rate_mg_h),
                        prescribed_mg_h=_mg_h(rate_mg_h), rate_mg_h=rate_mg_h, rate_ml_h=rate_ml_h,
                        reason=f"Rate reduced: {reason.strip()}"[:300])  # fmt: skip
    return record_save(record=change, by=by)


@transaction.atomic
def session_pause(*, session: InfusionSession, by: User, reason: str, at: dt.datetime | None = None) -> RateChange:
    """Stop the pump for a while (rate 0) with a reason; the session stays infusing and the time paused gives
    nothing. No second check."""
    session = _locked(session)
    lifecycle.require(session, "pause")
    if len(reason.strip()) < 3:
        raise _refuse("Give the reason for the pause (e.g. vomiting, BP 182/104).", "reason")
    running = _running(session)
    if running is None or running.rate_ml_h <= 0:
        raise _refuse("The infusion is already paused.")
    at = _rate_change_time(session, at)
    pause = RateChange(session=session, at=at, rate_mg_per_kg_h=_per_kg_h(session, Decimal(0)),
                       prescribed_mg_h=None, rate_mg_h=Decimal(0), rate_ml_h=Decimal(0),
                       reason=f"Paused: {reason.strip()}"[:300])  # fmt: skip
    return record_save(record=pause, by=by)


@transaction.atomic
def session_resume(
    *, session: InfusionSession, by: User, reason: str = "", at: dt.datetime | None = None
) -> RateChange:
    """Restart a paused pump at the rate it ran before the pause (a different rate is a titration or a reduction)."""
    session = _locked(session)
    lifecycle.require(session, "resume")
    changes = list(session.rate_changes.active().order_by("-at", "-id"))
    if not changes or changes[0].rate_ml_h > 0:
        raise _refuse("The infusion is not paused.")
    before = next((change for change in changes if change.rate_ml_h > 0), None)
    if before is None:
        raise _refuse("There is no rate to resume at.")
    at = _rate_change_time(session, at)
    text = f"Resumed at {before.rate_ml_h.normalize():f} mL/h" + (f": {reason.strip()}" if reason.strip() else "")
    change = RateChange(session=session, at=at, rate_mg_per_kg_h=before.rate_mg_per_kg_h,
                        prescribed_mg_h=before.prescribed_mg_h, rate_mg_h=before.rate_mg_h, rate_ml_h=before.rate_ml_h,
                        reason=text[:300])  # fmt: skip
    return record_save(record=change, by=by)


def is_paused(changes: list[Any]) -> bool:
    """Whether the latest of ``changes`` (time order) is a pause."""
    return bool(changes) and changes[-1].rate_ml_h == 0


def administered_mg(
    session: InfusionSession, until: dt.datetime | None = None, *, changes: list[Any] | None = None
) -> Decimal:
    """Total ketamine given, summed from the rate segments (dosing.total_mg), up to ``until`` or the stop.
    ``changes``: the session's active rate changes in time order, when the caller has them already (the chart)."""
    if changes is None:
        changes = list(session.rate_changes.active().order_by("at", "id"))
    segments = rate_segments(changes, session.infusion_ended_at)
    given = total_mg(segments, until=until or session.infusion_ended_at or timezone.now())
    if not session.course.protocol.is_continuous and session.planned_dose_mg is not None:
        # A fixed dose over a set time ends when the bag is empty, even if "stop" is pressed later in the app.
        given = min(given, session.planned_dose_mg)
    return given


@transaction.atomic
def session_end_infusion(*, session: InfusionSession, by: User, at: dt.datetime | None = None) -> InfusionSession:
    """Stop the pump: the total given is computed from the rate segments; observation starts."""
    session = _locked(session)
    lifecycle.require(session, "stop")
    at = _rate_change_time(session, at)
    _rate_change(session, by, at, Decimal(0) if session.course.protocol.is_continuous else None,
                 rate_mg_h=Decimal(0), rate_ml_h=Decimal(0), reason="Infusion stopped")  # fmt: skip
    session.infusion_ended_at = at
    session.total_mg = administered_mg(session, until=at)
    lifecycle.advance(session, "stop")
    return _save(session, by)


# Medications, notes ----------------------------------------------------------------------------------------------


@transaction.atomic
def session_give_medication(*, session: InfusionSession, by: User, **fields: Any) -> SessionMedication:
    session = _locked(session)
    lifecycle.require(session, "medication")
    fields["given_at"] = _charted_at(fields.get("given_at"), not_before=session.checked_in_at, after_what="check-in",
                                     field="given_at")  # fmt: skip
    return record_save(record=SessionMedication(session=session, **fields), by=by)


@transaction.atomic
def session_update_notes(
    *,
    session: InfusionSession,
    by: User,
    pain_before: int | None,
    pain_after: int | None,
    note: str,
    version: VersionCheck | None = None,
) -> InfusionSession:
    """Pain scores and the free-text note; refused if another member of staff changed them since ``version``."""
    session = _locked(session)
    lifecycle.require(session, "notes")
    check_version(session, version)
    session.pain_before, session.pain_after, session.note = pain_before, pain_after, note
    return _save(session, by)


# Discharge and signature -----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DischargeVitals:
    """What the recorded vitals say about discharge: the computed PADSS vital-signs item and what blocks it."""

    item: VitalSignsItem
    blocking: VitalsProblems

    @property
    def problems(self) -> list[str]:
        """Each problem as a sentence, as the chart lists them (empty: the vitals allow discharge)."""
        return self.blocking.sentences


def discharge_vitals(
    session: InfusionSession, vitals: list[Any] | None = None, now: dt.datetime | None = None
) -> DischargeVitals:
    """The PADSS vital-signs item computed from the last set against the baseline, and the vitals problems that
    block discharge without a clinician's override (infusions.discharge, docs/clinical.md §5.1, §5.4).
    ``vitals``: the session's active sets in time order, when the caller has them (the chart)."""
    if vitals is None:
        vitals = list(session.vitals.active().order_by("taken_at", "id"))
    baseline = next((v for v in reversed(vitals) if v.is_baseline), None)
    last = vitals[-1] if vitals else None
    if baseline is None or last is None:
        item = VitalSignsItem(0, Decimal(0), "No baseline vitals to compare with.")
    else:
        item = padss_vital_signs(_reading(last), _reading(baseline))
    blocking = discharge_vitals_problems(
        latest_alerts=last.alerts if last else [],
        latest_taken_at=last.taken_at if last else None,
        now=now or timezone.now(),
        interval_minutes=session.course.protocol.vitals_interval_minutes,
    )
    return DischargeVitals(item, blocking)


@transaction.atomic
def session_override_discharge(*, session: InfusionSession, by: User, reason: str) -> InfusionSession:
    """A clinician judges the patient fit to leave despite open vitals alerts or vitals out of date, with a written
    reason (kept on the session, shown on the chart and the print; a new set of vitals ends it)."""
    session = _locked(session)
    lifecycle.require(session, "discharge_override")
    if not by.has_perm("infusions.override_discharge"):
        raise _refuse("Only a clinician may override the discharge check.")
    if len(reason.strip()) < 10:
        raise _refuse("Write why the patient is safe to leave (at least 10 characters).", "reason")
    session.discharge_override_reason, session.discharge_override_by = reason.strip(), by
    session.discharge_override_at = timezone.now()
    return _save(session, by)


@transaction.atomic
def session_discharge(
    *,
    session: InfusionSession,
    by: User,
    padss: dict[str, int],
    escort_present: bool,
    aftercare_given: bool,
    at: dt.datetime | None = None,
) -> InfusionSession:
    """Discharge when the modified PADSS is 9 or more (its vital-signs item computed from the recorded vitals), the
    vitals have no open alert and are recent (or a clinician overrode that), the escort is here and the observation
    time is met."""
    session = _locked(session)
    lifecycle.require(session, "discharge")
    at = _charted_at(at, not_before=session.infusion_ended_at, after_what="the end of the infusion", field="at")
    vitals = discharge_vitals(session, now=at)
    for item in PADSS_ITEMS:
        setattr(session, item, padss.get(item))
    session.padss_vitals = vitals.item.score
    errors: dict[str, list[str]] = {}
    general = errors.setdefault("__all__", [])
    total = session.padss_total
    if total is None:
        general.append("Score every PADSS item.")
    elif total < PADSS_FIT:
        general.append(f"PADSS {total}/10 (vital signs {vitals.item.explanation}): not fit for discharge (needs "
                       f"{PADSS_FIT} or more). Reassess later.")  # fmt: skip
    if vitals.blocking and not session.discharge_override_reason:
        general.append(vitals.blocking.summary)
    if not escort_present:
        errors["escort_present"] = ["The patient may only leave with their escort present."]
    if not aftercare_given:
        errors["aftercare_given"] = ["Give the after-care instructions (no driving until the next day)."]
    needed = session.course.protocol.min_observation_minutes
    observed = session.observation_minutes(at) or 0
    if observed < needed:
        general.append(f"Observed {observed} min of the required {needed} min after the infusion.")
    if not general:
        del errors["__all__"]
    if errors:
        raise ValidationError(errors)
    session.escort_present, session.aftercare_given = escort_present, aftercare_given
    lifecycle.advance(session, "discharge")
    session.discharged_at, session.discharged_by = at, by
    return _save(session, by)


def may_sign(user: User) -> bool:
    """Clinicians sign; nurses too when the clinic allows it (InfusionSettings.nurses_may_sign_sessions)."""
    if user.has_perm("infusions.sign_session"):
        return True
    return InfusionSettings.current().nurses_may_sign_sessions and user.has_perm("infusions.change_infusionsession")


SIGN_MEANING_REFUSED = "Choose one of the meanings offered for your signature."


@transaction.atomic
def session_sign(
    *,
    session: InfusionSession,
    by: User,
    reauth: Reauthentication | None,
    meaning: str | None = None,
    at: dt.datetime | None = None,
) -> InfusionSession:
    """Sign a discharged session as ``by``, who re-entered their password (``reauth``, 21 CFR 11.200), with the
    meaning they chose among ``infusions.signing.session_sign_meanings``. The signature stores the printed name,
    time, meaning and the hash of the session's content (clinic.signatures); from then on the database refuses
    edits, and corrections are addenda."""
    require_reauthentication(reauth, by)
    session = _locked(session)
    lifecycle.require(session, "sign")
    if not may_sign(by):
        raise _refuse("Your role cannot sign sessions.")
    offered = session_sign_meanings(session, by)
    meaning = meaning or offered[0]
    if meaning not in offered:
        raise _refuse(SIGN_MEANING_REFUSED, "meaning")
    at = at or timezone.now()
    if session.discharged_at and at < session.discharged_at:
        raise _refuse("The signature cannot be earlier than the discharge.")
    statement = SESSION_STATEMENTS[SignatureMeaning(meaning)]
    lifecycle.advance(session, "sign")
    session.signed_at, session.signed_by = at, by
    session.signature_meaning = meaning_text(meaning, statement)[:100]
    session = _save(session, by)
    signature_create(record=session, signer=by, meaning=meaning, statement=statement, reauth=reauth, at=at)
    return session


@transaction.atomic
def addendum_add(
    *, session: InfusionSession, by: User, text: str, reauth: Reauthentication | None, at: dt.datetime | None = None
) -> Addendum:
    """A correction after signing: author, time and text, appended and signed by its author (who re-entered their
    password); the signed record is untouched."""
    require_reauthentication(reauth, by)
    if not session.is_signed:
        raise _refuse("Addenda are for signed sessions; edit the record directly until it is signed.")
    if len(text.strip()) < 5:
        raise _refuse("Write the addendum.", "text")
    addendum = record_save(record=Addendum(session=session, text=text.strip()), by=by)
    signature_create(record=addendum, signer=by, meaning=SignatureMeaning.AUTHORSHIP, statement=ADDENDUM_STATEMENT,
                     reauth=reauth, at=at)  # fmt: skip
    return addendum
