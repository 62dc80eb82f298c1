"""Tests at chosen instants of the clinic's calendar (issue #24): a suite must pass whatever day it runs on.

Two ways in, both through time-machine (the Python clock: ``datetime.now``, ``time.time``, ``timezone.now``):

- ``pytest --clock=NAME`` (or ``CLINIC_TEST_CLOCK=NAME``): every test starts at that instant, the clock ticking from
  there. NAME is one of ``INSTANTS`` or an ISO 8601 time with its offset. This is how the whole suite is run on a
  Sunday, at a month end or across a daylight-saving change (``make test-clock``).
- ``@pytest.mark.clock``: the test runs once at each of ``INSTANTS`` (a plain ``pytest`` run, so ``make test``
  keeps checking them). Mark a test with it when what it checks depends on the day: a weekday, today's board,
  "due" dates, a time window.

The database's clock follows. ``install_database_clock`` (run once on the test database) adds a schema
``test_clock`` whose ``now()``, ``statement_timestamp()`` (Django's ``Now()``), ``transaction_timestamp()`` and
``clock_timestamp()`` add the offset in the setting ``test_clock.skew`` to PostgreSQL's own, and points the column
defaults that stamp rows (``db_default=Now()``) at them. While a test travels, its connections put ``test_clock``
before ``pg_catalog`` on their search path (so triggers' ``now()`` follows too) and carry the offset; otherwise the
offset is zero and the search path is PostgreSQL's. A row stamped by the database and one stamped by Python then
agree, as they do in production.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator

import psycopg
import pytest
import time_machine
from django.db import connections
from django.db.backends.signals import connection_created

# The clinic's zone is America/New_York (settings.TIME_ZONE); every instant names its offset there.
INSTANTS: dict[str, str] = {
    "sunday": "2026-12-06T10:00:00-05:00",  # the day the suite was found failing (#24)
    "saturday": "2026-12-05T14:00:00-05:00",
    "month-end": "2026-12-31T16:30:00-05:00",  # last day of a month and of a year
    "dst-fall-back": "2026-11-01T01:30:00-04:00",  # the first 01:30 of the day the hour repeats
    "dst-spring-forward": "2027-03-14T01:59:00-05:00",  # one minute before 02:00-03:00 is skipped
    "before-midnight": "2026-12-07T23:59:00-05:00",  # local day still Monday, UTC already Tuesday
    "after-midnight": "2026-12-08T00:01:00-05:00",
}


def resolve(name: str) -> dt.datetime:
    """The instant a ``--clock`` value names: a key of ``INSTANTS`` or an ISO time with its UTC offset."""
    when = dt.datetime.fromisoformat(INSTANTS.get(name, name))
    if when.tzinfo is None:
        raise pytest.UsageError(f"--clock={name}: give a name from {sorted(INSTANTS)} or an ISO time with its offset")
    return when


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock",
        default=os.environ.get("CLINIC_TEST_CLOCK") or None,
        help=f"start every test at this instant: one of {', '.join(INSTANTS)} or an ISO time with offset",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "clock: depends on the day it runs; runs at each instant of tests/clock.py")
    name = config.getoption("--clock")
    if name:
        resolve(name)  # a wrong name stops the run before any test


def pytest_report_header(config: pytest.Config) -> str | None:
    name = config.getoption("--clock")
    return f"clock: every test starts at {resolve(name).isoformat()} ({name})" if name else None


# These drive servers in processes of their own (gunicorn, nginx, a second PostgreSQL), whose clocks a test cannot
# move: a run at another instant skips them (their two-factor codes alone would disagree with the server's).
OWN_CLOCK = ("tests/deploy/", "tests/faults/", "tests/bench/")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--clock"):
        return
    skip = pytest.mark.skip(reason="runs servers in processes of their own, whose clock --clock cannot move")
    for item in items:
        if item.nodeid.startswith(OWN_CLOCK):
            item.add_marker(skip)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("clock") and not metafunc.config.getoption("--clock"):
        metafunc.parametrize("clock_instant", list(INSTANTS), indirect=True)


_started_at: dt.datetime | None = None  # the running test's start (t0)
_offset: dt.timedelta | None = None  # how far the database's clock is moved, while it is


def t0() -> dt.datetime:
    """When the running test started, to the second, on the clock it runs with.

    The one "now" a test builds its timeline from (check-in at ``t0()``, start five minutes later...), taken as the
    test starts: a time taken when a module is imported is minutes old by the time its tests run, and a test that
    runs across midnight would otherwise see two different days. Outside a test (the load test's seeding script
    builds sessions with the tests' helpers) it is simply now.
    """
    return _started_at or _now_to_the_second()


@pytest.fixture(autouse=True)
def clock_instant(request: pytest.FixtureRequest) -> Iterator[dt.datetime | None]:
    """The instant this test started at (``None``: the real clock). Autouse, so it is set before any data is made."""
    global _started_at
    name = getattr(request, "param", None) or request.config.getoption("--clock")
    if not name:
        _started_at = _now_to_the_second()
        yield None
        _started_at = None
        return
    with travel(name) as when:
        yield when


@contextlib.contextmanager
def travel(when: dt.datetime | str) -> Iterator[dt.datetime]:
    """Move both clocks to ``when`` (a name of ``INSTANTS`` or an aware time) and let them tick; back to the outer
    clock after. The fixture above runs each test in one; a test about one moment opens its own."""
    global _started_at
    target = resolve(when) if isinstance(when, str) else when
    outer_offset, outer_start = _offset, _started_at
    with time_machine.travel(target, tick=True):
        _started_at = _now_to_the_second()
        _database_offset(target - _real_now())
        try:
            yield target
        finally:
            _database_offset(outer_offset)
            _started_at = outer_start


def _now_to_the_second() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _real_now() -> dt.datetime:
    """The machine's own time, whatever travel is under way."""
    hatch = time_machine.escape_hatch
    return dt.datetime.fromtimestamp(hatch.time.time(), dt.UTC) if hatch.is_travelling() else dt.datetime.now(dt.UTC)


# The database's clock -------------------------------------------------------------------------------------------

SCHEMA = "test_clock"
FUNCTIONS = ("now", "statement_timestamp", "transaction_timestamp", "clock_timestamp")
INSTALL_SQL = [
    f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
    *(
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.{name}() RETURNS timestamptz LANGUAGE sql STABLE AS
        $$ SELECT pg_catalog.{name}()
                  + coalesce(nullif(current_setting('{SCHEMA}.skew', true), ''), '0')::interval $$"""
        for name in FUNCTIONS
    ),
]
# Column defaults were bound to pg_catalog's functions when the tables were made; point them at the schema's.
STAMPED_COLUMNS_SQL = """
    SELECT format('ALTER TABLE %%s ALTER COLUMN %%I SET DEFAULT {schema}.%%s()', c.oid::regclass, a.attname, f.name)
    FROM pg_attrdef AS d
    JOIN pg_class AS c ON c.oid = d.adrelid
    JOIN pg_namespace AS n ON n.oid = c.relnamespace AND n.nspname = 'public'
    JOIN pg_attribute AS a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
    CROSS JOIN LATERAL (SELECT lower(pg_get_expr(d.adbin, d.adrelid)) AS expr) AS e
    JOIN unnest(%s::text[]) AS f(name) ON e.expr = f.name || '()'
""".replace("{schema}", SCHEMA)


def install_database_clock() -> None:
    """Add the clock schema to the test database and point its stamping column defaults at it."""
    with connections["default"].cursor() as cursor:
        for sql in INSTALL_SQL:
            cursor.execute(sql)
        cursor.execute(STAMPED_COLUMNS_SQL, [list(FUNCTIONS)])
        statements = [row[0] for row in cursor.fetchall()]
        for sql in statements:
            cursor.execute(sql)


def _apply(raw_connection, offset: dt.timedelta | None) -> None:
    """Set (or clear) the clock on one open connection, past Django's wrapper (this runs outside a test's DB access).

    A test inside pytest-django's transaction sets the clock inside it, and the rollback that ends the test clears
    it: the connection is then left alone here (it may be in a failed transaction, which refuses any command).
    """
    if offset is None:
        if raw_connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
            raw_connection.execute(f"RESET search_path; RESET {SCHEMA}.skew")
    else:
        path = f'"$user", public, {SCHEMA}, pg_catalog'
        raw_connection.execute(
            "SELECT set_config('search_path', %s, false), set_config(%s, %s, false)",
            [path, f"{SCHEMA}.skew", f"{offset.total_seconds()} seconds"],
        )


def _database_offset(offset: dt.timedelta | None) -> None:
    global _offset
    _offset = offset
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and not connection.connection.closed:
            _apply(connection.connection, offset)


def _on_connection_created(sender, connection, **kwargs) -> None:
    if _offset is not None:
        _apply(connection.connection, _offset)


connection_created.connect(_on_connection_created, dispatch_uid="tests.clock")
