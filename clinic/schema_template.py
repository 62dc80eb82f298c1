"""A migrated, empty database kept on the server as a PostgreSQL template, so that whatever needs a fresh database
(the test databases, the deployment checks' scratch databases, ``make loadtest``, ``make bench``) copies it in about a
second instead of running every migration: from an empty database, ``migrate`` takes about a minute of CPU on a
2-core machine (Django re-renders the models' state tens of thousands of times over the project's migrations).

The template is named ``clinic_template_<digest>``, the digest covering every migration file of the project and the
pinned requirements (the installed apps' own migrations), so a new or changed migration makes a new template; the
two newest are kept, older ones dropped. It is made under an advisory lock: parallel test workers wait for the first
one to finish rather than migrating twice, and a template is marked as one only once its migrations have run, so an
interrupted run leaves nothing that would be copied. ``post_migrate`` work (settings rows, roles, audit seals) runs
again wherever a copy is migrated, so a copy is never behind the code.

Runs without Django set up: ``bench`` decides which database Django will use before it is set up.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql

BASE_DIR = Path(__file__).resolve().parent.parent
PREFIX = "clinic_template_"
KEEP = 2
#: The advisory lock only this module takes (any constant would do; it names nothing else on the server).
LOCK_KEY = 4_207_318_806
NOT_SOURCE = {"var", "node_modules", "docs", "templates", "static"}


def digest() -> str:
    """Hash of every migration file of the project and of the pinned requirements."""
    sha = hashlib.sha256()
    files = [BASE_DIR / "requirements.txt"]
    for top in sorted(BASE_DIR.iterdir()):
        if top.is_dir() and not top.name.startswith(".") and top.name not in NOT_SOURCE:
            files += sorted(top.glob("**/migrations/*.py"))
    for path in files:
        sha.update(str(path.relative_to(BASE_DIR)).encode() + b"\0" + path.read_bytes() + b"\0")
    return sha.hexdigest()[:16]


def url(params: Mapping[str, str], dbname: str) -> str:
    auth = quote(params.get("user") or "postgres") + (":" + quote(params["password"]) if params.get("password") else "")
    return f"postgres://{auth}@{quote(params['host'], safe='')}:{params.get('port') or 5432}/{dbname}"


def _admin(params: Mapping[str, str]) -> psycopg.Connection:
    keywords = {key: params[key] for key in ("host", "port", "user", "password") if params.get(key)}
    return psycopg.connect(**keywords, dbname="postgres", autocommit=True)  # type: ignore[arg-type]


def _manage(params: Mapping[str, str], dbname: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url(params, dbname), "DJANGO_DEBUG": "1"}
    # A fixed command line: this interpreter, the project's manage.py, arguments from this module.
    done = subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], cwd=BASE_DIR, env=env,  # noqa: S603  # nosec
                          capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode:
        output = done.stdout[-2000:] + done.stderr[-3000:]
        raise RuntimeError(f"manage.py {' '.join(args)} failed on {dbname}:\n{output}")


def _drop(admin: psycopg.Connection, name: str) -> None:
    admin.execute(sql.SQL("ALTER DATABASE {} IS_TEMPLATE false").format(sql.Identifier(name)))
    admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def ensure(params: Mapping[str, str]) -> str:
    """The name of the migrated template on the server ``params`` (libpq host, port, user, password), made first if
    it is not there yet."""
    name = PREFIX + digest()
    with _admin(params) as admin:
        admin.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        try:
            found = admin.execute("SELECT datistemplate FROM pg_database WHERE datname = %s", [name]).fetchone()
            if found and found[0]:
                return name
            if found:  # a run stopped half-way through making it
                _drop(admin, name)
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            _manage(params, name, "migrate", "--no-input")
            _manage(params, name, "createcachetable")
            admin.execute(sql.SQL("ALTER DATABASE {} IS_TEMPLATE true").format(sql.Identifier(name)))
            older = admin.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s ORDER BY oid DESC",
                [PREFIX + "%", name],
            ).fetchall()
            for (old,) in older[KEEP - 1 :]:
                _drop(admin, old)
            return name
        finally:
            admin.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def create_from_template(params: Mapping[str, str], name: str) -> None:
    """Create database ``name`` as a copy of the migrated template (which must not exist yet)."""
    template = ensure(params)
    with _admin(params) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
