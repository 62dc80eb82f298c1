"""Writes to patient records."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from clinic.accounts.models import User
from patients.models import Patient

MRN_PREFIX = "K"


def next_mrn() -> str:
    """A new medical record number from a database sequence: unique, human-readable and never reused."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('patients_mrn_seq')")
        (number,) = cursor.fetchone()
    return f"{MRN_PREFIX}{number:07d}"


@transaction.atomic
def patient_create(*, by: User | None, **fields: Any) -> Patient:
    """Register a patient and assign their MRN."""
    patient = Patient(mrn=next_mrn(), created_by=by, updated_by=by, **fields)
    patient.full_clean()
    patient.save()
    return patient
