"""Time the patient search at scale: bulk-load fictitious patients with COPY, then time the list page's queries.

Refuses to run unless the database name contains "bench", so it can never touch a clinic's or the demo's data:

    createdb -h 127.0.0.1 -U postgres clinic_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic_bench DJANGO_DEBUG=1 ./manage.py migrate
    DATABASE_URL=... DJANGO_DEBUG=1 ./manage.py bench_patient_search --patients 100000
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Q
from faker import Faker

from patients.choices import INDICATION_ICD10, Indication
from patients.models import Patient
from patients.search import apply_search, parse_search

COLUMNS = [
    "mrn", "given_name", "family_name", "preferred_name", "date_of_birth", "sex", "phone", "email",
    "address_line1", "address_line2", "city", "region", "postal_code", "emergency_contact_name",
    "emergency_contact_relationship", "emergency_contact_phone", "primary_indication", "icd10_code",
    "referring_clinician", "status", "clinic_notes", "migraine_triggers", "updated_at", "void_reason",
]  # fmt: skip


class Command(BaseCommand):
    help = "Bulk-load fictitious patients into a *bench* database and time the patient search (median, p95)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--patients", type=int, default=100_000, help="Patients wanted in the database.")
        parser.add_argument("--runs", type=int, default=30, help="Timed runs per search.")

    def handle(self, *args: Any, **options: Any) -> None:
        if "bench" not in connection.settings_dict["NAME"]:
            raise CommandError("Refusing: run this only against a database whose name contains 'bench'.")
        missing = options["patients"] - Patient.objects.count()
        if missing > 0:
            started = time.perf_counter()
            self.load(missing)
            self.stdout.write(f"Loaded {missing} patients in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE patients_patient")
        self.time_searches(options["runs"])

    def load(self, count: int) -> None:
        fake = Faker(["en_US", "es_MX", "de_DE", "fr_FR", "pl_PL"])
        fake.seed_instance(7)
        rng = random.Random(7)  # noqa: S311 - benchmark data, not security  # nosec
        start = Patient.objects.count()
        now = dt.datetime.now(dt.UTC).isoformat()
        indications = list(Indication)
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY patients_patient ({', '.join(COLUMNS)}) FROM STDIN") as copy,
        ):
            for n in range(start, start + count):
                indication = rng.choice(indications)
                copy.write_row([
                    f"B{n:07d}", fake.first_name(), fake.last_name(), "",
                    fake.date_between(dt.date(1940, 1, 1), dt.date(2006, 12, 31)), "unknown",
                    fake.numerify("(555) 0##-####"), "", "", "", "", "", "", "", "", "",
                    indication, INDICATION_ICD10[indication], "", "active", "", "[]", now, "",
                ])  # fmt: skip

    def time_searches(self, runs: int) -> None:
        sample = Patient.objects.order_by("?").first()
        searches = {
            "partial name (3 letters)": sample.family_name[1:4].lower(),
            "given + family": f"{sample.given_name[:3]} {sample.family_name[:4]}",
            "accent-free name": "munoz",
            "date of birth": sample.date_of_birth.strftime("%m/%d/%Y"),
            "phone fragment": sample.phone_digits[-6:],
            "MRN prefix": sample.mrn[:6],
        }
        self.stdout.write(f"{'search':26} {'term':>14} {'matches':>8} {'median ms':>10} {'p95 ms':>8}")
        for label, term in searches.items():
            parsed = parse_search(term)
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                queryset = apply_search(Patient.objects.active(), parsed).order_by("family_name", "given_name", "id")
                total = queryset.count()
                list(queryset[:25])
                timings.append((time.perf_counter() - started) * 1000)
            p95 = sorted(timings)[int(0.95 * (len(timings) - 1))]
            self.stdout.write(f"{label:26} {term:>14} {total:>8} {statistics.median(timings):>10.1f} {p95:>8.1f}")
        self.admin_reference(searches["partial name (3 letters)"], runs)

    def admin_reference(self, term: str, runs: int) -> None:
        """What the Django admin's changelist search (icontains over mrn, names) costs for the same term."""
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            queryset = Patient.objects.filter(
                Q(mrn__icontains=term) | Q(family_name__icontains=term) | Q(given_name__icontains=term)
            ).order_by("family_name", "given_name", "id")
            queryset.count()
            list(queryset[:25])
            timings.append((time.perf_counter() - started) * 1000)
        self.stdout.write(f"{'admin-style icontains':26} {term:>14} {'':>8} {statistics.median(timings):>10.1f}")
