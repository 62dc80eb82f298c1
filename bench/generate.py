"""The benchmark's data, written with COPY (bench/bulk.py), one size at a time.

Each patient gets what a real one accumulates: registration, treatment consent, a cleared screening with its
answers, height and weight, medications, sometimes an allergy, prior treatments; an induction course and, for
longer treatments, a maintenance course; sessions (about 6 % cancelled or no-show) each with a baseline and 7 more
sets of vitals, the pump's rate changes (start, a titration on continuous protocols, stop), an antiemetic in a
quarter of them; questionnaires at baseline, after induction and at the last visit; a side effect for half of them.

Special patients, made with the first size: ``heavy_patients`` with 320 weekly sessions over six years (the
history page's worst case), ``today_patients`` with a session today in every state of the chart (the board), and
``schedule_patients`` who fill ``schedule_chairs`` chairs three sittings a weekday for five weeks around today (the
schedule's week and day views, issue #18).
Values come from the app's own rules (bench/pools.py); times are in the clinic's time zone like real entries.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from bench import pools
from bench.bulk import BulkLoad, Table
from bench.scales import DAYS_PER_SIZE_UNIT, Scale
from clinic.signatures.models import SignatureMeaning, meaning_text
from infusions import models as im
from infusions.choices import CourseStatus
from infusions.signing import SESSION_STATEMENTS
from patients import models as pm
from patients.choices import DEPRESSION_INDICATIONS, INDICATION_ICD10, Indication
from scheduling import models as schm
from scheduling.choices import BookingStatus
from side_effects import models as sm

BATCH = 500  # patients per round of COPYs
# The words a clinician's signature carries (infusions/signing.py); bench sessions get no signature record.
SIGN_MEANING = meaning_text(SignatureMeaning.APPROVAL, SESSION_STATEMENTS[SignatureMeaning.APPROVAL])[:100]

INDICATION_WEIGHTS = {
    Indication.TRD: 30, Indication.DEPRESSION_SI: 6, Indication.BIPOLAR_DEPRESSION: 6, Indication.PTSD: 8,
    Indication.CHRONIC_MIGRAINE: 15, Indication.EPISODIC_MIGRAINE: 6, Indication.OTHER_HEADACHE: 3,
    Indication.CRPS: 8, Indication.NEUROPATHIC_PAIN: 14, Indication.OTHER: 4,
}  # fmt: skip
PROTOCOL_FOR: dict[str, str] = {
    Indication.CRPS: "CRPS: 0.35 mg/kg/h over 4 h",
    Indication.NEUROPATHIC_PAIN: "Chronic pain: 0.5–2 mg/kg/h",
    Indication.CHRONIC_MIGRAINE: "Refractory migraine: continuous from 0.1 mg/kg/h",
    Indication.EPISODIC_MIGRAINE: "Refractory migraine: continuous from 0.1 mg/kg/h",
    Indication.OTHER_HEADACHE: "Refractory migraine: continuous from 0.1 mg/kg/h",
}
DEFAULT_PROTOCOL = "Depression: 0.5 mg/kg over 40 min"
PREPARATION = "Ketamine 1 mg/mL bag from 50 mg/mL vial"
MEDICATIONS = [
    ("Sertraline", "100 mg", "daily", "other"), ("Bupropion", "150 mg", "daily", "other"),
    ("Lorazepam", "0.5 mg", "at night as needed", "benzodiazepine"), ("Zolpidem", "5 mg", "at night", "hypnotic"),
    ("Lamotrigine", "100 mg", "twice daily", "lamotrigine"), ("Topiramate", "50 mg", "twice daily", "other"),
    ("Gabapentin", "300 mg", "three times daily", "other"), ("Oxycodone", "5 mg", "as needed", "opioid"),
    ("Methylphenidate", "10 mg", "mornings", "psychostimulant"), ("Propranolol", "40 mg", "twice daily", "other"),
]  # fmt: skip
PRIOR = [("Sertraline", "antidepressant"), ("Escitalopram", "antidepressant"), ("Venlafaxine", "antidepressant"),
         ("CBT", "psychotherapy"), ("TMS", "neuromodulation"), ("Nerve block", "procedure")]  # fmt: skip
TERM_WEIGHTS = {"Dissociation": 30, "Nausea": 18, "Dizziness": 12, "Drowsiness": 10, "Hypertension": 8,
                "Anxiety": 6, "Headache": 6, "Blurred vision": 4, "Vomiting": 3, "Tachycardia": 2}  # fmt: skip
TODAY_STATES = ["scheduled", "infusing", "signed", "observing", "scheduled", "checked_in", "infusing", "discharged",
                "scheduled", "observing"]  # fmt: skip
CANCELLED_SHARE = 0.06
# The schedule: weekday sittings (minutes after midnight) of SITTING_MINUTES each, Saturday's one, the weeks booked.
SITTINGS, SATURDAY_SITTINGS, SITTING_MINUTES = (8 * 60, 11 * 60 + 30, 15 * 60), (9 * 60,), 180
SCHEDULE_WEEKS_BACK, SCHEDULE_WEEKS_AHEAD = 2, 2
MINUTE = dt.timedelta(minutes=1)


def tables() -> dict[str, Table]:
    """Every table the generator fills, with the columns it gives (the rest take their constant defaults)."""
    authored = ("created_at", "updated_at", "created_by_id")
    return {
        "patient": Table(pm.Patient, ["id", "mrn", "given_name", "family_name", "date_of_birth", "sex", "phone",
                                      "email", "address_line1", "city", "region", "postal_code",
                                      "primary_indication", "icd10_code", "referring_clinician", *authored]),
        "consent": Table(pm.Consent, ["id", "patient_id", "consent_type", "form_version", "signed_on",
                                      "witness_name", *authored]),
        "screening": Table(pm.Screening, ["id", "patient_id", "screened_on", "status", "reviewed_by_id",
                                          "reviewed_at", "expires_on", *authored]),
        "answer": Table(pm.ScreeningAnswer, ["id", "screening_id", "item_id", "present", *authored]),
        "measurement": Table(pm.BodyMeasurement, ["id", "patient_id", "measured_on", "weight_kg", "height_cm",
                                                  *authored]),
        "medication": Table(pm.Medication, ["id", "patient_id", "name", "dose", "frequency", "medication_class",
                                            "start_date", *authored]),
        "allergy": Table(pm.Allergy, ["id", "patient_id", "substance", "reaction", "severity", *authored]),
        "prior": Table(pm.PriorTreatment, ["id", "patient_id", "treatment", "kind", "adequate_trial", "outcome",
                                           *authored]),
        "course": Table(im.TreatmentCourse, ["id", "patient_id", "protocol_id", "prescriber_id", "ordered_dose",
                                             "ordered_max", "planned_sessions", "status", "stop_reason",
                                             "stop_reason_code", "started_on", *authored]),
        "session": Table(im.InfusionSession, [
            "id", "course_id", "patient_id", "scheduled_for", "chair", "nurse_id", "status", "cancel_reason",
            "checked_in_at", "escort_name", "escort_phone", "fasting", "pregnancy_check", "weight_kg",
            "preparation_id", "dose_per_kg", "planned_dose_mg", "start_rate_mg_h", "start_rate_ml_h",
            "dose_calculation", "started_at", "infusion_ended_at", "total_mg", "pain_before", "pain_after",
            "padss_vitals", "padss_activity", "padss_nausea", "padss_pain", "padss_bleeding", "escort_present",
            "aftercare_given", "discharged_at", "discharged_by_id", "signed_at", "signed_by_id",
            "signature_meaning", *authored]),
        "vitals": Table(im.VitalSign, ["id", "session_id", "taken_at", "is_baseline", "systolic", "diastolic",
                                       "heart_rate", "spo2", "resp_rate", "sedation", "dissociation", "pain",
                                       "alerts", *authored]),
        "rate": Table(im.RateChange, ["id", "session_id", "at", "rate_mg_per_kg_h", "rate_mg_h", "rate_ml_h",
                                      "reason", *authored]),
        "given": Table(im.SessionMedication, ["id", "session_id", "drug", "dose", "unit", "route", "given_at",
                                              "reason", *authored]),
        "event": Table(sm.SideEffect, [
            "id", "patient_id", "session_id", "onset_at", "term_id", "category", "grade", "serious",
            "seriousness_criteria", "expected", "causality", "action_taken", "outcome", "resolved_at",
            "suspect_drug", "reviewed_by_id", "reviewed_at", *authored]),
        "report": Table(sm.ExternalReport, ["id", "event_id", "destination", "due_on", "submitted_on", "reference",
                                            *authored]),
        "booking": Table(schm.Booking, ["id", "patient_id", "session_id", "chair_id", "period", "status", *authored]),
        "questionnaire": Table(pm.QuestionnaireResponse, [
            "id", "patient_id", "instrument", "completed_at", "timepoint", "answers", "total", "band",
            "suicide_risk", "risk_acknowledged_at", "risk_acknowledged_by_id", "risk_action", *authored]),
    }  # fmt: skip


@dataclass
class Context:
    """What every size shares: the scale, staff, reference rows, value pools and the picks for the measurement."""

    scale: Scale
    nurses: list[int]
    clinicians: list[int]
    now: dt.datetime = field(default_factory=timezone.now)
    rng: random.Random = field(init=False)
    picks: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        seed = self.scale.seed
        self.rng = random.Random(seed)
        self.today = timezone.localdate(self.now)
        self.tz = timezone.get_current_timezone()
        self.names = pools.names(seed)
        self.baselines, self.readings = pools.vitals(seed, baseline=True), pools.vitals(seed, baseline=False)
        self.forms = {code: pools.questionnaires(seed, code) for code in ("phq9", "nrs_pain")}
        self.protocols = {p.name: p for p in im.Protocol.objects.all()}
        self.preparation = im.DrugPreparation.objects.get(name=PREPARATION)
        self.doses = {name: pools.doses(p, self.preparation.final_mg_ml) for name, p in self.protocols.items()}
        terms = {t.name: t for t in sm.SideEffectTerm.objects.all()}
        self.terms = [terms[name] for name in TERM_WEIGHTS]
        self.items = list(pm.ContraindicationItem.objects.filter(is_active=True).values_list("id", flat=True))
        self.picks.setdefault("patients", [])

    def at(self, day: dt.date, minutes: float) -> dt.datetime:
        """The clinic-local time ``minutes`` after midnight of ``day``, as an aware datetime."""
        return dt.datetime.combine(day, dt.time(0), tzinfo=self.tz) + dt.timedelta(minutes=minutes)

    def window(self, size_index: int) -> tuple[dt.date, dt.date]:
        """The days the size's new patients are treated in: the newest year for the first size, the years before
        it for the next (bench/scales.py)."""
        sizes = self.scale.sizes
        newer = 0 if size_index == 0 else round(DAYS_PER_SIZE_UNIT * sizes[size_index - 1] / sizes[0])
        older = round(DAYS_PER_SIZE_UNIT * sizes[size_index] / sizes[0])
        return self.today - dt.timedelta(days=older), self.today - dt.timedelta(days=newer + 1)


class Generator:
    """Adds rows for one patient at a time to ``tables``; ``flush`` COPYs what has accumulated."""

    def __init__(self, ctx: Context, tables: dict[str, Table]) -> None:
        self.ctx, self.t, self.rng = ctx, tables, ctx.rng
        self.indications = list(INDICATION_WEIGHTS)
        self.indication_weights = list(INDICATION_WEIGHTS.values())
        self.term_weights = list(TERM_WEIGHTS.values())

    def flush(self, cursor: Any) -> None:
        for table in self.t.values():
            table.flush(cursor)

    # Patients and their background ---------------------------------------------------------------------------

    def patient(self, *, registered: dt.date, indication: str) -> tuple[int, Decimal]:
        """A registered patient with consent, cleared screening, measurements and medications; (id, weight)."""
        ctx, rng, t = self.ctx, self.rng, self.t
        pid = t["patient"].next_id()
        by = rng.choice(ctx.clinicians)
        when = ctx.at(registered, 9 * 60 + rng.randint(0, 480))
        street, (city, state, zip_code) = rng.choice(ctx.names.streets), rng.choice(ctx.names.cities)
        t["patient"].add(
            pid, f"B{pid:07d}", rng.choice(ctx.names.given), rng.choice(ctx.names.family),
            dt.date(rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28)),
            rng.choice(["female", "female", "male", "male", "unknown"]),
            f"(555) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}", f"patient{pid}@example.org", street, city,
            state, zip_code, indication, INDICATION_ICD10[Indication(indication)], rng.choice(ctx.names.referrers),
            when, when, by,
        )  # fmt: skip
        t["consent"].add(t["consent"].next_id(), pid, "treatment", "KIT-01 v3", registered, "Front desk", when, when,
                         by)  # fmt: skip
        screening = t["screening"].next_id()
        reviewed = when + dt.timedelta(hours=3)
        t["screening"].add(screening, pid, registered, "cleared", by, reviewed,
                           registered + dt.timedelta(days=365), when, reviewed, by)  # fmt: skip
        for item in ctx.items:
            t["answer"].add(t["answer"].next_id(), screening, item, False, when, when, by)
        weight = rng.choice(pools.WEIGHTS_KG)
        t["measurement"].add(t["measurement"].next_id(), pid, registered, weight,
                             Decimal(rng.randint(150, 195)), when, when, by)  # fmt: skip
        for name, dose, frequency, kind in rng.sample(MEDICATIONS, rng.choice([1, 1, 2])):
            t["medication"].add(t["medication"].next_id(), pid, name, dose, frequency, kind,
                                registered - dt.timedelta(days=rng.randint(30, 900)), when, when, by)  # fmt: skip
        if rng.random() < 0.3:
            t["allergy"].add(t["allergy"].next_id(), pid, rng.choice(["Penicillin", "Sulfa drugs", "Latex"]),
                             "Rash", "mild", when, when, by)  # fmt: skip
        for name, kind in rng.sample(PRIOR, 2 if indication in DEPRESSION_INDICATIONS else 1):
            t["prior"].add(t["prior"].next_id(), pid, name, kind, True, "no_response", when, when, by)
        return pid, weight

    def questionnaire(self, pid: int, code: str, at: dt.datetime, level: int, *, baseline: bool = False) -> None:
        ctx, t = self.ctx, self.t
        form = self.rng.choice(ctx.forms[code][level])
        clinician = self.rng.choice(ctx.clinicians)
        ack = at + dt.timedelta(hours=2) if form.suicide_risk else None
        t["questionnaire"].add(
            t["questionnaire"].next_id(), pid, code, at, "baseline" if baseline else "follow_up", form.answers,
            form.total, form.band, form.suicide_risk, ack, clinician if ack else None,
            "Safety plan reviewed with the patient; no intent or plan." if ack else "", at, ack or at, clinician,
        )  # fmt: skip

    # Courses and sessions ------------------------------------------------------------------------------------

    def course(self, pid: int, protocol: Any, started_on: dt.date, status: str, stop_reason: str = "") -> int:
        course = self.t["course"].next_id()
        when = self.ctx.at(started_on, 8 * 60)
        planned = protocol.planned_induction_sessions
        self.t["course"].add(course, pid, protocol.id, self.rng.choice(self.ctx.clinicians), protocol.default_dose,
                             protocol.usual_max, planned, str(status), stop_reason,
                             "patient_choice" if status == CourseStatus.STOPPED else "", started_on, when, when,
                             self.rng.choice(self.ctx.clinicians))  # fmt: skip
        return course

    def cancelled(self, course: int, pid: int, start: dt.datetime, chair: str) -> None:
        nurse = self.rng.choice(self.ctx.nurses)
        no_show = self.rng.random() < 0.5
        self.t["session"].add(
            self.t["session"].next_id(), course, pid, start, chair, nurse, "no_show" if no_show else "cancelled",
            "Did not attend; phoned, rebooked." if no_show else "Patient unwell (cold); rebooked.", None, "", "", "",
            "", None, None, None, None, None, None, "", None, None, None, None, None, None, None, None, None, None,
            False, False, None, None, None, None, "", start - dt.timedelta(days=3), start, nurse,
        )  # fmt: skip

    def session(self, course: int, pid: int, protocol: Any, weight: Decimal, start: dt.datetime, chair: str,
                state: str = "signed") -> int:  # fmt: skip
        """A session at ``start`` taken as far as ``state`` (checked_in ... signed), with its vitals, rate changes,
        medications and times as the chart would have recorded them."""
        ctx, rng, t = self.ctx, self.rng, self.t
        sid = t["session"].next_id()
        nurse, clinician = rng.choice(ctx.nurses), rng.choice(ctx.clinicians)
        dose = ctx.doses[protocol.name][weight]
        continuous = protocol.is_continuous
        minutes = protocol.infusion_minutes or 180
        checked_in, started = start - 10 * MINUTE, start + 10 * MINUTE
        ended, discharged = started + minutes * MINUTE, started + (minutes + 65) * MINUTE
        signed = discharged + 90 * MINUTE
        order = ["checked_in", "infusing", "observing", "discharged", "signed"]
        reached = order.index(state)
        # Vitals: the baseline, then up to 7 sets spread from the start to the discharge.
        b = rng.choice(ctx.baselines)
        t["vitals"].add(t["vitals"].next_id(), sid, start - 5 * MINUTE, True, *b.values, b.alerts,
                        start - 5 * MINUTE, start - 5 * MINUTE, nurse)  # fmt: skip
        last = {1: started + 15 * MINUTE, 2: ended, 3: discharged, 4: discharged}.get(reached)
        if last is not None:
            step = (discharged - started) / (self.ctx.scale.vitals_per_session - 1)
            taken = started + step
            while taken <= last:
                r = rng.choice(ctx.readings)
                t["vitals"].add(t["vitals"].next_id(), sid, taken, False, *r.values, r.alerts, taken, taken, nurse)
                taken += step
        total = None
        if reached >= 1:
            per_kg = dose.dose_per_kg if continuous else None
            t["rate"].add(t["rate"].next_id(), sid, started, per_kg, dose.rate_mg_h, dose.rate_ml_h,
                          "Infusion started", started, started, nurse)  # fmt: skip
            rate_after = dose.rate_mg_h
            if continuous:
                titrated = started + (minutes // 2) * MINUTE
                per_kg_after = dose.dose_per_kg + protocol.titration_step
                rate_after = (weight * per_kg_after).quantize(Decimal("0.1"))
                t["rate"].add(t["rate"].next_id(), sid, titrated, per_kg_after, rate_after,
                              (rate_after / ctx.preparation.final_mg_ml).quantize(Decimal("0.1")),
                              "Pain 6/10, tolerating well", titrated, titrated, nurse)  # fmt: skip
            if rng.random() < 0.25:
                given = started + 20 * MINUTE
                t["given"].add(t["given"].next_id(), sid, "ondansetron", Decimal(4), "mg", "iv", given,
                               "Nausea", given, given, nurse)  # fmt: skip
            if reached >= 2:
                t["rate"].add(t["rate"].next_id(), sid, ended, Decimal(0) if continuous else None, Decimal(0),
                              Decimal(0), "Infusion stopped", ended, ended, nurse)  # fmt: skip
                half = Decimal(minutes) / 120
                total = (
                    dose.planned_dose_mg
                    if not continuous
                    else ((dose.rate_mg_h + rate_after) * half).quantize(Decimal("0.01"))
                )
        done = reached >= 3
        status = {0: "checked_in", 1: "infusing", 2: "observing", 3: "discharged", 4: "signed"}[reached]
        pain_before = rng.randint(3, 8)
        t["session"].add(
            sid, course, pid, start, chair, nurse, status, "", checked_in, "Escort (family)", "(555) 010-0000",
            "confirmed", "not_applicable", weight, ctx.preparation.id, dose.dose_per_kg, dose.planned_dose_mg,
            dose.rate_mg_h, dose.rate_ml_h, dose.explanation, started if reached >= 1 else None,
            ended if reached >= 2 else None, total, pain_before,
            max(pain_before - rng.randint(0, 4), 0) if done else None,
            *((2,) * 5 if done else (None,) * 5), done, done, discharged if done else None,
            nurse if done else None, signed if reached == 4 else None, clinician if reached == 4 else None,
            SIGN_MEANING if reached == 4 else "", start - dt.timedelta(days=7), start if reached == 0 else
            (signed if reached == 4 else start), nurse,
        )  # fmt: skip
        return sid

    def side_effect(self, pid: int, session: int, onset: dt.datetime, protocol: Any) -> None:
        ctx, rng, t = self.ctx, self.rng, self.t
        term = rng.choices(ctx.terms, weights=self.term_weights)[0]
        serious = rng.random() < 0.01
        grade = 3 if serious else rng.choice([1, 1, 1, 2])
        reviewed = onset.date() < ctx.today - dt.timedelta(days=14)
        clinician, nurse = rng.choice(ctx.clinicians), rng.choice(ctx.nurses)
        event = t["event"].next_id()
        t["event"].add(
            event, pid, session, onset, term.id, term.category, grade, serious,
            ["important_medical_event"] if serious else [], True, "probable", "none", "recovered",
            onset + 40 * MINUTE, f"{protocol.name}, running at onset", clinician if reviewed else None,
            onset + dt.timedelta(days=1) if reviewed else None, onset, onset, nurse,
        )  # fmt: skip
        if serious:
            due = onset.date() + dt.timedelta(days=15)
            t["report"].add(t["report"].next_id(), event, "medwatch", due, due - dt.timedelta(days=10) if reviewed
                            else None, "MW-BENCH" if reviewed else "", onset, onset, clinician)  # fmt: skip

    # Patients of each kind -----------------------------------------------------------------------------------

    def regular(self, first: dt.date, last: dt.date) -> int:
        """A patient treated between ``first`` and ``last``: induction, maybe maintenance, outcomes, side effects."""
        ctx, rng = self.ctx, self.rng
        indication = str(rng.choices(self.indications, weights=self.indication_weights)[0])
        protocol = ctx.protocols[PROTOCOL_FOR.get(indication, DEFAULT_PROTOCOL)]
        planned = protocol.planned_induction_sessions
        count = rng.randint(ctx.scale.sessions_per_patient - 4, ctx.scale.sessions_per_patient + 4)
        gaps = [rng.randint(2, 4) if n < planned else rng.randint(21, 35) for n in range(1, count)]
        span = sum(gaps)
        room = (last - first).days
        if span > room:  # a short window: squeeze the visits in
            gaps = [max(1, g * room // span) for g in gaps]
            span = sum(gaps)
        day = first + dt.timedelta(days=rng.randint(0, max(room - span, 0)))
        pid, weight = self.patient(registered=day - dt.timedelta(days=10), indication=indication)
        days = [day]
        for gap in gaps:
            days.append(days[-1] + dt.timedelta(days=gap))
        induction = days[:planned]
        stopped = len(induction) < planned
        course = self.course(pid, protocol, day, CourseStatus.STOPPED if stopped else CourseStatus.COMPLETED,
                             "Patient chose to stop: travel to the clinic too hard." if stopped else "")  # fmt: skip
        maintenance = None
        if len(days) > planned:
            recent = days[-1] > ctx.today - dt.timedelta(days=60)
            maintenance = self.course(pid, protocol, days[planned],
                                      CourseStatus.MAINTENANCE if recent else CourseStatus.COMPLETED)  # fmt: skip
        chair = str(rng.randint(1, 8))
        given: list[tuple[int, dt.datetime]] = []
        for n, visit in enumerate(days):
            start = ctx.at(visit, rng.choice(range(8 * 60, 16 * 60, 30)))
            course_id = course if n < planned or maintenance is None else maintenance
            if rng.random() < CANCELLED_SHARE:
                self.cancelled(course_id, pid, start, chair)
            else:
                given.append((self.session(course_id, pid, protocol, weight, start, chair), start))
        code = "phq9" if indication in DEPRESSION_INDICATIONS or indication == Indication.PTSD else "nrs_pain"
        self.questionnaire(pid, code, ctx.at(day - dt.timedelta(days=1), 10 * 60), rng.choice([3, 4]), baseline=True)
        self.questionnaire(pid, code, ctx.at(induction[-1], 17 * 60), rng.choice([1, 2, 3]))
        self.questionnaire(pid, code, ctx.at(days[-1], 17 * 60 + 30), rng.choice([0, 1, 2, 3]))
        if given and rng.random() < ctx.scale.side_effects_per_patient:
            session, start = rng.choice(given)
            self.side_effect(pid, session, start + 45 * MINUTE, protocol)
        return pid

    def heavy(self) -> int:
        """A depression patient on weekly maintenance for six years: 320 sessions, monthly PHQ-9, 20 side effects."""
        ctx, rng = self.ctx, self.rng
        protocol = ctx.protocols[DEFAULT_PROTOCOL]
        count = ctx.scale.heavy_sessions
        first = ctx.today - dt.timedelta(days=7 * count)
        pid, weight = self.patient(registered=first - dt.timedelta(days=10), indication=str(Indication.TRD))
        induction = self.course(pid, protocol, first, CourseStatus.COMPLETED)
        planned = protocol.planned_induction_sessions
        maintenance = self.course(pid, protocol, first + dt.timedelta(days=7 * planned), CourseStatus.MAINTENANCE)
        given = []
        for n in range(count):
            start = ctx.at(first + dt.timedelta(days=7 * n), 9 * 60)
            given.append((self.session(induction if n < planned else maintenance, pid, protocol, weight, start, "1"),
                          start))  # fmt: skip
        for n, day in enumerate(range(0, 7 * count, 28)):
            self.questionnaire(pid, "phq9", ctx.at(first + dt.timedelta(days=day - 1), 17 * 60),
                               4 if n == 0 else rng.choice([0, 1, 1, 2]), baseline=n == 0)  # fmt: skip
        for session, start in rng.sample(given, 20):
            self.side_effect(pid, session, start + 45 * MINUTE, protocol)
        return pid

    def today(self, index: int) -> int:
        """A patient in induction with a session today in one of the chart's states (TODAY_STATES)."""
        ctx, rng = self.ctx, self.rng
        indication = str(rng.choices(self.indications, weights=self.indication_weights)[0])
        protocol = ctx.protocols[PROTOCOL_FOR.get(indication, DEFAULT_PROTOCOL)]
        first = ctx.today - dt.timedelta(days=7)
        pid, weight = self.patient(registered=first - dt.timedelta(days=10), indication=indication)
        course = self.course(pid, protocol, first, CourseStatus.INDUCTION)
        chair = str(index % 8 + 1)
        for day in (first, first + dt.timedelta(days=4)):
            self.session(course, pid, protocol, weight, ctx.at(day, 9 * 60), chair)
        code = "phq9" if indication in DEPRESSION_INDICATIONS else "nrs_pain"
        self.questionnaire(pid, code, ctx.at(first - dt.timedelta(days=1), 10 * 60), 3, baseline=True)
        state = TODAY_STATES[index % len(TODAY_STATES)]
        minutes = protocol.infusion_minutes or 180
        # How long before now each state's session began (check-in 10 min before the start).
        ago = {"checked_in": 5, "infusing": 30, "observing": 10 + minutes + 20, "discharged": 10 + minutes + 75,
               "signed": 10 + minutes + 165}  # fmt: skip
        # Before 06:00 the clinic's day has not begun: place the day's sessions as if it were 06:00.
        day_start = ctx.at(ctx.today, 0)
        now = max(ctx.now, day_start + dt.timedelta(hours=6))
        if state == "scheduled":
            start = min(now + (15 + 15 * index) * MINUTE, day_start + dt.timedelta(hours=23, minutes=30))
            sid = self.scheduled(course, pid, start, chair, booked=ctx.at(first, 9 * 60))
        else:
            start = max(now - ago[state] * MINUTE, day_start + 5 * MINUTE)
            sid = self.session(course, pid, protocol, weight, start, chair, state)
        ctx.picks.setdefault("today_sessions", []).append(sid)
        if state in ("infusing", "observing"):
            ctx.picks.setdefault("chair_sessions", []).append(sid)
        return pid

    def scheduled(self, course: int, pid: int, start: dt.datetime, chair: str, *, booked: dt.datetime) -> int:
        """A session booked at ``start`` and not yet held (booked by a nurse at ``booked``)."""
        sid = self.t["session"].next_id()
        self.t["session"].add(
            sid, course, pid, start, chair, None, "scheduled", "", None, "", "", "", "", None, None, None, None,
            None, None, "", None, None, None, None, None, None, None, None, None, None, False, False, None, None,
            None, None, "", booked, booked, self.rng.choice(self.ctx.nurses),
        )  # fmt: skip
        return sid

    def schedule(self) -> None:
        """A clinic's schedule (issue #18): two rooms of chairs, open Monday to Saturday, every chair booked three
        sittings a weekday and one on Saturday from SCHEDULE_WEEKS_BACK weeks before this week to
        SCHEDULE_WEEKS_AHEAD after it, by patients of their own taken in turn (so none is in two chairs at once).
        Sittings of the days before today were held and signed; those after it are booked; today has none, so that
        the today board shows the same 40 sessions as before the schedule existed."""
        ctx, rng, scale = self.ctx, self.rng, self.ctx.scale
        rooms = [schm.Room.objects.create(name=name, display_order=n) for n, name in enumerate(("North", "South"))]
        chairs = [schm.Chair.objects.create(name=f"S{n + 1}", room=rooms[n * len(rooms) // scale.schedule_chairs],
                                            display_order=n) for n in range(scale.schedule_chairs)]  # fmt: skip
        for weekday in range(5):
            schm.OpeningHours.objects.create(weekday=weekday, opens=dt.time(8), closes=dt.time(18))
        schm.OpeningHours.objects.create(weekday=5, opens=dt.time(9), closes=dt.time(13))
        protocol = ctx.protocols[DEFAULT_PROTOCOL]
        first = ctx.today - dt.timedelta(days=ctx.today.weekday() + 7 * SCHEDULE_WEEKS_BACK)
        patients = []
        for _ in range(scale.schedule_patients):
            pid, weight = self.patient(registered=first - dt.timedelta(days=30), indication=str(Indication.TRD))
            course = self.course(pid, protocol, first, CourseStatus.INDUCTION)
            self.questionnaire(pid, "phq9", ctx.at(first - dt.timedelta(days=1), 10 * 60), 3, baseline=True)
            for days in (3, 10):  # follow-ups after the first sittings, all before today
                self.questionnaire(pid, "phq9", ctx.at(first + dt.timedelta(days=days), 17 * 60), rng.choice([1, 2]))
            patients.append((pid, weight, course))
        turn = 0
        for offset in range(7 * (SCHEDULE_WEEKS_BACK + 1 + SCHEDULE_WEEKS_AHEAD)):
            day = first + dt.timedelta(days=offset)
            sittings = SITTINGS if day.weekday() < 5 else SATURDAY_SITTINGS if day.weekday() == 5 else ()
            if day == ctx.today:
                continue  # today's board keeps the sessions of ``today`` alone, as in the runs before the schedule
            for minutes in sittings:
                start = ctx.at(day, minutes)
                for chair in chairs:
                    pid, weight, course = patients[turn % len(patients)]
                    turn += 1
                    held = day < ctx.today  # held and signed that day
                    sid = (
                        self.session(course, pid, protocol, weight, start, chair.name)
                        if held
                        else self.scheduled(course, pid, start, chair.name, booked=start - dt.timedelta(days=14))
                    )
                    period = f"[{start.isoformat()},{(start + SITTING_MINUTES * MINUTE).isoformat()})"
                    booked = start - dt.timedelta(days=14)
                    self.t["booking"].add(self.t["booking"].next_id(), pid, sid, chair.pk, period,
                                          BookingStatus.BOOKED, booked, booked, rng.choice(ctx.nurses))  # fmt: skip
        ctx.picks["week"] = ctx.today.isoformat()


def generate(ctx: Context, size_index: int, already: int) -> dict[str, Any]:
    """Add the patients of size ``size_index`` (the database holds ``already``); return what was written and how
    long each step took."""
    scale = ctx.scale
    wanted = scale.sizes[size_index] - already
    first, last = ctx.window(size_index)
    all_tables = tables()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own cursor, for COPY
        load = BulkLoad(cursor, all_tables.values())
        load.start()
        gen = Generator(ctx, all_tables)
        special = 0
        if size_index == 0:
            ctx.picks["heavy"] = [gen.heavy() for _ in range(scale.heavy_patients)]
            for index in range(scale.today_patients):
                gen.today(index)
            gen.schedule()
            special = scale.heavy_patients + scale.today_patients + scale.schedule_patients
            gen.flush(cursor)
        for n in range(wanted - special):
            pid = gen.regular(first, last)
            if size_index == 0 and len(ctx.picks["patients"]) < 50:
                ctx.picks["patients"].append(pid)
            if n % BATCH == BATCH - 1:
                gen.flush(cursor)
        gen.flush(cursor)
        timings["copy_s"] = time.perf_counter() - started
        mark = time.perf_counter()
        load.finish()
        timings["indexes_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    connection.ensure_connection()
    with connection.cursor() as cursor:
        for table in all_tables.values():  # outside the transaction: VACUUM cannot run inside one
            cursor.execute(f'VACUUM (ANALYZE) "{table.name}"')
    timings["vacuum_analyze_s"] = time.perf_counter() - mark
    timings["total_s"] = time.perf_counter() - started
    rows = {table.name: table.written for table in all_tables.values()}
    return {"patients_added": wanted, "window": [first.isoformat(), last.isoformat()], "rows": rows,
            "rows_total": sum(rows.values()), "seconds": {k: round(v, 1) for k, v in timings.items()}}  # fmt: skip
