"""Check the audit tables against their hash chain; exit 1 at the first broken link (security.md G2, K1)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from clinic.audit import chain


class Command(BaseCommand):
    help = (
        "Link pending audit rows, then recompute every row's hash and the chain. Exits 0 with counts when intact; "
        "otherwise reports the first broken link (table, row, position, what is wrong) and exits 1."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all", action="store_true", help="List every broken link, not only the first.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = chain.verify()
        rows = sum(result.rows_by_table.values())
        self.stdout.write(
            f"Audit tables: {len(result.rows_by_table)}, rows: {rows}, chain links: {result.links}, "
            f"sealed late by migrate: {result.backfilled}, pending: {result.pending}."
        )
        self.stdout.write(f"Chain head: position {result.head_position}, hash {result.head_hash}.")
        if result.ok:
            self.stdout.write(self.style.SUCCESS("Audit trail intact."))
            return
        shown = result.breaks if options["all"] else result.breaks[:1]
        for item in shown:
            self.stderr.write(f"Broken link at {item.description}")
        raise CommandError(
            f"Audit trail verification FAILED: {len(result.breaks)} problem(s); first at {shown[0].description}"
        )
