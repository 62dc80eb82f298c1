"""Side effects: report, correct, review, void, and keep their external reports' due dates right."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.accounts.models import User
from clinic.concurrency import VersionCheck, check_version
from clinic.services import record_save, record_void
from infusions.models import InfusionSession
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


def suspect_drug_text(session: InfusionSession, at: dt.datetime) -> str:
    """The ketamine exposure at onset, for the suspect-product section (dose, rate then running, preparation)."""
    if session.dose_per_kg is None:
        return ""
    unit = session.course.protocol.unit
    parts = [f"Ketamine IV {session.dose_per_kg.normalize():f} {unit}"]
    if session.planned_dose_mg is not None:
        parts.append(f"planned {session.planned_dose_mg} mg")
    # Onset times are entered to the minute: a rate set during that minute was already running.
    running = session.rate_changes.active().filter(at__lt=at + dt.timedelta(minutes=1)).order_by("-at", "-id").first()
    if running is not None:
        parts.append(
            f"rate at onset {running.rate_ml_h.normalize():f} mL/h ({running.delivered_mg_h.normalize():f} mg/h)"
        )
    if session.preparation_id:
        parts.append(session.preparation.name)
    return "; ".join(parts)[:300]


def _check(event: SideEffect) -> None:
    problems = seriousness_problems(
        grade=event.grade,
        serious=event.serious,
        criteria=list(event.seriousness_criteria),
        fatal=event.outcome == SideEffectOutcome.FATAL,
    )
    if event.session_id and event.session.patient_id != event.patient_id:
        problems["session"] = "This session belongs to another patient."
    if event.action_taken == ActionTaken.RESCUE and event.rescue_medication_id is None:
        problems["rescue_medication"] = "Link the rescue medication given (chart it on the session first)."
    if event.rescue_medication_id and event.rescue_medication.session_id != event.session_id:
        problems["rescue_medication"] = "The rescue medication must be one given in this session."
    if event.outcome in (SideEffectOutcome.RECOVERED, SideEffectOutcome.SEQUELAE) and event.resolved_at is None:
        problems["resolved_at"] = "Give the time the event resolved."
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
    if session is not None and not event.suspect_drug:
        event.suspect_drug = suspect_drug_text(session, event.onset_at)
    _check(event)
    event = record_save(record=event, by=by)
    event.refresh_from_db(fields=["created_at"])
    _sync_reports(event, by)
    return event


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
    if clinical_change and event.is_reviewed:
        # The review covered the facts the clinician saw; changed facts go back to the queue.
        event.reviewed_by, event.reviewed_at = None, None
        event.review_comment = f"(Review reset: details changed after review.) {event.review_comment}"[:2000]
    _check(event)
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
