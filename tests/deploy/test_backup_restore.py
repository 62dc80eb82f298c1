"""Backups: the demo database dumped with ``backup_db`` restores into an empty database with every row, and its audit
trail verifies (issue #10, security.md K1)."""

from __future__ import annotations

import subprocess

import pytest

from clinic.management.commands.restore_db import REFUSE_NOT_EMPTY
from tests.deploy.support import database_url, manage, scratch_database, table_counts


def test_demo_database_dump_restores_into_a_scratch_database_with_the_same_rows(demo_database, tmp_path):
    dump = tmp_path / "clinic.dump"
    source = table_counts(demo_database)
    manage("backup_db", "--output", str(dump), url=database_url(demo_database))

    with scratch_database("restore") as target:
        manage("restore_db", str(dump), url=database_url(target))
        restored = table_counts(target)
        # The restored database is usable by the app as it is: no migration pending, checks pass.
        plan = manage("migrate", "--plan", url=database_url(target)).stdout
        manage("check", "--database", "default", url=database_url(target))
        # The audit trail came back intact: every row matches its seal and the chain links up (security.md K1).
        verification = manage("verify_audit", url=database_url(target)).stdout

    assert restored == source
    assert source["patients_patient"] > 0
    assert source["infusions_vitalsign"] > 0
    assert sum(n for table, n in source.items() if table.endswith("event")) > 0  # the change history came along
    assert "No planned migration operations." in plan
    assert "Audit trail intact." in verification
    assert source["audit_auditseal"] > 0


def test_restore_refuses_a_database_that_holds_tables(demo_database, tmp_path):
    dump = tmp_path / "clinic.dump"
    manage("backup_db", "--output", str(dump), url=database_url(demo_database))
    with pytest.raises(subprocess.CalledProcessError) as failure:
        manage("restore_db", str(dump), url=database_url(demo_database))
    assert REFUSE_NOT_EMPTY.split("{")[0] in failure.value.stderr
