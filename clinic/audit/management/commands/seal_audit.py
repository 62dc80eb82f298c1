"""Link the audit rows written since the last run into the hash chain (systemd: clinic-audit-seal.timer)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from clinic.audit import chain


class Command(BaseCommand):
    help = "Link new audit rows into the hash chain and print the chain head (write it down elsewhere: G2, G5)."

    def handle(self, *args: Any, **options: Any) -> None:
        linked = chain.seal()
        position, head = chain.head()
        # The head goes to stdout, so the journal keeps a copy outside the database that cannot be rewritten later.
        self.stdout.write(f"Sealed {linked} audit rows. Chain head: position {position}, hash {head}.")
