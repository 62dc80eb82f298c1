"""Helpers for the deployment checks: scratch databases, manage.py in a subprocess, free ports.

Scratch databases are made on the server the test run uses (the embedded one, or ``DATABASE_URL``'s), are named
``deploycheck_<purpose>_<pid>`` and are dropped afterwards, so the checks never touch a database of their own.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.db import connection
from psycopg import sql

from clinic import schema_template

BASE_DIR = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def server() -> dict[str, str]:
    """libpq keywords for the test run's PostgreSQL server, on its maintenance database."""
    db = connection.settings_dict
    params = {"host": db["HOST"], "port": str(db["PORT"] or 5432), "user": db["USER"] or "postgres"}
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    return {**params, "dbname": "postgres"}


def database_url(name: str, params: dict[str, str] | None = None) -> str:
    params = params or server()
    auth = quote(params["user"]) + (":" + quote(params["password"]) if params.get("password") else "")
    return f"postgres://{auth}@{quote(params['host'], safe='')}:{params['port']}/{name}"


def admin(params: dict[str, str] | None = None) -> psycopg.Connection:
    return psycopg.connect(**(params or server()), autocommit=True)


def drop_database(name: str, params: dict[str, str] | None = None) -> None:
    with admin(params) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextlib.contextmanager
def scratch_database(purpose: str, params: dict[str, str] | None = None, *, migrated: bool = False) -> Iterator[str]:
    """A new database, empty or (``migrated``) a copy of the migrated template (clinic/schema_template.py); yields
    its name, drops it afterwards."""
    name = f"deploycheck_{purpose}_{os.getpid()}"
    drop_database(name, params)
    if migrated:
        schema_template.create_from_template(params or server(), name)
    else:
        with admin(params) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        drop_database(name, params)


def manage(*args: str, url: str, debug: bool = True, **env: str) -> subprocess.CompletedProcess:
    """Run ``manage.py`` against ``url`` in a subprocess (its own settings, as a deployment would)."""
    full_env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "1" if debug else "0", **env}
    return subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=full_env, check=True,
                          capture_output=True, text=True)  # fmt: skip


def table_counts(name: str, params: dict[str, str] | None = None) -> dict[str, int]:
    """Exact row count of every table in the public schema."""
    with psycopg.connect(**{**(params or server()), "dbname": name}) as conn:
        tables = [row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        query = sql.SQL("SELECT count(*) FROM {}")
        return {table: conn.execute(query.format(sql.Identifier(table))).fetchone()[0] for table in tables}


def free_port(start: int = 18100, end: int = 18999) -> int:
    """A free TCP port on loopback in the range set aside for this project's checks."""
    import socket

    for port in range(start + os.getpid() % 200, end):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")
