"""The gate before an infusion: contraindication screening cleared and treatment consent valid
(docs/clinical.md §2.1)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from patients.choices import REQUIRED_CONSENT_FOR_INFUSION, ScreeningStatus


@dataclass(frozen=True)
class Readiness:
    """Whether an infusion may start, and if not, each reason as a sentence saying what to do."""

    screening_ok: bool
    consent_ok: bool
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.screening_ok and self.consent_ok


def _day(value: dt.date) -> str:
    return value.strftime("%-d %b %Y")


def screening_problem(screening: Any, on: dt.date) -> str | None:
    """Why ``screening`` (the latest one, or None) does not clear the patient on ``on``; None when it does."""
    if screening is None:
        return "No contraindication screening on file: complete one and have a clinician review it."
    if screening.status == ScreeningStatus.PENDING:
        return f"The screening of {_day(screening.screened_on)} is waiting for a clinician's review."
    if screening.status == ScreeningStatus.NOT_CLEARED:
        return f"The screening of {_day(screening.screened_on)} was not cleared by the clinician."
    if screening.expires_on < on:
        return f"Screening expired on {_day(screening.expires_on)}: repeat the screening."
    return None


def consent_problem(consent: Any, on: dt.date) -> str | None:
    """Why ``consent`` (the latest treatment consent, or None) is not valid on ``on``; None when it is."""
    if consent is None:
        return "No signed treatment consent on file: record the patient's signed consent."
    if consent.withdrawn_on is not None and consent.withdrawn_on <= on:
        return f"Consent was withdrawn on {_day(consent.withdrawn_on)}: record a new consent before treating."
    if consent.signed_on > on:
        return f"The consent is dated {_day(consent.signed_on)}, after this date."
    if consent.expires_on is not None and consent.expires_on < on:
        return f"Consent expired on {_day(consent.expires_on)}: record a new consent."
    return None


def latest_treatment_consent(consents: list[Any]) -> Any:
    """The most recently signed active treatment consent among ``consents`` (any order), or None."""
    treatment = [c for c in consents if c.consent_type == REQUIRED_CONSENT_FOR_INFUSION and not c.is_voided]
    return max(treatment, key=lambda c: (c.signed_on, c.pk), default=None)


def latest_screening(screenings: list[Any]) -> Any:
    active = [s for s in screenings if not s.is_voided]
    return max(active, key=lambda s: (s.screened_on, s.pk), default=None)


def readiness_from(*, screenings: list[Any], consents: list[Any], on: dt.date) -> Readiness:
    """Readiness from already-loaded rows: the latest screening and the latest treatment consent decide."""
    screening_issue = screening_problem(latest_screening(screenings), on)
    consent_issue = consent_problem(latest_treatment_consent(consents), on)
    return Readiness(
        screening_ok=screening_issue is None,
        consent_ok=consent_issue is None,
        problems=[p for p in (screening_issue, consent_issue) if p],
    )


def latest_on_file(patient: Any) -> tuple[Any, Any]:
    """The patient's latest screening and latest treatment consent, each or None (two queries)."""
    screening = patient.screenings.active().order_by("-screened_on", "-id").first()
    consent = (
        patient.consents.active()
        .filter(consent_type=REQUIRED_CONSENT_FOR_INFUSION)
        .order_by("-signed_on", "-id")
        .first()
    )
    return screening, consent


def readiness_for(patient: Any, on: dt.date) -> Readiness:
    """Check the latest screening and the latest treatment consent of ``patient`` (two queries)."""
    screening, consent = latest_on_file(patient)
    return readiness_from(screenings=[screening] if screening else [], consents=[consent] if consent else [], on=on)


def _when(day: dt.date) -> str:
    return day.strftime("%a %-d %b")


def booking_cautions(*, screening: Any, consent: Any, days: list[dt.date]) -> list[str]:
    """What front desk is told when booking sessions on ``days`` (docs/clinical.md §2.1): a gate that already fails
    on the first day, or a screening clearance or consent that will have lapsed by a later session. Warnings, never
    refusals: the gate itself is checked at the chair before the infusion starts."""
    if not days:
        return []
    days = sorted(days)
    cautions = []
    for latest, problem_of, what, fix in (
        (screening, screening_problem, "the screening clearance", "repeat the screening"),
        (consent, consent_problem, "the treatment consent", "record a new consent"),
    ):
        problem = problem_of(latest, days[0])
        if problem:
            cautions.append(f"For the session of {_when(days[0])}: {problem}")
            continue
        lapsed = next((day for day in days if problem_of(latest, day)), None)
        if lapsed is None:
            continue
        if latest.expires_on is not None and latest.expires_on < lapsed:
            cautions.append(f"By the session of {_when(lapsed)}, {what} will have expired ({_day(latest.expires_on)}):"
                            f" {fix} before then.")  # fmt: skip
        else:
            cautions.append(f"For the session of {_when(lapsed)}: {problem_of(latest, lapsed)}")
    return cautions
