"""The demo's kiosk (issue #19) for ``manage.py seed_demo``: one patient answered their due questionnaires on the
clinic's tablet (a finished kiosk visit, handed over by a demo nurse), so the history and the questionnaire pages
show answers "by the patient, on the clinic's tablet"."""

from __future__ import annotations

from typing import Any

from clinic.accounts import roles
from clinic.accounts.models import User
from patients.choices import Indication
from patients.models import Patient
from patients.scoring import INSTRUMENTS
from portal import services
from portal.models import KioskEnd, KioskVisit, PortalSettings


def holds_data() -> bool:
    return KioskVisit.objects.exists()


def seed(*, stdout: Any) -> None:
    PortalSettings.current()
    nurse = User.objects.filter(groups__name=roles.NURSE, is_active=True).order_by("pk").first()
    candidates = Patient.objects.active().filter(primary_indication=Indication.TRD).order_by("pk")
    patient = next((p for p in candidates if services.questionnaires_due_now(p)), None)
    if nurse is None or patient is None:
        stdout.write("Kiosk: no demo nurse or no patient with a questionnaire due; none seeded.")
        return
    visit = services.kiosk_start(patient=patient, by=nurse, device="Tablet 1")
    for code in visit.items:
        instrument = INSTRUMENTS[code]
        risk = instrument.risk_item.key if instrument.risk_item else None
        answers: dict[str, int | None] = {
            item.key: (0 if item.key == risk else 1) if item.scored else None for item in instrument.items
        }
        services.kiosk_record(visit_id=visit.pk, instrument=code, answers=answers, by=nurse)
    services.kiosk_end(visit_id=visit.pk, by=None, how=KioskEnd.FINISHED)
    stdout.write(f"Kiosk: one visit on {visit.device}, {len(visit.items)} questionnaires answered by the patient.")
