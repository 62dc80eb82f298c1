"""Audit rows are kept: no code path deletes them, and the database refuses DELETE on every audit table
(security.md G1, G4; HIPAA 164.316(b)(2)(i): six years; Part 11 11.10(e)). Nothing purges them, so the retention
period is "forever"; docs/deploy.md says how to size the database for it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection

from clinic.audit import chain

BASE_DIR = Path(__file__).resolve().parents[2]
CODE_DIRS = ["clinic", "patients", "infusions", "loadtest"]
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
