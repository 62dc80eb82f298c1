"""The benchmark's own database: on the embedded server, or on ``DATABASE_URL``'s server, never its database.

Its name must contain "bench" (default ``clinic_bench``, ``clinic_bench_small`` for SCALE=small, or
``BENCH_DATABASE``); any other name is refused before anything is touched, because the run drops and recreates it.
The smaller size is kept as a copy, ``<name>_<patients>`` (``clone``), so that both sizes can be timed together.
This module runs before Django is set up: it decides which database Django will then be pointed at.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import psycopg
from psycopg import sql


class RefusedDatabase(SystemExit):
    pass


@dataclass(frozen=True)
class Server:
    """libpq parameters of a PostgreSQL server (no database name)."""

    host: str
    port: int
    user: str
    password: str = ""
    maintenance_db: str = "postgres"

    def connect(self, dbname: str, **kwargs: object) -> psycopg.Connection:
        params = {"host": self.host, "port": self.port, "user": self.user, "dbname": dbname}
        if self.password:
            params["password"] = self.password
        return psycopg.connect(**params, **kwargs)  # type: ignore[arg-type]

    def params(self) -> dict[str, str]:
        return {"host": self.host, "port": str(self.port), "user": self.user, "password": self.password}

    def url(self, dbname: str) -> str:
        auth = quote(self.user) + (":" + quote(self.password) if self.password else "")
        return f"postgres://{auth}@{quote(self.host, safe='')}:{self.port}/{quote(dbname)}"


def check_name(name: str) -> str:
    """The benchmark only ever drops and fills a database whose name says it is one."""
    if "bench" not in name.lower():
        raise RefusedDatabase(f"Refusing database {name!r}: the benchmark only uses a database named *bench*.")
    return name


def current_server() -> Server:
    """``DATABASE_URL``'s server when it is set, else the embedded one (started if needed)."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        import dj_database_url

        config = dj_database_url.parse(url)
        if config.get("ENGINE") != "django.db.backends.postgresql":
            raise SystemExit("DATABASE_URL must point at PostgreSQL.")
        return Server(host=config["HOST"] or "localhost", port=int(config["PORT"] or 5432),
                      user=config["USER"] or "postgres", password=config.get("PASSWORD") or "",
                      maintenance_db=config["NAME"])  # fmt: skip
    from clinic.database import start_embedded_server

    host, port = start_embedded_server()
    return Server(host=host, port=port, user="postgres")


def _admin(server: Server, avoid: str) -> psycopg.Connection:
    """A connection for CREATE/DROP DATABASE: to ``postgres``, else to the configured database (never ``avoid``)."""
    for dbname in ("postgres", server.maintenance_db):
        if dbname == avoid:
            continue
        with contextlib.suppress(psycopg.OperationalError):
            return server.connect(dbname, autocommit=True)
    raise SystemExit(f"Cannot connect to the server {server.host}:{server.port} to create {avoid!r}.")


def recreate(server: Server, name: str) -> None:
    """Drop ``name`` and create it again as a copy of the migrated template (clinic/schema_template.py)."""
    from clinic import schema_template

    check_name(name)
    with _admin(server, avoid=name) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    schema_template.create_from_template(server.params(), name)


def drop(server: Server, name: str) -> None:
    check_name(name)
    with _admin(server, avoid=name) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def clone(server: Server, source: str, name: str) -> float:
    """``CREATE DATABASE name TEMPLATE source`` (dropping an older ``name``); return the seconds it took. Nothing may
    be connected to ``source``. FILE_COPY (PostgreSQL 15+) copies the files after a checkpoint instead of writing
    every page to the WAL: much faster for a database of a few hundred MB."""
    check_name(name)
    check_name(source)
    started = time.perf_counter()
    with _admin(server, avoid=name) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        version = conn.info.server_version
        strategy = sql.SQL(" STRATEGY FILE_COPY") if version >= 150000 else sql.SQL("")
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}{}").format(sql.Identifier(name), sql.Identifier(source), strategy)
        )
    return time.perf_counter() - started


@contextlib.contextmanager
def using(name: str) -> Iterator[None]:
    """Point this process's Django connection at database ``name`` on the same server for the block (as Django's test
    runner does for its test database), then back."""
    from django.db import connection

    check_name(name)
    before = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = before
