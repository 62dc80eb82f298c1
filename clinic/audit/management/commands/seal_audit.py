"""Link the audit rows written since the last run into the hash chain, by hand; the worker does it every five minutes
(clinic/audit/jobs.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from clinic.audit.jobs import seal_and_ship


class Command(BaseCommand):
    help = (
        "Link new audit rows into the hash chain, ship one fingerprint line per new link and the chain head to the "
        "clinic.audit.ship logger (journal, and CLINIC_AUDIT_SYSLOG), and print the head (security.md G2, G5)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--ship-from", type=int, metavar="POSITION",
            help="Also ship the links after POSITION again (e.g. after the collector was down).",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        # The head also goes to stdout, so the journal keeps a copy outside the database that cannot be rewritten.
        self.stdout.write(seal_and_ship(ship_from=options["ship_from"]))
