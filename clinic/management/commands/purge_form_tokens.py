"""Delete one-time form tokens older than a day (they only guard against a double click or a quick retry)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from clinic.models import FormSubmission


class Command(BaseCommand):
    help = "Delete used one-time form tokens older than --hours (default 24). Run daily (docs/deploy.md)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--hours", type=int, default=24)

    def handle(self, *args: Any, hours: int, **options: Any) -> None:
        cutoff = timezone.now() - dt.timedelta(hours=hours)
        deleted, _ = FormSubmission.objects.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} form tokens older than {hours} h.")
