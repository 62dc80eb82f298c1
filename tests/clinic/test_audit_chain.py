"""The hash chain over the audit tables: sealed on insert, linked by the sealer, and ``verify_audit`` finds the first
broken link after a raw edit, a deletion, a forged insert or an altered chain (security.md G2; ONC 170.315(d)(2)(v))."""

from __future__ import annotations

import io
import itertools
import time
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from clinic.audit import chain
from clinic.audit.models import AccessAction, AuditSeal, AuthEvent, AuthEventKind, PatientAccessEvent
from clinic.audit.services import auth_event_record, patient_access_log, patient_access_log_many
from patients.models import Patient
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

ACCESS = PatientAccessEvent._meta.db_table


@contextmanager
def triggers_off(table: str):
    """What someone with the table owner's rights could do: switch off the append-only (and seal) triggers."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred foreign-key checks pending on the table
        cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
        try:
            yield cursor
        finally:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')


def verify() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def verify_fails() -> str:
    err = io.StringIO()
    with pytest.raises(CommandError, match="FAILED") as failure:
        call_command("verify_audit", stdout=io.StringIO(), stderr=err)
    return f"{failure.value} {err.getvalue()}"


def access_rows(n: int) -> list[PatientAccessEvent]:
    user, patient = UserFactory(), PatientFactory()
    request = RequestFactory().get("/patients/1/", REMOTE_ADDR="10.0.0.1")
    request.user = user
    return [patient_access_log(request=request, patient=patient, category=f"c{i}") for i in range(n)]


def seal_of(row) -> AuditSeal:
    chain.seal()
    return AuditSeal.objects.get(table_name=row._meta.db_table, row_pk=row.pk)


def test_every_audit_table_carries_the_seal_trigger():
    tables = {table for table, _ in chain.audit_tables()}
    assert {ACCESS, AuthEvent._meta.db_table, Patient.pgh_event_models["insert"]._meta.db_table} <= tables
    assert len(tables) > 20  # every tracked clinical model's event table
    assert tables <= chain.seal_trigger_tables()


def test_each_new_row_gets_one_seal_and_the_sealer_links_them_in_order():
    rows = access_rows(3)
    unlinked = AuditSeal.objects.filter(table_name=ACCESS, row_pk__in=[r.pk for r in rows])
    assert unlinked.count() == 3
    assert not unlinked.filter(position__isnull=False).exists()
    assert chain.seal() >= 3
    seals = list(AuditSeal.objects.order_by("position"))
    assert [s.position for s in seals] == list(range(1, len(seals) + 1))
    assert bytes(seals[0].prev_hash) == chain.GENESIS_HASH
    assert all(bytes(b.prev_hash) == bytes(a.chain_hash) for a, b in itertools.pairwise(seals))


def test_bulk_inserts_are_sealed_row_by_row():
    user, patients = UserFactory(), PatientFactory.create_batch(4)
    request = RequestFactory().get("/reports/")
    request.user = user
    patient_access_log_many(request=request, patients=patients, category="report", action=AccessAction.EXPORT)
    assert AuditSeal.objects.filter(table_name=ACCESS).count() == 4


def test_a_clean_audit_trail_verifies_with_counts():
    access_rows(2)
    auth_event_record(kind=AuthEventKind.LOGIN_FAILURE, username="someone")
    PatientFactory().save()  # change history: insert and update events
    out = verify()
    assert "Audit trail intact." in out
    assert "pending: 0" in out
    assert "Chain head: position" in out


def test_an_edited_row_is_reported_with_its_position():
    rows = access_rows(3)
    position = seal_of(rows[1]).position
    with triggers_off(ACCESS) as cursor:
        cursor.execute(f"UPDATE {ACCESS} SET category = 'forged' WHERE id = %s", [rows[1].pk])  # noqa: S608
    report = verify_fails()
    assert f"position {position}: table {ACCESS}, row {rows[1].pk}: row changed" in report


def test_a_deleted_row_is_reported():
    rows = access_rows(2)
    position = seal_of(rows[0]).position
    with triggers_off(ACCESS) as cursor:
        cursor.execute(f"DELETE FROM {ACCESS} WHERE id = %s", [rows[0].pk])  # noqa: S608
    assert f"position {position}: table {ACCESS}, row {rows[0].pk}: row missing" in verify_fails()


def test_a_row_slipped_in_without_a_seal_is_reported():
    user, patient = UserFactory(), PatientFactory()
    chain.seal()
    with triggers_off(ACCESS) as cursor:
        cursor.execute(
            f"INSERT INTO {ACCESS} (user_id, patient_id, category, action, path) "  # noqa: S608
            "VALUES (%s, %s, 'forged', 'view', '/') RETURNING id",
            [user.pk, patient.pk],
        )
        forged = cursor.fetchone()[0]
    assert f"table {ACCESS}, row {forged}: row not sealed" in verify_fails()


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("SET chain_hash = sha256('x')", "chain altered: chain_hash does not match"),
        ("SET row_hash = sha256('x')", "chain altered: chain_hash does not match"),
        ("SET prev_hash = sha256('x')", "chain altered: prev_hash does not match"),
    ],
)
def test_an_altered_chain_link_is_reported(change, problem):
    rows = access_rows(3)
    position = seal_of(rows[1]).position
    with triggers_off(AuditSeal._meta.db_table) as cursor:
        cursor.execute(f"UPDATE audit_auditseal {change} WHERE position = %s", [position])
    assert f"position {position}: table {ACCESS}, row {rows[1].pk}: {problem}" in verify_fails()


def test_a_removed_chain_link_is_reported_as_a_gap():
    rows = access_rows(3)
    position = seal_of(rows[1]).position
    with triggers_off(AuditSeal._meta.db_table) as cursor:
        cursor.execute("DELETE FROM audit_auditseal WHERE position = %s", [position])
    report = verify_fails()
    assert f"position {position + 1}: table {ACCESS}, row {rows[2].pk}: chain altered: links before" in report


def test_the_first_broken_link_is_the_one_reported():
    rows = access_rows(4)
    first, later = seal_of(rows[1]).position, seal_of(rows[3]).position
    with triggers_off(ACCESS) as cursor:
        cursor.execute(f"UPDATE {ACCESS} SET category = 'forged' WHERE id IN (%s, %s)", [rows[1].pk, rows[3].pk])  # noqa: S608
    report = verify_fails()
    assert "2 problem(s)" in report
    assert f"first at position {first}:" in report
    assert f"position {later}:" not in report


def test_a_column_added_to_an_audit_table_later_does_not_break_older_rows():
    access_rows(2)
    chain.seal()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {ACCESS} ADD COLUMN reason text NOT NULL DEFAULT 'later'")
    access_rows(1)  # a newer row is sealed with the new column in its list
    assert "Audit trail intact." in verify()
    newest = AuditSeal.objects.filter(table_name=ACCESS).latest("id")
    assert "reason" in newest.columns


def test_the_session_time_zone_does_not_change_the_hashes():
    access_rows(1)
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'Asia/Kolkata'")
    assert "Audit trail intact." in verify()


def test_rows_written_before_their_table_had_the_trigger_are_sealed_by_migrate_and_counted():
    user, patient = UserFactory(), PatientFactory()
    # Reference data written by data migrations, before post_migrate put the triggers on, is sealed that way too.
    earlier = AuditSeal.objects.filter(origin=AuditSeal.Origin.BACKFILL).count()
    with triggers_off(ACCESS) as cursor:
        cursor.execute(
            f"INSERT INTO {ACCESS} (user_id, patient_id, category, action, path) "  # noqa: S608
            "VALUES (%s, %s, 'before seals', 'view', '/')",
            [user.pk, patient.pk],
        )
    chain.install()
    assert AuditSeal.objects.filter(table_name=ACCESS, origin=AuditSeal.Origin.BACKFILL).count() == 1
    out = verify()
    assert "Audit trail intact." in out
    assert f"sealed late by migrate: {earlier + 1}" in out


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditseal SET row_hash = sha256('x')",
        "UPDATE audit_auditseal SET position = position + 1000",
        "DELETE FROM audit_auditseal",
    ],
)
def test_linked_seals_cannot_be_changed_or_deleted(statement):
    access_rows(1)
    chain.seal()
    with pytest.raises(DatabaseError, match="Cannot"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


def test_an_unlinked_seal_cannot_be_rewritten_either():
    access_rows(1)
    with pytest.raises(DatabaseError, match="Cannot"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditseal SET row_hash = sha256('x') WHERE position IS NULL")


def test_seal_audit_prints_the_chain_head():
    access_rows(2)
    out = io.StringIO()
    call_command("seal_audit", stdout=out)
    position, head = chain.head()
    assert f"Chain head: position {position}, hash {head}." in out.getvalue()
    assert position >= 2


def test_the_seal_trigger_costs_little_on_access_log_inserts(capsys):
    """Timing (a loose bound only): 1,000 access-log inserts through the ORM and as bare SQL, with and without the
    seal trigger. The numbers are printed for docs/deploy.md."""
    user, patient = UserFactory(), PatientFactory()

    def orm_1000() -> float:
        started = time.perf_counter()
        for i in range(1000):
            PatientAccessEvent.objects.create(user=user, patient=patient, category=f"c{i}", path="/")
        return time.perf_counter() - started

    def sql_1000() -> float:
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(
                f"DO $$ BEGIN FOR i IN 1..1000 LOOP INSERT INTO {ACCESS} (user_id, patient_id, category, action, path)"  # noqa: S608
                f" VALUES ({user.pk}, {patient.pk}, 'c' || i, 'view', '/'); END LOOP; END $$"
            )
            return time.perf_counter() - started

    orm_1000(), sql_1000()  # warm up
    with_seal = orm_1000(), sql_1000()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {ACCESS} DISABLE TRIGGER {chain.SEAL_TRIGGER}")
    without = orm_1000(), sql_1000()
    with capsys.disabled():
        print(
            f"\n1,000 access-log inserts, ORM: {with_seal[0] * 1000:.0f} ms with the seal trigger, "
            f"{without[0] * 1000:.0f} ms without; bare SQL: {with_seal[1] * 1000:.0f} ms with, "
            f"{without[1] * 1000:.0f} ms without"
        )
    assert with_seal[0] < without[0] * 3
