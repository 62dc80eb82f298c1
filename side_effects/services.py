"""Side effects: report, correct, review, void, and keep their external reports' due dates right."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.accounts.models import User
from clinic.concurrency import VersionCheck, check_version
from clinic.services import record_save, record_void
from infusions import lifecycle
from infusions import services as infusion_services
from infusions.models import InfusionSession, RateChange
from infusions.timing import charted_time_problem, to_the_minute
from patients.models import DisclosurePurpose, DisclosureSource, Patient
from patients.services import disclosure_record
from side_effects.choices import ActionTaken, SideEffectOutcome
from side_effects.models import ExternalReport, SideEffect
from side_effects.roles import VOID
from side_effects.rules import IND, IRB, MANUFACTURER, MEDWATCH, REMS, report_due, seriousness_problems

__all__ = [
    "external_report_add",
    "external_report_submit",
    "side_effect_report",
    "side_effect_report_at_chair",
    "side_effect_review",
    "side_effect_update",
    "side_effect_void",
    "suspect_drug_text",
]

REVIEWED_FIELDS = {
    "term",
    "grade",
    "serious",
    "seriousness_criteria",
    "expected",
    "causality",
    "action_taken",
    "outcome",
    "category",
}

EVENT_VOIDED = "This side effect was voided as entered in error."
VOID_REFUSED = "Only clinicians and the clinic admin void side effects."
#: The start of the void reason of a report withdrawn with its event (the event's reason follows).
REPORT_WITHDRAWN = "Withdrawn: its side effect was voided as entered in error"

# Serious events go to MedWatch (voluntary, FDA 3500) and the manufacturer by default; IRB, IND and REMS reports
# are added by the clinician where they apply (research patients, esketamine).
DEFAULT_DESTINATIONS_IF_SERIOUS = [MEDWATCH, MANUFACTURER]


def _per_kg_h(mg_h: Decimal, weight_kg: Decimal | None) -> str:
    return f"{(mg_h / weight_kg).quantize(Decimal('0.01')).normalize():f} mg/kg/h" if weight_kg else ""


def suspect_drug_text(session: InfusionSession, at: dt.datetime) -> str:
    """The ketamine exposure at onset, for the suspect-product section: the session's dose, then the rate running at
    onset, both per kilogram per hour so the two read in one unit (issue #17), the rate also in mg/h and the pump's
    mL/h, and the preparation. A dose over a time reads as the rate it averages (0.5 mg/kg over 40 min = 0.75
    mg/kg/h); the rate at onset is what the pump delivered, divided by the session's weight."""
    if session.dose_per_kg is None:
        return ""
    protocol = session.course.protocol
    dose = f"{session.dose_per_kg.normalize():f} {protocol.unit}"
    if protocol.is_continuous or not protocol.infusion_minutes:
        parts = [f"Ketamine IV {dose}"]
    else:
        average = session.dose_per_kg * 60 / protocol.infusion_minutes
        parts = [f"Ketamine IV {dose} over {protocol.infusion_minutes} min "
                 f"({average.quantize(Decimal('0.01')).normalize():f} mg/kg/h)"]  # fmt: skip
    if session.planned_dose_mg is not None:
        parts.append(f"planned {session.planned_dose_mg} mg")
    # Onset times are entered to the minute: a rate set during that minute was already running.
    running = session.rate_changes.active().filter(at__lt=at + dt.timedelta(minutes=1)).order_by("-at", "-id").first()
    if running is not None and running.is_pause:
        parts.append("pump paused at onset (0 mL/h)")
    elif running is not None:
        per_kg = _per_kg_h(running.rate_mg_h, session.weight_kg)
        delivered = f"{running.delivered_mg_h.normalize():f} mg/h, pump {running.rate_ml_h.normalize():f} mL/h"
        parts.append(f"rate at onset {per_kg} ({delivered})" if per_kg else f"rate at onset {delivered}")
    if session.preparation is not None:
        parts.append(session.preparation.name)
    return "; ".join(parts)[:300]


ONSET_BEFORE_CHECK_IN = "One that began before the session is reported from the patient's page."


def _time_problems(event: SideEffect, names: set[str]) -> dict[str, str]:
    """Onset and resolution are times that happened (docs/clinical.md §7.1, §12, infusions.timing): never in the
    future; the onset of a session's side effect never before its check-in, the resolution never before the onset.
    Only the times in ``names`` are judged (a correction judges what it changes)."""
    now, problems = timezone.now(), {}
    checked_in = event.session.checked_in_at if event.session is not None else None
    if "onset_at" in names and event.onset_at is not None:
        problem = charted_time_problem(event.onset_at, now=now, not_before=checked_in, after_what="the check-in")
        if problem and checked_in is not None and event.onset_at < checked_in:
            problem = f"{problem} {ONSET_BEFORE_CHECK_IN}"
        if problem:
            problems["onset_at"] = problem
    if "resolved_at" in names and event.resolved_at is not None and event.onset_at is not None:
        problem = charted_time_problem(event.resolved_at, now=now, not_before=event.onset_at, after_what="the onset")
        if problem:
            problems["resolved_at"] = problem
    return problems


def _to_the_minute(event: SideEffect) -> None:
    """A time typed in the minute of the moment it follows reads as that moment (infusions.timing.to_the_minute)."""
    if event.session is not None and event.onset_at is not None:
        event.onset_at = to_the_minute(event.onset_at, event.session.checked_in_at)
    if event.resolved_at is not None and event.onset_at is not None:
        event.resolved_at = to_the_minute(event.resolved_at, event.onset_at)


def _times_changed(fields: dict[str, Any]) -> set[str]:
    """The times a correction judges: those it changes; a new onset moves the resolution's bound too."""
    if "onset_at" in fields:
        return {"onset_at", "resolved_at"}
    return {"resolved_at"} & set(fields)


def _check(event: SideEffect, times: Collection[str] = ("onset_at", "resolved_at")) -> None:
    problems = _time_problems(event, set(times))
    problems |= seriousness_problems(
        grade=event.grade,
        serious=event.serious,
        criteria=list(event.seriousness_criteria),
        fatal=event.outcome == SideEffectOutcome.FATAL,
    )
    if event.session is not None and event.session.patient_id != event.patient_id:
        problems["session"] = "This session belongs to another patient."
    if event.action_taken == ActionTaken.RESCUE and event.rescue_medication_id is None:
        problems["rescue_medication"] = "Link the rescue medication given (chart it on the session first)."
    if event.rescue_medication is not None and event.rescue_medication.session_id != event.session_id:
        problems["rescue_medication"] = "The rescue medication must be one given in this session."
    if event.outcome in (SideEffectOutcome.RECOVERED, SideEffectOutcome.SEQUELAE) and event.resolved_at is None:
        problems.setdefault("resolved_at", "Give the time the event resolved.")
    if problems:
        raise ValidationError(problems)


def _sync_reports(event: SideEffect, by: User) -> None:
    """Serious events get their default destinations; every open report's due date follows the current facts."""
    aware_on = timezone.localdate(event.created_at) if event.created_at else timezone.localdate()
    if event.serious:
        for destination in DEFAULT_DESTINATIONS_IF_SERIOUS:
            if not event.reports.filter(destination=destination).exists():
                record_save(record=ExternalReport(event=event, destination=destination), by=by)
    for report in event.reports.active().filter(submitted_on__isnull=True):
        due = report_due(
            destination=report.destination,
            aware_on=aware_on,
            serious=event.serious,
            unexpected=not event.expected,
            criteria=list(event.seriousness_criteria),
        )
        if report.due_on != due:
            report.due_on = due
            record_save(record=report, by=by)


@transaction.atomic
def side_effect_report(
    *, patient: Patient, by: User, session: InfusionSession | None = None, **fields: Any
) -> SideEffect:
    """Record a side effect, during a session or between sessions. Category and suspect drug default from the term
    and the session; serious events get their external reports and due dates."""
    event = SideEffect(patient=patient, session=session, **fields)
    if not event.category:
        event.category = event.term.category
    _to_the_minute(event)
    if session is not None and not event.suspect_drug:
        event.suspect_drug = suspect_drug_text(session, event.onset_at)
    _check(event)
    event = record_save(record=event, by=by)
    event.refresh_from_db(fields=["created_at"])
    _sync_reports(event, by)
    return event


#: Said on the rate change's field when "Rate reduced" comes without the new rate.
NEW_RATE_NEEDED = 'Give the rate you set the pump to: "Rate reduced" slows the pump on the chart too.'
NEW_RATE_WITHOUT_REDUCTION = 'A new pump rate goes with the action "Rate reduced".'
STOP_ON_THE_CHART = "Now stop the infusion on the chart, at the time it was stopped."
PUMP_NOT_YOURS = "Only staff who chart the pump pause or slow it; choose another action or ask the nurse."
#: The actions that change the pump, and the one the nurse takes on the chart herself (stopping starts observation).
PUMP_ACTIONS = {ActionTaken.PAUSED, ActionTaken.RATE_REDUCED, ActionTaken.STOPPED}


@dataclass(frozen=True)
class ChairReport:
    """A side effect reported from a session, and what its action did to the pump: ``change`` is the rate change
    charted with it (a pause or a lower rate), ``note`` says what happened (or why nothing did) in the nurse's words,
    and ``stop_next`` asks for the chart's stop action."""

    event: SideEffect
    change: RateChange | None = None
    note: str = ""
    stop_next: bool = False


def _at(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M}"


def _pump_refusal(exc: ValidationError) -> ValidationError:
    """The pump service's refusal in the side-effect form's words: its time is the onset's."""
    if not hasattr(exc, "error_dict"):
        return ValidationError({"action_taken": exc.messages})
    found: dict[str, list[str]] = {}
    for key, messages in exc.message_dict.items():
        if key == "at":
            found["onset_at"] = [f"The pump is changed at the onset time: {m}" for m in messages]
        else:
            found["action_taken" if key == "__all__" else key] = messages
    return ValidationError(found)


def _act_on_pump(event: SideEffect, by: User, rate_ml_h: Decimal | None) -> ChairReport:
    """Do what the action says to the pump of the event's session, at the onset time (docs/clinical.md §7.1)."""
    action = event.action_taken
    if rate_ml_h is not None and action != ActionTaken.RATE_REDUCED:
        raise ValidationError({"rate_ml_h": NEW_RATE_WITHOUT_REDUCTION})
    if action not in PUMP_ACTIONS or event.session_id is None:
        return ChairReport(event)
    # Read under the session's lock, as the pump services do: two reports at once cannot both pause it.
    session = InfusionSession.objects.select_for_update(of=("self",)).get(pk=event.session_id)
    if not session.state.infusing:
        state = session.get_status_display().lower()
        return ChairReport(event, note=f"The infusion is not running (the session is {state}): the pump was not "
                           "changed. Chart on the session what was done at the time.")  # fmt: skip
    if action == ActionTaken.STOPPED:
        return ChairReport(event, note=STOP_ON_THE_CHART, stop_next=True)
    if not by.has_perm(lifecycle.SESSION_ACTIONS["pause"].permission):
        raise ValidationError({"action_taken": PUMP_NOT_YOURS})
    running = session.rate_changes.active().order_by("-at", "-id").first()
    if action == ActionTaken.PAUSED and running is not None and running.rate_ml_h == 0:
        return ChairReport(event, note=f"The pump was already paused (since {_at(running.at)}: {running.reason}); "
                           "no second pause was charted.")  # fmt: skip
    if action == ActionTaken.RATE_REDUCED and rate_ml_h is None:
        raise ValidationError({"rate_ml_h": NEW_RATE_NEEDED})
    try:
        if action == ActionTaken.PAUSED or rate_ml_h is None:  # the rate is given for a reduction (above)
            change = infusion_services.session_pause(session=session, by=by, reason=str(event), at=event.onset_at)
        else:
            change = infusion_services.session_reduce_rate(
                session=session, by=by, rate_ml_h=rate_ml_h, reason=str(event), at=event.onset_at
            )
    except ValidationError as exc:
        raise _pump_refusal(exc) from exc
    if action == ActionTaken.PAUSED:
        note = f"Infusion paused at {_at(change.at)}: the pump is at 0 mL/h until you resume it on the chart."
    else:
        note = f"Rate reduced at {_at(change.at)} to {change.rate_ml_h.normalize():f} mL/h."
    return ChairReport(event, change=change, note=note)


@transaction.atomic
def side_effect_report_at_chair(
    *, session: InfusionSession, by: User, rate_ml_h: Decimal | None = None, **fields: Any
) -> ChairReport:
    """Report a side effect from its session and do what its action says, in one transaction (issue #16 point 2):
    "Infusion paused" pauses the pump (``infusions.services.session_pause``), "Rate reduced" sets the lower rate
    ``rate_ml_h`` (``session_reduce_rate``), both at the onset time with the side effect as the reason; "Infusion
    stopped" leaves the stop to the chart's own action, which starts observation. A pump already paused, or a session
    no longer infusing, is left as it is and the report says so. A refusal of the pump's rules refuses the report."""
    event = side_effect_report(patient=session.patient, session=session, by=by, **fields)
    return _act_on_pump(event, by, rate_ml_h)


@transaction.atomic
def side_effect_update(
    *, event: SideEffect, by: User, version: VersionCheck | None = None, **fields: Any
) -> SideEffect:
    """Correct or complete an event (outcome, resolution, grade...). The change history keeps every version.

    ``version``: the correction form's version check; a correction someone else saved meanwhile refuses this one
    (clinic.concurrency, security.md H7)."""
    event = SideEffect.objects.select_for_update().get(pk=event.pk)
    check_version(event, version)
    clinical_change = any(getattr(event, name) != value for name, value in fields.items() if name in REVIEWED_FIELDS)
    for name, value in fields.items():
        setattr(event, name, value)
    if {"onset_at", "resolved_at"} & set(fields):
        _to_the_minute(event)
    if clinical_change and event.is_reviewed:
        # The review covered the facts the clinician saw; changed facts go back to the queue.
        event.reviewed_by, event.reviewed_at = None, None
        event.review_comment = f"(Review reset: details changed after review.) {event.review_comment}"[:2000]
    _check(event, times=_times_changed(fields))
    event = record_save(record=event, by=by)
    _sync_reports(event, by)
    return event


@transaction.atomic
def side_effect_review(*, event: SideEffect, by: User, comment: str = "") -> SideEffect:
    """A clinician's review: who, when, and a comment. Reviewing twice is refused (correct, then comment anew)."""
    event = SideEffect.objects.select_for_update().get(pk=event.pk)
    if event.is_voided:
        raise ValidationError(EVENT_VOIDED)
    if event.is_reviewed:
        raise ValidationError("This side effect was already reviewed.")
    if not by.has_perm("side_effects.review_sideeffect"):
        raise ValidationError("Only clinicians review side effects.")
    event.reviewed_by, event.reviewed_at, event.review_comment = by, timezone.now(), comment.strip()
    return record_save(record=event, by=by)


@transaction.atomic
def side_effect_void(*, event: SideEffect, by: User, reason: str) -> SideEffect:
    """Void a side effect entered in error (wrong patient, duplicate) with the reason; only clinicians and the clinic
    admin may. It then leaves every count, rate, queue, export and due-report list, and stays on the patient's record,
    struck through, with who, when and why (its change history too).

    Its external reports not yet sent are withdrawn with it: voided with ``REPORT_WITHDRAWN`` and the reason, so none
    stays due or overdue. A report already sent stays as sent (and in the accounting of disclosures): what was sent
    was sent. A side effect of a signed session may be voided: it is a record of its own, not part of what the
    session's signature covers, and the void is in its change history like any other (issue #16)."""
    if not by.has_perm(VOID):
        raise ValidationError(VOID_REFUSED)
    event = record_void(record=event, by=by, reason=reason)
    for report in event.reports.active().filter(submitted_on__isnull=True).order_by("pk"):
        record_void(record=report, by=by, reason=f"{REPORT_WITHDRAWN}: {event.void_reason}")
    return event


@transaction.atomic
def external_report_add(*, event: SideEffect, by: User, destination: str) -> ExternalReport:
    event = SideEffect.objects.select_for_update().get(pk=event.pk)  # voided meanwhile: no new report
    if event.is_voided:
        raise ValidationError(EVENT_VOIDED)
    if event.reports.filter(destination=destination).exists():
        raise ValidationError({"destination": "A report to this destination is already listed."})
    report = record_save(record=ExternalReport(event=event, destination=destination), by=by)
    _sync_reports(event, by)
    report.refresh_from_db()
    return report


@transaction.atomic
def external_report_submit(
    *, report: ExternalReport, by: User, submitted_on: dt.date, reference: str = ""
) -> ExternalReport:
    if report.submitted_on is not None:
        raise ValidationError("This report was already recorded as sent.")
    if report.is_voided or report.event.is_voided:
        raise ValidationError("This report or its side effect was voided.")
    if submitted_on > timezone.localdate():
        raise ValidationError({"submitted_on": "The submission date is in the future."})
    report.submitted_on, report.reference = submitted_on, reference.strip()
    report = record_save(record=report, by=by)
    disclosure_record(**report_disclosure(report), by=by)
    return report


#: The HIPAA permission under which each destination receives a side-effect report (164.512(b): FDA and those
#: subject to FDA jurisdiction, the REMS programme included; 164.512(i): research oversight and sponsors).
REPORT_PURPOSES = {
    MEDWATCH: DisclosurePurpose.PUBLIC_HEALTH,
    REMS: DisclosurePurpose.PUBLIC_HEALTH,
    MANUFACTURER: DisclosurePurpose.PUBLIC_HEALTH,
    IRB: DisclosurePurpose.RESEARCH,
    IND: DisclosurePurpose.RESEARCH,
}


def report_disclosure(report: ExternalReport) -> dict[str, Any]:
    """The accounting-of-disclosures entry for a side-effect report sent outside the clinic (security.md H6)."""
    event = report.event
    onset = timezone.localtime(event.onset_at).date()
    return {
        "patient": event.patient,
        "disclosed_on": report.submitted_on,
        "recipient": report.get_destination_display(),
        "purpose": REPORT_PURPOSES.get(report.destination, DisclosurePurpose.OTHER),
        "description": f"Side-effect report: {event.term.name}, grade {event.grade}, onset {onset:%Y-%m-%d}; "
        "identity, treatment and outcome details as the report form asks.",
        "reference": report.reference,
        "source": DisclosureSource.SIDE_EFFECT_REPORT,
    }
