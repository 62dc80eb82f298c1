"""Writes to patient records. Each service is atomic, validates fully and records who did it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Func, Value
from django.utils import timezone

from clinic.accounts.models import User
from clinic.dates import add_months
from clinic.services import record_save
from clinic.signatures.services import Reauthentication, require_reauthentication, signature_create
from patients import scoring
from patients.choices import AnswerSource, ScreeningStatus
from patients.models import (
    AmendmentRequest,
    AmendmentStatus,
    ContraindicationItem,
    DenialBasis,
    Disclosure,
    DisclosureSource,
    Patient,
    PatientSettings,
    QuestionnaireResponse,
    Screening,
    ScreeningAnswer,
    Timepoint,
)
from patients.models.patient import PatientQuerySet
from patients.scoring import INSTRUMENTS
from patients.signing import CLEAR_MEANING, CLEAR_STATEMENT, DECLINE_MEANING, DECLINE_STATEMENT

MRN_PREFIX = "K"
JUSTIFICATION_MIN_CHARS = 20

ABSOLUTE_BLOCKS_CLEARANCE = "Cannot clear: absolute contraindication found ({items}). Treatment must not go ahead."
JUSTIFICATION_REQUIRED = (
    "Relative contraindications found ({items}): write why treatment is reasonable "
    f"(at least {JUSTIFICATION_MIN_CHARS} characters)."
)
ALREADY_REVIEWED = "This screening was already reviewed; start a new screening to record changes."
ANSWER_EVERY_ITEM = "Answer every checklist item (missing: {items})."


def next_mrn() -> str:
    """A new medical record number from a database sequence: unique, human-readable and never reused."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('patients_mrn_seq')")
        (number,) = cursor.fetchone()
    return f"{MRN_PREFIX}{number:07d}"


def possible_duplicates(
    *, given_name: str, family_name: str, date_of_birth: dt.date, exclude_pk: int | None = None
) -> PatientQuerySet:
    """Active patients with the same date of birth and the same name, ignoring case and accents."""
    fold = Func(Value(f"{family_name} {given_name}"), function="patients_fold")
    matches = Patient.objects.active().filter(date_of_birth=date_of_birth, search_name__startswith=fold)
    return matches.exclude(pk=exclude_pk) if exclude_pk else matches


@transaction.atomic
def patient_create(*, by: User | None, **fields: Any) -> Patient:
    """Register a patient and assign their MRN."""
    patient = Patient(mrn=next_mrn(), created_by=by, updated_by=by, **fields)
    patient.full_clean()
    patient.save()
    return patient


def _labels(answers: Iterable[ScreeningAnswer]) -> str:
    return "; ".join(a.item.label for a in answers)


@dataclass(frozen=True)
class AnswerInput:
    item: ContraindicationItem
    present: bool
    notes: str = ""


@transaction.atomic
def screening_create(
    *, patient: Patient, by: User, answers: list[AnswerInput], screened_on: dt.date | None = None
) -> Screening:
    """Record a completed checklist (every active item answered). It then waits for a clinician's review."""
    asked = set(ContraindicationItem.objects.filter(is_active=True).values_list("pk", flat=True))
    missing = asked - {a.item.pk for a in answers}
    if missing:
        labels = ", ".join(ContraindicationItem.objects.filter(pk__in=missing).values_list("label", flat=True))
        raise ValidationError(ANSWER_EVERY_ITEM.format(items=labels))
    screening = record_save(record=Screening(patient=patient, screened_on=screened_on or timezone.localdate()), by=by)
    ScreeningAnswer.objects.bulk_create(
        ScreeningAnswer(
            screening=screening, item=a.item, present=a.present, notes=a.notes, created_by=by, updated_by=by
        )
        for a in answers
    )
    return screening


def _locked_pending(screening: Screening) -> Screening:
    locked = Screening.objects.select_for_update().get(pk=screening.pk)
    if locked.status != ScreeningStatus.PENDING or locked.is_voided:
        raise ValidationError(ALREADY_REVIEWED)
    reviewed: Screening = Screening.objects.with_answers().get(pk=locked.pk)
    return reviewed


@transaction.atomic
def screening_clear(
    *,
    screening: Screening,
    by: User,
    reauth: Reauthentication | None,
    justification: str = "",
    at: dt.datetime | None = None,
) -> Screening:
    """Clear a screening for treatment, signed by the clinician who re-entered their password (``reauth``; the
    signature's meaning is approval, patients.signing). Absolute findings block; relative findings need a written
    justification. Clearance holds for PatientSettings.screening_validity_months (default 12) from ``at`` (now).
    """
    require_reauthentication(reauth, by)
    screening = _locked_pending(screening)
    if screening.absolute_findings:
        raise ValidationError(ABSOLUTE_BLOCKS_CLEARANCE.format(items=_labels(screening.absolute_findings)))
    justification = (justification or "").strip()
    if screening.relative_findings and len(justification) < JUSTIFICATION_MIN_CHARS:
        raise ValidationError(
            {"justification": JUSTIFICATION_REQUIRED.format(items=_labels(screening.relative_findings))}
        )
    now = at or timezone.now()
    months = PatientSettings.current().screening_validity_months
    screening.status = ScreeningStatus.CLEARED
    screening.reviewed_by, screening.reviewed_at = by, now
    screening.justification = justification
    screening.expires_on = add_months(timezone.localdate(now), months)
    screening = record_save(record=screening, by=by)
    signature_create(record=screening, signer=by, meaning=CLEAR_MEANING, statement=CLEAR_STATEMENT, reauth=reauth,
                     at=now)  # fmt: skip
    return screening


@transaction.atomic
def screening_decline(
    *, screening: Screening, by: User, note: str, reauth: Reauthentication | None, at: dt.datetime | None = None
) -> Screening:
    """Record, signed as a review, that the clinician did not clear the patient for treatment, and why."""
    require_reauthentication(reauth, by)
    note = (note or "").strip()
    if len(note) < 5:
        raise ValidationError({"review_note": "Say why the screening is not cleared."})
    screening = _locked_pending(screening)
    now = at or timezone.now()
    screening.status = ScreeningStatus.NOT_CLEARED
    screening.reviewed_by, screening.reviewed_at, screening.review_note = by, now, note
    screening = record_save(record=screening, by=by)
    signature_create(record=screening, signer=by, meaning=DECLINE_MEANING, statement=DECLINE_STATEMENT,
                     reauth=reauth, at=now)  # fmt: skip
    return screening


# Outcome questionnaires ---------------------------------------------------------------------------------------------

CLINICIAN_RATED_ONLY = "{name} is clinician-rated: only a clinician may record it."
RISK_ACTION_MIN_CHARS = 10
RISK_ACTION_REQUIRED = (
    f"Write the assessment and what was done (at least {RISK_ACTION_MIN_CHARS} characters), e.g. "
    "“Seen today, passive ideation, no plan; safety plan reviewed, crisis line given.”"
)
NO_OPEN_ALERT = "This questionnaire has no open suicide-risk alert (already acknowledged or voided)."
COMPLETED_IN_FUTURE = "The completion time is in the future."


@transaction.atomic
def questionnaire_record(
    *,
    patient: Patient,
    instrument: str,
    answers: Mapping[str, int | None],
    by: User,
    completed_at: dt.datetime | None = None,
    timepoint: str = Timepoint.FOLLOW_UP,
    note: str = "",
    source: str = AnswerSource.STAFF,
    device: str = "",
) -> QuestionnaireResponse:
    """Score a completed questionnaire and store it with its answers; the suicide item at or above its line (PHQ-9
    item 9 above 0, MADRS item 10 at 2 or more: ``scoring.suicide_risk``, docs/clinical.md §8.3) opens an alert.

    Raises ValidationError naming the unanswered questions when the form is incomplete (no prorating)."""
    definition = INSTRUMENTS[instrument]
    if definition.clinician_rated and not by.has_perm("patients.rate_clinician_instrument"):
        raise ValidationError(CLINICIAN_RATED_ONLY.format(name=definition.name))
    completed_at = completed_at or timezone.now()
    if completed_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"completed_at": COMPLETED_IN_FUTURE})
    try:
        result = scoring.score(definition, answers)
    except scoring.IncompleteAnswers as error:
        raise ValidationError(
            {key: "Answer this question." for key in error.missing}
            | {"__all__": f"Answer every question: {len(error.missing)} not answered ({', '.join(error.missing)})."}
        ) from error
    except scoring.InvalidAnswer as error:
        raise ValidationError({error.key: str(error)}) from error
    response = QuestionnaireResponse(
        patient=patient,
        instrument=instrument,
        completed_at=completed_at,
        timepoint=timepoint,
        answers={key: value for key, value in answers.items() if value is not None},
        total=result.total,
        band=result.band.code,
        note=note.strip(),
        suicide_risk=scoring.suicide_risk(definition, answers),
        source=source,
        device=device,
    )
    return record_save(record=response, by=by)


@transaction.atomic
def questionnaire_acknowledge_risk(*, response: QuestionnaireResponse, by: User, action: str) -> QuestionnaireResponse:
    """A clinician records the assessment and action for a suicide-risk alert; the alert then leaves the queue."""
    action = (action or "").strip()
    if len(action) < RISK_ACTION_MIN_CHARS:
        raise ValidationError({"action": RISK_ACTION_REQUIRED})
    locked: QuestionnaireResponse = QuestionnaireResponse.objects.select_for_update().get(pk=response.pk)
    if not locked.risk_open:
        raise ValidationError(NO_OPEN_ALERT)
    locked.risk_acknowledged_at = timezone.now()
    locked.risk_acknowledged_by = by
    locked.risk_action = action
    return record_save(record=locked, by=by)


@transaction.atomic
def disclosure_record(
    *,
    patient: Patient,
    by: User,
    disclosed_on: dt.date,
    recipient: str,
    purpose: str,
    description: str,
    reference: str = "",
    source: str = DisclosureSource.MANUAL,
) -> Disclosure:
    """Add one entry to the patient's accounting of disclosures (security.md H6; HIPAA 164.528(b)(2)).

    Entries are append-only: the database refuses to change or delete them once written."""
    disclosure = Disclosure(
        patient=patient, disclosed_on=disclosed_on, recipient=recipient.strip(), purpose=purpose,
        description=description.strip(), reference=reference.strip(), source=source, recorded_by=by,
    )  # fmt: skip
    disclosure.full_clean()
    if disclosed_on > timezone.localdate():
        raise ValidationError({"disclosed_on": "The date disclosed is in the future."})
    disclosure.save()
    return disclosure


@transaction.atomic
def amendment_request_receive(
    *, patient: Patient, by: User, received_on: dt.date, record_concerned: str, requested_change: str
) -> AmendmentRequest:
    """Record a patient's written request to amend their record (security.md H5; HIPAA 164.526(b))."""
    request = AmendmentRequest(
        patient=patient, received_by=by, received_on=received_on, record_concerned=record_concerned.strip(),
        requested_change=requested_change.strip(),
    )  # fmt: skip
    request.full_clean()
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": "The date received is in the future."})
    request.save()
    return request


def _decide(request: AmendmentRequest, by: User, **decision: Any) -> AmendmentRequest:
    locked = AmendmentRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != AmendmentStatus.PENDING:
        raise ValidationError("This request was already decided; a decision cannot be changed.")
    for name, value in decision.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    locked.decided_by, locked.decided_on = by, timezone.localdate()
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def amendment_request_accept(*, request: AmendmentRequest, by: User, amendment_text: str) -> AmendmentRequest:
    """Accept: the correction is appended and linked to the entry; the entry itself is not changed (164.526(c))."""
    if not amendment_text.strip():
        raise ValidationError({"amendment_text": "Write the amendment as it should stand with the entry."})
    return _decide(request, by, status=AmendmentStatus.ACCEPTED, amendment_text=amendment_text)


@transaction.atomic
def amendment_request_deny(
    *, request: AmendmentRequest, by: User, denial_basis: str, denial_explanation: str
) -> AmendmentRequest:
    """Deny in writing on one of the grounds of 164.526(a)(2), with the explanation given to the patient (d)(1)."""
    errors = {}
    if denial_basis not in DenialBasis.values:
        errors["denial_basis"] = "Choose the grounds for the denial."
    if not denial_explanation.strip():
        errors["denial_explanation"] = "Explain the denial as it is written to the patient."
    if errors:
        raise ValidationError(errors)
    return _decide(request, by, status=AmendmentStatus.DENIED, denial_basis=denial_basis,
                   denial_explanation=denial_explanation)  # fmt: skip


@transaction.atomic
def amendment_disagreement_add(
    *, request: AmendmentRequest, by: User, statement: str, received_on: dt.date
) -> AmendmentRequest:
    """File the patient's statement of disagreement with a denial; it stays with the record (164.526(d)(1)(iii))."""
    locked = AmendmentRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != AmendmentStatus.DENIED:
        raise ValidationError("A statement of disagreement can only follow a denial.")
    if locked.disagreement_statement:
        raise ValidationError("The patient's statement of disagreement was already filed.")
    if not statement.strip():
        raise ValidationError({"disagreement_statement": "Enter the patient's statement."})
    if received_on > timezone.localdate() or (locked.decided_on is not None and received_on < locked.decided_on):
        raise ValidationError({"disagreement_received_on": "The date must be between the denial and today."})
    locked.disagreement_statement, locked.disagreement_received_on = statement.strip(), received_on
    locked.save()
    return locked
