"""Demo side effects (``clinic`` seed_demo runs this after the infusions demo, in INSTALLED_APPS order)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from clinic.accounts.models import User
from infusions.models import InfusionSession
from side_effects import services
from side_effects.models import ExternalReport, SideEffect, SideEffectTerm


def holds_data() -> bool:
    return SideEffect.objects.exists()


def seed(*, stdout: Any) -> None:
    """Side effects on the demo's signed sessions, unless there are some already (idempotent)."""
    if SideEffect.objects.exists():
        return
    users = {u.username: u for u in User.objects.filter(username__in=["nurse", "clinician"])}
    rng = random.Random(2028)  # noqa: S311 - reproducible demo data, not security  # nosec
    count = seed_side_effects(rng, users["nurse"], users["clinician"])
    stdout.write(f"Demo side effects: {count}")


def seed_side_effects(rng: random.Random, nurse: Any, clinician: Any) -> int:
    """Side effects of every grade on past sessions and one between sessions: some serious, some unreviewed, one
    with an overdue external report (its due date is moved into the past: demo data only)."""
    past = list(InfusionSession.objects.filter(status="signed").order_by("scheduled_for")[:12])
    term = {t.name: t for t in SideEffectTerm.objects.all()}
    plans = [
        ("Dissociation", 1, [], True),
        ("Drowsiness", 1, [], True),
        ("Nausea", 2, [], True),
        ("Dizziness", 1, [], False),
        ("Hypertension", 2, [], True),
        ("Anxiety", 2, [], False),
        ("Hallucinations or emergence reaction", 3, ["important_medical_event"], False),
        ("Respiratory depression", 4, ["life_threatening"], False),
    ]
    created = []
    for session, (name, grade, criteria, review) in zip(past, plans, strict=False):
        onset = (session.started_at or session.scheduled_for) + dt.timedelta(minutes=rng.randint(15, 35))
        event = services.side_effect_report(
            patient=session.patient,
            session=session,
            by=nurse,
            term=term[name],
            grade=grade,
            onset_at=onset,
            serious=bool(criteria),
            seriousness_criteria=criteria,
            expected=not criteria,
            causality="probable" if grade < 3 else "possible",
            action_taken="rate_reduced" if grade >= 2 else "none",
            outcome="recovered",
            resolved_at=onset + dt.timedelta(minutes=rng.randint(20, 90)),
            narrative=f"{name} during the infusion; settled after the action taken.",
        )
        if review:
            services.side_effect_review(event=event, by=clinician, comment="Expected with ketamine; no change.")
        created.append(event)
    if past:
        services.side_effect_report(
            patient=past[0].patient,
            by=nurse,
            term=term["Headache"],
            grade=2,
            outcome="recovering",
            onset_at=timezone.now() - dt.timedelta(days=2),
            narrative="Phoned: headache since the day after.",
        )
    overdue = next((e for e in created if e.serious), None)
    if overdue is not None:
        ExternalReport.objects.filter(event=overdue, destination="medwatch").update(
            due_on=timezone.localdate() - dt.timedelta(days=3)
        )
    sent = next((e for e in created if e.serious and e != overdue), None)
    if sent is not None:  # sent to the FDA the day after: it also enters the patient's accounting of disclosures
        report = ExternalReport.objects.get(event=sent, destination="medwatch")
        sent_on = min(timezone.localdate(sent.onset_at) + dt.timedelta(days=1), timezone.localdate())
        services.external_report_submit(report=report, by=clinician, reference="MW-DEMO-0042", submitted_on=sent_on)
    return SideEffect.objects.count()
