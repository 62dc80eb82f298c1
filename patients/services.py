"""Writes to patient records. Each service is atomic, validates fully and records who did it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Func, Value
from django.utils import timezone

from clinic.accounts.models import User
from clinic.dates import add_months
from clinic.models import ClinicSettings
from clinic.services import record_save
from patients.choices import ScreeningStatus
from patients.models import ContraindicationItem, Patient, Screening, ScreeningAnswer

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


def possible_duplicates(*, given_name: str, family_name: str, date_of_birth: dt.date, exclude_pk: int | None = None):
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
    return Screening.objects.with_answers().get(pk=locked.pk)


@transaction.atomic
def screening_clear(*, screening: Screening, by: User, justification: str = "") -> Screening:
    """Clear a screening for treatment. Absolute findings block; relative findings need a written justification.

    Clearance holds for ClinicSettings.screening_validity_months (default 12).
    """
    screening = _locked_pending(screening)
    if screening.absolute_findings:
        raise ValidationError(ABSOLUTE_BLOCKS_CLEARANCE.format(items=_labels(screening.absolute_findings)))
    justification = (justification or "").strip()
    if screening.relative_findings and len(justification) < JUSTIFICATION_MIN_CHARS:
        raise ValidationError(
            {"justification": JUSTIFICATION_REQUIRED.format(items=_labels(screening.relative_findings))}
        )
    now = timezone.now()
    months = ClinicSettings.current().screening_validity_months
    screening.status = ScreeningStatus.CLEARED
    screening.reviewed_by, screening.reviewed_at = by, now
    screening.justification = justification
    screening.expires_on = add_months(timezone.localdate(now), months)
    return record_save(record=screening, by=by)


@transaction.atomic
def screening_decline(*, screening: Screening, by: User, note: str) -> Screening:
    """Record that the clinician did not clear the patient for treatment, and why."""
    note = (note or "").strip()
    if len(note) < 5:
        raise ValidationError({"review_note": "Say why the screening is not cleared."})
    screening = _locked_pending(screening)
    screening.status = ScreeningStatus.NOT_CLEARED
    screening.reviewed_by, screening.reviewed_at, screening.review_note = by, timezone.now(), note
    return record_save(record=screening, by=by)
