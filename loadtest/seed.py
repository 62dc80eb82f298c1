"""Staff and sessions for the load test, in a scratch database that already holds the demo data.

Run by ``python -m loadtest`` through ``manage.py shell``; writes the plan (who logs in, which pages) as JSON.
Every session is taken to "infusing" through the services, as a nurse at the chair would.
"""

from __future__ import annotations

import json
from pathlib import Path

from clinic.accounts import mfa, roles
from infusions.models import InfusionSession, TreatmentCourse
from patients.models import Patient
from side_effects.models import SideEffectTerm
from tests.factories import UserFactory
from tests.infusions.test_services import started

PASSWORD = "load-test-password-2026"


def run(plan_path: str, nurses: int, clinicians: int) -> None:
    plan: dict = {"password": PASSWORD, "nurses": [], "clinicians": []}
    for n in range(1, nurses + 1):
        nurse = UserFactory(username=f"loadnurse{n:02d}", role=roles.NURSE, password=PASSWORD)
        mfa.enrol_demo(nurse)  # the second sign-in step with the demo secret (the load test computes the codes)
        session = started(nurse)
        plan["nurses"].append({"username": nurse.username, "session": session.pk, "patient": session.patient_id})
    load_clinicians = []
    for n in range(1, clinicians + 1):
        clinician = UserFactory(username=f"loadclinician{n:02d}", role=roles.CLINICIAN, password=PASSWORD)
        mfa.enrol_demo(clinician)
        plan["clinicians"].append(clinician.username)
        load_clinicians.append(clinician)
    plan["term"] = SideEffectTerm.objects.get(name="Dissociation").pk
    # The records every load-test clinician may open (they are on no care team, so restricted records are left
    # out: issue #24), and one each may not, which must answer 404 (never a 5xx and never the record).
    scope = load_clinicians[0]
    plan["patients"] = list(Patient.objects.visible_to(scope).order_by("pk").values_list("pk", flat=True)[:200])
    plan["courses"] = list(TreatmentCourse.objects.visible_to(scope).order_by("pk").values_list("pk", flat=True)[:200])
    plan["sessions"] = list(InfusionSession.objects.visible_to(scope).order_by("pk").values_list("pk", flat=True)[:200])
    hidden = Patient.objects.restricted_hidden_from(scope).order_by("pk").first()  # none without the demo data
    plan["refused"] = hidden and {
        "patient": hidden.pk,
        "course": TreatmentCourse.objects.filter(patient=hidden).values_list("pk", flat=True).first(),
    }
    Path(plan_path).write_text(json.dumps(plan))
