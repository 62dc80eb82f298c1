"""Check the audit tables against their hash chain; exit 1 at the first broken link (security.md G2, K1)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from clinic.audit import chain, shipping


class Command(BaseCommand):
    help = (
        "Link pending audit rows, then recompute every row's hash and the chain. Exits 0 with counts when intact; "
        "otherwise reports the first broken link (table, row, position, what is wrong) and exits 1."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all", action="store_true", help="List every broken link, not only the first.")
        parser.add_argument(
            "--head", action="append", default=[], metavar="POSITION:HASH",
            help="A chain head shipped earlier (seal_audit's 'audit-head' line at the collector); the chain must still "
            "hold that hash at that position. May be given more than once.",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            heads = [shipping.parse_head(text) for text in options["head"]]
        except ValueError as exc:
            raise CommandError(f"--head: {exc}") from exc
        result = chain.verify()
        rows = sum(result.rows_by_table.values())
        self.stdout.write(
            f"Audit tables: {len(result.rows_by_table)}, rows: {rows}, chain links: {result.links}, "
            f"sealed late by migrate: {result.backfilled}, pending: {result.pending}."
        )
        self.stdout.write(f"Chain head: position {result.head_position}, hash {result.head_hash}.")
        mismatched = []
        for position, digest in heads:
            found = shipping.link_hash(position)
            if found != digest:
                mismatched.append(position)
                self.stderr.write(
                    f"Shipped head at position {position} does not match: shipped {digest}, found {found or 'no link'}"
                )
        if result.ok and not mismatched:
            checked = f" Shipped heads checked: {len(heads)}." if heads else ""
            self.stdout.write(self.style.SUCCESS(f"Audit trail intact.{checked}"))
            return
        if result.ok:  # every row matches its seal, yet a head shipped earlier is gone: rewritten consistently
            raise CommandError(
                f"Audit trail verification FAILED: {len(mismatched)} shipped head(s) no longer match the chain, "
                f"first at position {mismatched[0]}: the chain was rewritten after that head was shipped"
            )
        shown = result.breaks if options["all"] else result.breaks[:1]
        for item in shown:
            self.stderr.write(f"Broken link at {item.description}")
        raise CommandError(
            f"Audit trail verification FAILED: {len(result.breaks)} problem(s); first at {shown[0].description}"
        )
