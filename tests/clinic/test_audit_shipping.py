"""Audit fingerprints leave the machine (security.md G5): ``seal_audit`` ships one line per new chain link and the
head to the ``clinic.audit.ship`` logger (journal, and a remote syslog collector when configured), and
``verify_audit --head`` catches a chain rewritten consistently after a head was shipped."""

from __future__ import annotations

import io
import logging
import os
import re
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from clinic.audit import chain
from clinic.audit.models import AuditSeal, PatientAccessEvent
from clinic.audit.syslog import syslog_handler_config
from tests.clinic.test_audit_chain import access_rows, triggers_off

pytestmark = pytest.mark.django_db

SHIP_LOGGER = "clinic.audit.ship"


def seal_audit(*args: str) -> str:
    out = io.StringIO()
    call_command("seal_audit", *args, stdout=out)
    return out.getvalue()


def shipped(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == SHIP_LOGGER]


def test_each_new_link_and_the_head_are_shipped_once_without_names(caplog):
    caplog.set_level(logging.INFO, logger=SHIP_LOGGER)
    seal_audit()
    before, _ = chain.head()
    rows = access_rows(3)
    caplog.clear()

    out = seal_audit()

    position, head = chain.head()
    lines = shipped(caplog)
    links = [line for line in lines if line.startswith("audit-link ")]
    assert [int(re.search(r"position=(\d+)", line)[1]) for line in links] == list(range(before + 1, position + 1))
    access = [line for line in links if f"table={PatientAccessEvent._meta.db_table} " in line]
    assert [int(re.search(r"row=(\d+)", line)[1]) for line in access] == [row.pk for row in rows]
    seal = AuditSeal.objects.get(table_name=PatientAccessEvent._meta.db_table, row_pk=rows[0].pk)
    assert f"row_hash={bytes(seal.row_hash).hex()} chain_hash={bytes(seal.chain_hash).hex()}" in access[0]
    assert lines[-1] == f"audit-head position={position} chain_hash={head}"
    assert f"Shipped {len(links)} links." in out
    patient = rows[0].patient
    assert not any(name in "\n".join(lines) for name in (patient.family_name, patient.given_name, patient.mrn))

    caplog.clear()
    seal_audit()  # nothing new: only the head again
    assert shipped(caplog) == [f"audit-head position={position} chain_hash={head}"]


def test_ship_from_sends_earlier_links_again(caplog):
    access_rows(2)
    seal_audit()
    position, _ = chain.head()
    caplog.set_level(logging.INFO, logger=SHIP_LOGGER)
    caplog.clear()

    seal_audit("--ship-from", str(position - 2))

    links = [line for line in shipped(caplog) if line.startswith("audit-link ")]
    assert [int(re.search(r"position=(\d+)", line)[1]) for line in links] == [position - 1, position]


def rewrite_consistently(row: PatientAccessEvent) -> None:
    """What a database owner could do: change an audit row, re-hash its seal and relink the chain after it, so
    that every row matches its seal and every link its predecessor."""
    table = row._meta.db_table
    seal = AuditSeal.objects.get(table_name=table, row_pk=row.pk)
    with triggers_off(table):
        PatientAccessEvent.objects.filter(pk=row.pk).update(category="rewritten")
    with triggers_off(AuditSeal._meta.db_table) as cursor:
        cursor.execute(
            """UPDATE audit_auditseal SET row_hash = audit_row_digest(%s, %s,
                   (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(
                       (SELECT to_jsonb(t) FROM audit_patientaccessevent AS t WHERE t.id = %s)) AS e
                    WHERE e.key = ANY (audit_auditseal.columns)))
                WHERE id = %s""",
            [table, row.pk, row.pk, seal.pk],
        )
        cursor.execute(
            "UPDATE audit_auditseal SET position = NULL, prev_hash = NULL, chain_hash = NULL, sealed_at = NULL "
            "WHERE position >= %s",
            [seal.position],
        )
        cursor.execute("SET timezone = 'UTC'")
        cursor.execute("SELECT audit_link_seals()")


def test_a_chain_rewritten_after_its_head_was_shipped_fails_verification_against_that_head():
    rows = access_rows(3)
    seal_audit()
    position, head = chain.head()
    call_command("verify_audit", "--head", f"{position}:{head}", stdout=io.StringIO())  # intact: passes

    rewrite_consistently(rows[0])
    call_command("verify_audit", stdout=io.StringIO())  # on its own, the rewritten chain is consistent

    err = io.StringIO()
    with pytest.raises(CommandError, match="shipped head") as failure:
        call_command("verify_audit", "--head", f"{position}:{head}", stdout=io.StringIO(), stderr=err)
    assert f"first at position {position}" in str(failure.value)
    assert f"Shipped head at position {position} does not match: shipped {head}" in err.getvalue()


def test_a_head_that_is_not_position_and_hash_is_refused_with_a_message():
    with pytest.raises(CommandError, match="POSITION:HASH"):
        call_command("verify_audit", "--head", "12:not-a-hash", stdout=io.StringIO())


@pytest.mark.parametrize(
    ("address", "host", "port", "socktype"),
    [
        ("udp://logs.example.org:514", "logs.example.org", 514, "ext://socket.SOCK_DGRAM"),
        ("tcp://10.0.0.5:6514", "10.0.0.5", 6514, "ext://socket.SOCK_STREAM"),
        ("udp://collector", "collector", 514, "ext://socket.SOCK_DGRAM"),
    ],
)
def test_the_syslog_address_becomes_a_syslog_handler(address, host, port, socktype):
    config = syslog_handler_config(address)
    assert config["class"] == "logging.handlers.SysLogHandler"
    assert (config["address"], config["socktype"]) == ((host, port), socktype)


@pytest.mark.parametrize("address", ["logs.example.org:514", "http://logs:514", "udp://", "udp://host:514/path"])
def test_a_malformed_syslog_address_is_refused_at_start(address):
    with pytest.raises(ValueError, match="CLINIC_AUDIT_SYSLOG"):
        syslog_handler_config(address)


def test_with_clinic_audit_syslog_set_the_shipped_lines_reach_a_remote_collector():
    """End to end through the settings: a process started with CLINIC_AUDIT_SYSLOG sends what it ships to a
    syslog collector (here a UDP socket on loopback), as authpriv.info."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as collector:
        collector.bind(("127.0.0.1", 0))
        collector.settimeout(30)
        env = {**os.environ, "CLINIC_AUDIT_SYSLOG": f"udp://127.0.0.1:{collector.getsockname()[1]}",
               "DJANGO_SETTINGS_MODULE": "clinic.settings", "DJANGO_DEBUG": "1"}  # fmt: skip
        script = (
            f"import django; django.setup(); from clinic.audit import shipping; shipping.ship_head(7, {'ab' * 32!r})"
        )
        subprocess.run([sys.executable, "-c", script], env=env, cwd=settings.BASE_DIR, check=True, timeout=60)  # noqa: S603 - our own script
        message = collector.recv(65536).decode()
    authpriv_info = 10 * 8 + 6
    assert message == f"<{authpriv_info}>clinic-audit: audit-head position=7 chain_hash={'ab' * 32}\x00"
