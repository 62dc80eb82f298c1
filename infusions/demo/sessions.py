"""Demo courses and sessions for ``manage.py seed_demo``: fictitious, generated with fixed seeds.

Nothing here is real: escorts come from Faker, phone numbers from the fictional 555-01xx range, and every vital sign
is made up. Each session is charted through ``infusions.services`` exactly as the front desk, nurse and clinician
would (so the state machine, dose checks and vitals alerts all apply), with explicit times: a few weeks of signed
sessions per course, a few left to sign, a cancellation and a no-show, today's board in every live state, and
bookings for the next days. The apps above add their part of each visit (the ledger's draw and reconciliation)
through ``VisitCompanions``.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable
from decimal import Decimal as D
from functools import partial
from typing import Any

from django.conf import settings
from django.utils import timezone
from faker import Faker

from clinic.accounts.models import User
from clinic.seeding import demo_modules
from clinic.signatures.services import REAUTH_VALID_SECONDS, Reauthentication, reauthenticate
from infusions import services
from infusions.checkin import pregnancy_test_applies
from infusions.demo.outcomes import seed_outcomes
from infusions.models import DrugPreparation, InfusionSession, Protocol, TreatmentCourse, VitalSign
from patients.choices import Indication, PatientStatus
from patients.models import Patient

DOSE_COURSES = 8  # today's board takes six single-dose courses; cancellations and bookings take more
DEMO_COURSES = 16  # enough for every state and protocol; each charted session costs ~0.4 s to seed
DEPRESSION = "Depression: 0.5 mg/kg over 40 min"
MIGRAINE = "Refractory migraine: continuous from 0.1 mg/kg/h"
CRPS = "CRPS: 0.35 mg/kg/h over 4 h"
PAIN = "Chronic pain: 0.5–2 mg/kg/h"
# fmt: off
ORDERS = {  # indication -> (protocol, ordered dose, ordered maximum), in the protocol's unit
    Indication.TRD: (DEPRESSION, "0.5", "0.75"), Indication.DEPRESSION_SI: (DEPRESSION, "0.5", "0.75"),
    Indication.BIPOLAR_DEPRESSION: (DEPRESSION, "0.5", "0.75"), Indication.CHRONIC_MIGRAINE: (MIGRAINE, "0.1", "1.0"),
    Indication.EPISODIC_MIGRAINE: (MIGRAINE, "0.1", "1.0"), Indication.OTHER_HEADACHE: (MIGRAINE, "0.1", "1.0"),
    Indication.CRPS: (CRPS, "0.35", "0.5"), Indication.NEUROPATHIC_PAIN: (PAIN, "0.5", "1.0"),
    Indication.PTSD: (PAIN, "0.5", "1.0"), Indication.OTHER: (PAIN, "0.5", "1.0"),
}
PREPARATION = "Ketamine 1 mg/mL bag from 50 mg/mL vial"
WEEKDAY_PAIRS = [(0, 3), (1, 4), (0, 2), (2, 4), (1, 3)]  # twice a week: Mon/Thu, Tue/Fri, ...
UNSIGNED_PAST = 3  # the latest few past sessions wait for the clinician's signature
# Today's board: (chair, minutes since check-in (negative: booked later today), which pool, extra charting).
TODAY: list[tuple[str, int, str, dict[str, Any]]] = [
    ("1", 240, "dose", {}),  # signed earlier this morning
    ("2", 150, "dose", {"sign": False}),  # discharged, awaiting signature
    ("3", 70, "dose", {}),  # observing: infusion ended 20 min ago
    ("4", 30, "dose", {"high_at": 20}),  # infusing 20 min, last reading out of range
    ("5", 35, "continuous", {"titrate_at": [20]}),  # infusing 25 min, titrated 5 min ago
    ("6", 8, "dose", {}),  # checked in, dose set, baseline taken
    ("1", -45, "continuous", {}),  # scheduled
    ("2", -105, "dose", {}),  # scheduled
]
NOTES = ["Tolerated well.", "Mild dissociation mid-infusion, resolved before discharge.",
         "Calm throughout; listened to music.", "Tired after the infusion; escort present at discharge."]
BASELINE_OVERRIDE = "Known treated hypertension, usual readings 140s/90s; asymptomatic. Proceed with BP checks."
# fmt: on


def holds_data() -> bool:
    return InfusionSession.objects.exists() or TreatmentCourse.objects.exists()


def seed(*, stdout: Any) -> None:
    """Create the demo courses and sessions, unless courses exist already (idempotent)."""
    if TreatmentCourse.objects.exists():
        return
    stdout.write(DemoInfusions().run())


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


class VisitCompanions:
    """The other apps' parts of each demo visit (a draw at check-in, a reconciliation when the infusion ends):
    every demo module with a ``visit_companion(nurse=, clinician=, start=)``, found without importing it."""

    def __init__(self, **kwargs: Any) -> None:
        self.companions = [m.visit_companion(**kwargs) for m in demo_modules() if hasattr(m, "visit_companion")]

    def receive(self) -> None:
        for companion in self.companions:
            companion.receive()

    def draw(self, session: InfusionSession, at: dt.datetime) -> None:
        for companion in self.companions:
            companion.draw(session, at)

    def close(self, session: InfusionSession, at: dt.datetime) -> None:
        for companion in self.companions:
            companion.close(session, at)

    def finish(self) -> str:
        return ", ".join(companion.finish() for companion in self.companions)


class DemoInfusions:
    """Courses for ready patients, and their sessions charted through the services with realistic times."""

    def __init__(self) -> None:
        self.fake = Faker("en_US")
        self.fake.seed_instance(2027)
        self.rng = random.Random(2027)  # noqa: S311 - reproducible demo data, not security  # nosec
        self.now = timezone.now().replace(second=0, microsecond=0)
        self.today, self.tz = timezone.localdate(), timezone.get_current_timezone()
        users = {u.username: u for u in User.objects.filter(username__in=["frontdesk", "nurse", "clinician"])}
        self.desk, self.nurse, self.clinician = users["frontdesk"], users["nurse"], users["clinician"]
        self.preparation = DrugPreparation.objects.get(name=PREPARATION)
        self.protocols = {p.name: p for p in Protocol.objects.all()}
        self.days: dict[int, tuple[int, int]] = {}  # course -> its two weekdays
        self.escorts: dict[int, dict[str, str]] = {}  # course -> the same escort each visit
        self.slots: Counter[dt.date] = Counter()  # sessions booked per day, to share out chairs and times
        first_day = dt.datetime.combine(self.today - dt.timedelta(days=36), dt.time(7, 30), tzinfo=self.tz)
        self.companions = VisitCompanions(nurse=self.nurse, clinician=self.clinician, start=first_day)
        self.proofs: dict[int, Reauthentication] = {}

    def run(self) -> str:
        self.companions.receive()
        courses = self.courses()
        visits = sorted((v for course in courses for v in self.past_visits(course)), key=lambda v: v["scheduled"])
        for visit in visits[-UNSIGNED_PAST:]:
            visit["sign"] = False
        signed = visits[:-UNSIGNED_PAST]
        for visit in self.rng.sample(signed, 2):
            visit["high_at"] = 30  # a real hypertensive reading; the alert is computed by the service
        for visit in self.rng.sample(signed, 2):
            visit["high_baseline"] = True
        for visit in visits:
            visit["nausea"] = self.rng.random() < 0.12
        if not any(visit["nausea"] for visit in signed):  # the demo always shows a medication given, whatever the day
            signed[-1]["nausea"] = True
        charted = [self.visit(**visit) for visit in visits]
        first_signed = InfusionSession.objects.get(pk=charted[0].pk)
        text = "Called the next morning: slept well, no nausea, did not drive. No further action."
        services.addendum_add(session=first_signed, by=self.nurse, text=text, reauth=self.reauth(self.nurse))
        self.cancellations(courses[:2])
        self.today_board(courses)
        self.bookings(courses[-6:])
        companions = self.companions.finish()
        outcomes = seed_outcomes(rng=self.rng, nurse=self.nurse, clinician=self.clinician)
        return f"{self.summary()}, {companions}; {outcomes}"

    # Courses and bookings -----------------------------------------------------------------------------------------

    def courses(self) -> list[TreatmentCourse]:
        """Courses for the first ready patients, at least ``DOSE_COURSES`` of them on a single-dose protocol.

        Which patients are ready depends on today's date (consent and screening dates), so the mix is chosen here
        rather than left to the order of the patient list: today's board needs single-dose and continuous courses.
        """
        dose: list[tuple[Patient, tuple[int, int], dt.date]] = []
        continuous: list[tuple[Patient, tuple[int, int], dt.date]] = []
        for patient in Patient.objects.filter(status=PatientStatus.ACTIVE).order_by("pk"):
            days = self.rng.choice(WEEKDAY_PAIRS)
            started = self.today - dt.timedelta(days=self.rng.randint(14, 35))
            while started.weekday() not in days:
                started += dt.timedelta(days=1)
            if not (patient.infusion_readiness().ok and patient.infusion_readiness(started).ok):
                continue
            protocol = self.protocols[ORDERS[Indication(patient.primary_indication)][0]]
            (continuous if protocol.is_continuous else dose).append((patient, days, started))
        picked = dose[:DOSE_COURSES] + continuous[: DEMO_COURSES - min(len(dose), DOSE_COURSES)]
        picked = sorted(picked, key=lambda chosen: chosen[0].pk)[:DEMO_COURSES]
        return [self.course(patient, days, started) for patient, days, started in picked]

    def course(self, patient: Patient, days: tuple[int, int], started: dt.date) -> TreatmentCourse:
        name, dose, top = ORDERS[Indication(patient.primary_indication)]
        protocol = self.protocols[name]
        course = services.course_create(
            patient=patient,
            protocol=protocol,
            prescriber=self.clinician,
            ordered_dose=D(dose),
            ordered_max=D(top),
            planned_sessions=protocol.planned_induction_sessions,
            by=self.clinician,
            started_on=started,
        )
        self.days[course.pk] = days
        name, phone = self.fake.name(), self.fake.numerify("(555) 01#-####")
        self.escorts[course.pk] = {"escort_name": name, "escort_phone": phone}
        return course

    def course_days(self, course: TreatmentCourse, first: dt.date, last: dt.date) -> list[dt.date]:
        span = range((last - first).days + 1)
        days = [first + dt.timedelta(days=n) for n in span]
        return [day for day in days if day.weekday() in self.days[course.pk]]

    def slot(self, day: dt.date) -> tuple[dt.datetime, str]:
        """The next free chair that day: six chairs, a morning and an afternoon round."""
        n = self.slots[day]
        self.slots[day] += 1
        hour, minute = divmod(8 * 60 + (n // 6) * 6 * 60 + self.rng.choice([0, 15, 30]), 60)
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz), str(n % 6 + 1)

    def past_visits(self, course: TreatmentCourse) -> list[dict[str, Any]]:
        """Sessions twice a week since the course started, the first on its start day: 2-4 of them, or 2 for the
        4-hour continuous protocols (each charts ~20 sets of vitals through the services, which is what costs time)."""
        days = self.course_days(course, course.started_on, self.today - dt.timedelta(days=1))
        count = min(self.rng.randint(2, 2 if course.protocol.is_continuous else 4), len(days))
        chosen = [days[0], *sorted(self.rng.sample(days[1:], count - 1))]
        visits = []
        for day in chosen:
            scheduled, chair = self.slot(day)
            visits.append({"course": course, "scheduled": scheduled, "chair": chair})
        return visits

    def cancellations(self, courses: list[TreatmentCourse]) -> None:
        reasons = [
            ("Patient unwell (chest infection); rebooked for next week.", False),
            ("Did not attend; no answer on two calls, message left.", True),
        ]
        for course, (reason, no_show) in zip(courses, reasons, strict=True):
            booked = {s.scheduled_for.date() for s in course.sessions.all()}
            free = self.course_days(course, course.started_on, self.today - dt.timedelta(days=1))
            day = next((d for d in reversed(free) if d not in booked), self.today - dt.timedelta(days=2))
            scheduled, chair = self.slot(day)
            session = services.session_schedule(course=course, scheduled_for=scheduled, chair=chair, by=self.desk)
            services.session_cancel(session=session, by=self.desk, reason=reason, no_show=no_show)

    def today_board(self, courses: list[TreatmentCourse]) -> None:
        pools = {
            "dose": [c for c in courses if not c.protocol.is_continuous],
            "continuous": [c for c in courses if c.protocol.is_continuous],
        }
        midnight = dt.datetime.combine(self.today, dt.time(0, 1), tzinfo=self.tz)
        last = dt.datetime.combine(self.today, dt.time(23, 45), tzinfo=self.tz)
        for chair, ago, pool, extra in TODAY:
            other = "continuous" if pool == "dose" else "dose"
            course = (pools[pool] or pools[other]).pop(0)  # a date with few ready patients of one kind still seeds
            if ago < 0:  # booked later today, on the quarter hour
                later = self.now + minutes(-ago)
                at = min(later + minutes(-later.minute % 15), last)
                services.session_schedule(course=course, scheduled_for=at, chair=chair, by=self.desk)
                continue
            checkin = self.now - minutes(ago)
            self.visit(course, max(checkin + minutes(5), midnight), chair, checkin=checkin, until=self.now, **extra)

    def bookings(self, courses: list[TreatmentCourse]) -> None:
        """The next visit in the coming week for a few courses."""
        for course in courses:
            tomorrow = self.today + dt.timedelta(days=1)
            day = self.course_days(course, tomorrow, tomorrow + dt.timedelta(days=6))[0]
            scheduled, chair = self.slot(day)
            services.session_schedule(course=course, scheduled_for=scheduled, chair=chair, by=self.desk)

    # One session, event by event ---------------------------------------------------------------------------------

    def visit(
        self,
        course: TreatmentCourse,
        scheduled: dt.datetime,
        chair: str,
        *,
        checkin: dt.datetime | None = None,
        until: dt.datetime | None = None,
        sign: bool = True,
        high_at: int | None = None,
        high_baseline: bool = False,
        nausea: bool = False,
        titrate_at: list[int] | None = None,
    ) -> InfusionSession:
        """Book the session, then run its timeline up to ``until`` (past sessions: to the end)."""
        rng, nurse, protocol, patient = self.rng, self.nurse, course.protocol, course.patient
        s = services.session_schedule(course=course, scheduled_for=scheduled, chair=chair, by=self.desk)
        checkin = checkin or scheduled - minutes(rng.choice([0, 5, 10]))
        start = checkin + minutes(10)
        length = protocol.infusion_minutes or 240
        end = start + minutes(length)
        discharge = end + minutes(protocol.min_observation_minutes + rng.choice([0, 5, 10, 20]))
        pain_before = rng.randint(5, 8) if protocol.is_continuous else None  # pain scores for the pain protocols
        pain_after = max(pain_before - rng.randint(2, 4), 0) if pain_before is not None else None
        base = {
            "systolic": 146 if high_baseline else rng.randint(108, 134),
            "diastolic": 92 if high_baseline else rng.randint(66, 82),
            "heart_rate": rng.randint(62, 86),
            "peak": 5 if high_baseline else rng.randint(5, 20),  # BP rise at about 30 min, then settling
        }
        if titrate_at is None:
            titrate_at = sorted(rng.sample([30, 60, 90, 120], rng.randint(1, 2))) if protocol.is_continuous else []
        asked = pregnancy_test_applies(patient.sex, patient.age_on(self.today))  # docs/clinical.md §2.3
        weight = self.weight(patient)

        def pain(minute: int) -> int | None:
            if pain_before is None:
                return None
            return max(pain_before - 1 - minute // 60, pain_after if pain_after is not None else 0)

        def vitals(at: dt.datetime, minute: int | None, *, high: bool = False) -> None:
            values = self.vitals(base, minute, protocol.is_continuous, high=high)
            values["pain"] = pain_before if minute is None else pain(minute) if minute <= length else pain_after
            services.session_record_vitals(session=s, by=nurse, taken_at=at, **values)

        events: list[tuple[dt.datetime, Callable[[dt.datetime], object]]] = [
            (
                checkin,
                lambda at: services.session_check_in(
                    session=s,
                    by=nurse,
                    at=at,
                    fasting="confirmed",
                    **self.escorts[course.pk],
                    pregnancy_check="negative_test" if asked else "not_applicable",
                ),
            ),
            (
                checkin + minutes(3),
                lambda at: services.session_set_dose(
                    session=s, by=nurse, weight_kg=weight, preparation=self.preparation, dose_per_kg=course.ordered_dose
                ),
            ),
            (checkin + minutes(4), lambda at: self.companions.draw(s, at)),
            (checkin + minutes(5), lambda at: vitals(at, None)),
            (start, lambda at: services.session_start(session=s, by=nurse, at=at)),
        ]
        if high_baseline:
            events.append(
                (
                    checkin + minutes(7),
                    lambda at: services.session_override_baseline(
                        session=s, by=self.clinician, reason=BASELINE_OVERRIDE
                    ),
                )
            )
        for m in range(protocol.vitals_interval_minutes, length + 1, protocol.vitals_interval_minutes):
            events.append((start + minutes(m), partial(vitals, minute=m, high=m == high_at)))

        def titrate(at: dt.datetime, *, rate: D, why: str) -> object:
            return services.session_titrate(session=s, by=nurse, rate_mg_per_kg_h=rate, reason=why, at=at)

        for step, m in enumerate(titrate_at, start=1):
            rate = course.ordered_dose + (protocol.titration_step or D(0)) * step  # continuous protocols: titrated
            why = f"Pain {pain(m)}/10, tolerating well"
            events.append(
                (
                    start + minutes(m),
                    partial(titrate, rate=rate, why=why),
                )
            )
        if nausea:
            events.append(
                (
                    start + minutes(25),
                    lambda at: services.session_give_medication(
                        session=s,
                        by=nurse,
                        drug="ondansetron",
                        dose=D(4),
                        unit="mg",
                        route="iv",
                        given_at=at,
                        reason="Nausea",
                    ),
                )
            )
        note = rng.choice(NOTES)
        if high_at:
            note = f"BP 168/96 at {high_at} min, no symptoms; clinician informed, settled on recheck. " + note
        if nausea:
            note = "Nausea at 25 min; ondansetron 4 mg IV with good effect. " + note
        padss = dict.fromkeys(services.PADSS_ITEMS, 2) | ({"padss_nausea": 1} if nausea else {})
        events += [
            (end, lambda at: services.session_end_infusion(session=s, by=nurse, at=at)),
            (end + minutes(1), lambda at: self.companions.close(s, at)),
            (end + minutes(20), lambda at: vitals(at, length + 20)),
            (end + minutes(45), lambda at: vitals(at, length + 45)),
            # The set the discharge reads: recent and in range (docs/clinical.md §5.4).
            (discharge - minutes(4), lambda at: vitals(at, length + 60)),
            (
                discharge - minutes(2),
                lambda at: services.session_update_notes(
                    session=s, by=nurse, pain_before=pain_before, pain_after=pain_after, note=note
                ),
            ),
            (
                discharge,
                lambda at: services.session_discharge(
                    session=s, by=nurse, padss=padss, escort_present=True, aftercare_given=True, at=at
                ),
            ),
        ]
        if sign:
            sign_off = lambda at: services.session_sign(  # noqa: E731
                session=s, by=self.clinician, reauth=self.reauth(self.clinician), at=at
            )
            events.append((discharge + minutes(30), sign_off))
        for at, action in sorted(events, key=lambda event: event[0]):  # stable: a reading before the stop
            if until is not None and at > until:
                break
            action(at)
        return s

    def reauth(self, user: User) -> Reauthentication:
        """Signatures go through the same password check as at the chair: the demo password, entered once per
        signer and again when the proof gets old (clinic.signatures.services.REAUTH_VALID_SECONDS)."""
        proof = self.proofs.get(user.pk)
        if proof is None or time.monotonic() - proof.issued_at > REAUTH_VALID_SECONDS / 2:
            proof = self.proofs[user.pk] = reauthenticate(user=user, password=settings.DEMO_PASSWORD)
        return proof

    def weight(self, patient: Patient) -> D:
        latest = patient.measurements.filter(weight_kg__isnull=False).order_by("-measured_on", "-pk").first()
        kg = latest.weight_kg if latest else D(70)
        return kg + D(self.rng.randint(-5, 5)) / 10

    def vitals(self, base: dict[str, int], minute: int | None, continuous: bool, *, high: bool) -> dict[str, Any]:
        """A plausible set: BP climbs 5-20 mmHg to about 30 min, then settles; mild dissociation while infusing."""
        rng, peak = self.rng, base["peak"]
        if minute is None:
            rise = 0.0
        elif minute <= 30:
            rise = peak * minute / 30
        else:
            rise = peak * max(0.3, 1 - (minute - 30) / 60)
        infusing = minute is not None and minute <= (240 if continuous else 40)
        systolic = 168 if high else base["systolic"] + round(rise) + rng.randint(-3, 3)
        return {
            "systolic": systolic,
            "diastolic": 96 if high else base["diastolic"] + round(rise * 0.6) + rng.randint(-2, 2),
            "heart_rate": base["heart_rate"] + round(rise * 0.4) + rng.randint(-3, 3),
            "spo2": rng.randint(96, 99),
            "resp_rate": rng.randint(12, 18),
            "sedation": rng.choice([4, 5, 5]) if infusing else 5,
            "dissociation": (rng.choice([0, 0, 1]) if continuous else rng.choice([1, 1, 2])) if infusing else 0,
        }

    def summary(self) -> str:
        statuses = Counter(InfusionSession.objects.values_list("status", flat=True))
        on_board = InfusionSession.objects.on_day(self.today).count()
        by_status = ", ".join(f"{n} {status.replace('_', '-')}" for status, n in sorted(statuses.items()))
        return (
            f"Demo infusions: {TreatmentCourse.objects.count()} courses, {sum(statuses.values())} sessions "
            f"({by_status}; {on_board} on today's board), {VitalSign.objects.count()} sets of vitals "
            f"({VitalSign.objects.exclude(alerts=[]).count()} out of range)"
        )
