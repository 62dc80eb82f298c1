"""``manage.py verify_signatures``: recompute the content of every signed record and compare it with its signature.

Prints one line per mismatch (ids and field paths only, never patient data) and exits with status 1 if there is any,
so it can run from cron or a monitoring check (21 CFR 11.10(a): discern altered records; security.md H4).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from clinic.signatures.models import ElectronicSignature
from clinic.signatures.services import signatures_verify

BATCH = 500


class Command(BaseCommand):
    help = "Verify every electronic signature against its record; exit 1 on any mismatch."

    def handle(self, *args: Any, **options: Any) -> None:
        checked = failed = 0
        last_id = 0
        while True:
            batch = list(ElectronicSignature.objects.filter(pk__gt=last_id).order_by("pk")[:BATCH])
            if not batch:
                break
            last_id = batch[-1].pk
            for result in signatures_verify(batch):
                checked += 1
                if not result.ok:
                    failed += 1
                    signature = result.signature
                    self.stdout.write(
                        f"MISMATCH signature {signature.pk} of {signature.content_schema} record "
                        f"{signature.object_id} (signed {signature.signed_at:%Y-%m-%d %H:%M} UTC by user "
                        f"{signature.signer_id}): {result.summary}"
                    )
        if failed:
            raise CommandError(f"{failed} of {checked} signatures do not match their records.", returncode=1)
        self.stdout.write(self.style.SUCCESS(f"{checked} signatures verified; no record changed since signing."))
