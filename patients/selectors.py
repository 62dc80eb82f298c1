"""Reads for the patient page: every section loaded with a fixed number of queries, whatever the record's size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from clinic.dates import add_months
from patients.choices import (
    FAILED_OUTCOMES,
    FLAGGED_MEDICATION_CLASSES,
    MedicationClass,
    ScreeningStatus,
    TreatmentKind,
)
from patients.diary import MonthSummary, monthly_summaries
from patients.models import Consent, Patient, Readiness, Screening
from patients.models.readiness import readiness_from
from patients.scoring import INSTRUMENTS

DIARY_MONTHS = 6
RECENT_DIARY_DAYS = 14
SCREENINGS_SHOWN = 5
INSTRUMENT_ORDER = list(INSTRUMENTS)


@dataclass
class PatientRecord:
    """Everything the patient page shows."""

    patient: Patient
    readiness: Readiness
    allergies: list[Any]
    medication_flags: list[str]
    current_medications: list[Any]
    past_medications: list[Any]
    prior_treatments: list[Any]
    adequate_failed_trials: int
    measurements: list[Any]
    screenings: list[Any]
    consents: list[Any]
    diary_months: list[MonthSummary]
    diary_recent: list[Any]
    clinical: bool
    latest_questionnaires: list[Any]
    risk_alerts: list[Any]


def medication_flags(medications: list[Any]) -> list[str]:
    """The ketamine-relevant classes among current medications, in a fixed order, as display labels."""
    present = {m.medication_class for m in medications}
    return [MedicationClass(c).label for c in FLAGGED_MEDICATION_CLASSES if c in present]


def adequate_failed_antidepressant_trials(treatments: list[Any]) -> int:
    """Adequate antidepressant trials that did not bring a response (no or partial response).

    Treatment-resistant depression is commonly defined as failure of at least two adequate antidepressant trials
    (docs/clinical.md §1.6, [R8c, R8d]); the page shows the count so a clinician can read it off the record. Other
    medicines (a migraine preventive, an antipsychotic added to an antidepressant), psychotherapy and
    neuromodulation are not counted (issue #16 point 7).
    """
    return sum(
        1
        for t in treatments
        if t.kind == TreatmentKind.ANTIDEPRESSANT and t.adequate_trial and t.outcome in FAILED_OUTCOMES
    )


TRD_MIN_FAILED_TRIALS = 2


def patient_record(patient: Patient, *, clinical: bool, header_only: bool = False) -> PatientRecord:
    """Load the record. Without ``clinical`` (front desk) only identity, consent and gate status are read.

    ``header_only``: only what the patient header shows (allergies, medication flags, the gate, open risk alerts),
    for pages about one part of the record (the history, the session chart); the sections of the patient page
    (screening answers, latest questionnaires, prior treatments, measurements, diary) stay empty. Five queries
    fewer (make bench, issue #8)."""
    today = timezone.localdate()
    sections = clinical and not header_only
    consents = list(patient.consents.active())
    screening_rows = patient.screenings.active()
    screenings = list((screening_rows.with_answers() if sections else screening_rows)[:SCREENINGS_SHOWN])
    readiness = readiness_from(screenings=screenings, consents=consents, on=today)
    allergies = list(patient.allergies.active()) if clinical else []
    current, past, prior, measurements, diary_all, latest_questionnaires, risk_alerts = [], [], [], [], [], [], []
    if clinical:
        questionnaires = patient.questionnaires.active()
        risk_alerts = list(questionnaires.open_risk_alerts().order_by("completed_at"))
        medications = list(patient.medications.active())
        current = [m for m in medications if m.is_current(today)]
        past = [m for m in medications if not m.is_current(today)]
    if sections:
        latest_questionnaires = list(
            questionnaires.order_by("instrument", "-completed_at", "-pk").distinct("instrument")
        )
        latest_questionnaires.sort(key=lambda q: INSTRUMENT_ORDER.index(q.instrument))
        prior = list(patient.prior_treatments.active())
        measurements = list(patient.measurements.active()[:10])
        since = add_months(today.replace(day=1), -(DIARY_MONTHS - 1))
        diary_all = list(patient.diary_entries.active().filter(entry_date__gte=since))
    return PatientRecord(
        patient=patient,
        readiness=readiness,
        allergies=allergies,
        medication_flags=medication_flags(current),
        current_medications=current,
        past_medications=past,
        prior_treatments=prior,
        adequate_failed_trials=adequate_failed_antidepressant_trials(prior),
        measurements=measurements,
        screenings=screenings if clinical else [],
        consents=consents,
        diary_months=monthly_summaries(diary_all),
        diary_recent=diary_all[:RECENT_DIARY_DAYS],
        clinical=clinical,
        latest_questionnaires=latest_questionnaires,
        risk_alerts=risk_alerts,
    )


# Worklists (issue #18): each is the one rule behind a dashboard count and the list that count links to, so the two
# never disagree (patients/counts.py, patients/worklists.py).
CONSENT_EXPIRY_NOTICE_DAYS = 30


def screenings_to_clear(user: Any) -> Any:
    """Screenings no clinician has reviewed yet, oldest first: until one is cleared, the patient cannot start."""
    pending = Screening.objects.active().filter(status=ScreeningStatus.PENDING)
    return pending.visible_to(user).order_by("screened_on", "pk")


def consents_expiring(user: Any, today: Any = None) -> Any:
    """Consents that lapse within ``CONSENT_EXPIRY_NOTICE_DAYS`` (today included) and that no later consent of the
    same type renews, soonest first: the front desk asks the patient to sign again before the next visit."""
    today = today or timezone.localdate()
    last_day = today + dt.timedelta(days=CONSENT_EXPIRY_NOTICE_DAYS)
    renewal = Consent.objects.active().filter(
        Q(expires_on__isnull=True) | Q(expires_on__gt=last_day),
        patient=OuterRef("patient"),
        consent_type=OuterRef("consent_type"),
        withdrawn_on__isnull=True,
    )
    expiring = Consent.objects.active().filter(
        ~Exists(renewal), expires_on__gte=today, expires_on__lte=last_day, withdrawn_on__isnull=True
    )
    return expiring.visible_to(user).order_by("expires_on", "pk")
