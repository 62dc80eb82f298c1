"""Restore a ``backup_db`` dump into the configured database (``make restore FILE=...``).

The target must be empty (a freshly created database) unless ``--clean`` is given, which drops the objects the
dump contains first. The restore runs in one transaction: it completes, or the database is left as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from clinic import backups

REFUSE_NOT_EMPTY = (
    "Refusing to restore: database {name!r} already holds tables. Restore into a new, empty database "
    "(createdb, then point DATABASE_URL at it), or pass --clean to replace what is there."
)


class Command(BaseCommand):
    help = "Restore a pg_dump custom-format file into the configured database. See docs/deploy.md 'Backups'."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--clean", action="store_true", help="Drop the dump's objects in the target first.")

    def handle(self, *args: Any, file: Path, clean: bool, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"No such backup file: {file}")
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            (tables,) = cursor.fetchone()
        connection.close()  # pg_restore --clean must not wait on this session's locks
        if tables and not clean:
            raise CommandError(REFUSE_NOT_EMPTY.format(name=connection.settings_dict["NAME"]))
        backups.restore(connection.settings_dict, file, clean=clean)
        self.stdout.write(f"Restored {file} into {connection.settings_dict['NAME']}.")
