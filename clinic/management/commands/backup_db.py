"""Dump the clinic database with pg_dump (custom format) into var/backups/ or --output (``make backup``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from clinic import backups


class Command(BaseCommand):
    help = "Dump the database (pg_dump --format=custom --no-owner --no-privileges). See docs/deploy.md 'Backups'."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--output", type=Path, help="File, or existing folder, to write to (default var/backups/clinic-<time>.dump)"
        )

    def handle(self, *args: Any, output: Path | None, **options: Any) -> None:
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        path = output or settings.VAR_DIR / "backups"
        if path.is_dir() or output is None:
            path = path / f"clinic-{stamp}.dump"
        backups.dump(connection.settings_dict, path)
        self.stdout.write(f"Backup written: {path} ({path.stat().st_size // 1024} KiB)")
