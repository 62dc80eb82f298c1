"""What the kiosk changes (issue #19): a hand-over starts a logged visit with the questionnaires due at that moment;
each completed questionnaire is recorded as the patient's own answer (source "kiosk", the tablet's name) through the
questionnaires' own service, which scores it and raises the suicide-risk alert; the visit ends with how it ended."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from clinic.accounts.models import User
from patients.choices import AnswerSource
from patients.due import due_before
from patients.models import Patient, QuestionnaireResponse
from patients.models.questionnaire import Timepoint
from patients.scoring import Instrument
from patients.services import questionnaire_record
from portal.models import KioskEnd, KioskVisit

NOTHING_DUE = "Nothing is due for this patient today: every questionnaire of their indication is recent enough."


def questionnaires_due_now(patient: Patient, now: dt.datetime | None = None) -> list[Instrument]:
    """The questionnaires ``patient`` is asked now (docs/clinical.md §8.9), one query."""
    now = now or timezone.now()
    last = dict(
        QuestionnaireResponse.objects.active()
        .filter(patient=patient)
        .values("instrument")
        .annotate(last=Max("completed_at"))
        .values_list("instrument", "last")
    )
    return due_before(patient.primary_indication, last, now)


@transaction.atomic
def kiosk_start(*, patient: Patient, by: User, device: str) -> KioskVisit:
    """Hand the tablet to ``patient``: a visit offering the questionnaires due now, or a refusal when none is."""
    due = questionnaires_due_now(patient)
    if not due:
        raise ValidationError(NOTHING_DUE)
    return KioskVisit.objects.create(patient=patient, started_by=by, device=device.strip(),
                                     items=[i.code for i in due])  # fmt: skip


@transaction.atomic
def kiosk_record(*, visit_id: int, instrument: str, answers: dict[str, int | None], by: User) -> QuestionnaireResponse:
    """Record one questionnaire answered at the kiosk as the patient's own (at check-in, before the infusion)."""
    visit = KioskVisit.objects.select_for_update().select_related("patient").get(pk=visit_id, ended_at__isnull=True)
    response = questionnaire_record(patient=visit.patient, instrument=instrument, answers=answers, by=by,
                                    timepoint=Timepoint.PRE_SESSION, source=AnswerSource.KIOSK,
                                    device=visit.device)  # fmt: skip
    visit.answered = [*visit.answered, instrument]
    visit.save(update_fields=["answered"])
    return response


@transaction.atomic
def kiosk_end(*, visit_id: int, by: User | None, how: str) -> None:
    """Close the visit, once: a second ending (a sign-in after the patient finished) changes nothing."""
    visit = KioskVisit.objects.select_for_update().filter(pk=visit_id, ended_at__isnull=True).first()
    if visit is None:
        return
    visit.ended_at, visit.ended_how, visit.ended_by = timezone.now(), KioskEnd(how), by
    visit.save(update_fields=["ended_at", "ended_how", "ended_by"])
