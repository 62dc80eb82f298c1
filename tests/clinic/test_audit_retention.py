"""Audit rows are kept: no code path deletes them, and the database refuses DELETE on every audit table
(security.md G1, G4; HIPAA 164.316(b)(2)(i): six years; Part 11 11.10(e)). Nothing purges them, so the retention
period is "forever"; docs/deploy.md says how to size the database for it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from clinic.audit import chain
from tests.project import project_packages

BASE_DIR = Path(__file__).resolve().parents[2]
CODE_DIRS = [*project_packages(), "loadtest"]
AUDIT_NAMES = r"(PatientAccessEvent|AuthEvent|AuditSeal|Events?\b|\w+Event\b|pgh_event_models|audit_\w+|\w+event\b)"
# A .delete() on a queryset or row named after an audit model, or SQL that deletes or truncates an audit table.
ORM_DELETE = re.compile(AUDIT_NAMES + r"[^\n]*\.delete\(")
SQL_DELETE = re.compile(r"(DELETE\s+FROM|TRUNCATE)\s+[\"']?\w*(event|audit_)\w*", re.IGNORECASE)


def python_sources() -> list[Path]:
    return [
        path
        for folder in CODE_DIRS
        for path in (BASE_DIR / folder).rglob("*.py")
        if "migrations" not in path.parts and ".venv" not in path.parts
    ]


def test_no_code_deletes_audit_rows():
    offenders = []
    for path in python_sources():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if ORM_DELETE.search(line) or SQL_DELETE.search(line):
                offenders.append(f"{path.relative_to(BASE_DIR)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_scan_would_catch_a_deletion():
    assert ORM_DELETE.search("PatientAccessEvent.objects.filter(user=u).delete()")
    assert ORM_DELETE.search("AuthEvent.objects.all().delete()")
    assert SQL_DELETE.search('cursor.execute("DELETE FROM audit_authevent")')
    assert SQL_DELETE.search("TRUNCATE patients_patientevent")


@pytest.mark.django_db
def test_every_audit_table_refuses_delete_in_the_database():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgenabled = 'O'"
        )
        definitions = cursor.fetchall()
    refusing = {table for table, definition in definitions if "BEFORE" in definition and "DELETE" in definition}
    tables = {table for table, _ in chain.audit_tables()} | {"audit_auditseal"}
    assert tables - refusing == set()


# TRUNCATE fires no row trigger, so each of these tables also carries a statement-level BEFORE TRUNCATE trigger
# (audit migration 0005; security.md G1).
TRUNCATE_REFUSED = [
    "audit_patientaccessevent",
    "audit_authevent",
    "audit_auditseal",
    "audit_userroleevent",
    "patients_patientevent",
    "infusions_infusionsessionevent",
    "signatures_electronicsignature",
    "pghistory_context",
    "patients_allergy",  # a clinical table: DELETE is refused, so TRUNCATE is too
]


def truncate_guarded_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'refuse_truncate' AND t.tgenabled = 'O'"
        )
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db
def test_every_table_that_refuses_delete_refuses_truncate_too():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgenabled = 'O' AND pg_get_triggerdef(t.oid) ~ 'BEFORE .*DELETE'"
        )
        refusing_delete = {name for (name,) in cursor.fetchall()}
    audit = {table for table, _ in chain.audit_tables()} | {"audit_auditseal", "signatures_electronicsignature"}
    assert audit <= refusing_delete
    assert refusing_delete | {"pghistory_context"} <= truncate_guarded_tables()


@pytest.mark.django_db
@pytest.mark.parametrize("table", TRUNCATE_REFUSED)
def test_truncate_of_an_audit_or_clinical_table_is_refused(table):
    with (
        pytest.raises(DatabaseError, match=f"Cannot truncate {table} table"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"TRUNCATE {table} CASCADE")


@pytest.mark.django_db
def test_truncating_patients_cascades_into_the_audit_tables_and_is_refused():
    with pytest.raises(DatabaseError, match="Cannot truncate"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE patients_patient CASCADE")


@pytest.mark.django_db
def test_the_flush_of_committing_tests_alone_sets_the_setting_that_lets_truncate_through():
    """The test suite's database flush (tests/conftest.py) is the one caller of the transaction-local setting."""
    from django.core.management.color import no_style

    from tests.conftest import ALLOW_TRUNCATE_SQL

    statements = connection.ops.sql_flush(no_style(), ["audit_authevent"])
    assert statements[0] == ALLOW_TRUNCATE_SQL
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    offenders = [str(path.relative_to(BASE_DIR)) for path in python_sources() if "allow_truncate" in path.read_text()]
    assert offenders == []
