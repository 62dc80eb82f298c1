"""A database holding data is migrated forward from the first migration to the last (issue #10): new migrations
must apply to a clinic's populated database, not only to an empty test database."""

from __future__ import annotations

import json

from tests.deploy.support import database_url, manage, scratch_database


def test_populated_database_migrates_from_the_first_migration_to_the_last():
    with scratch_database("migrate") as name:
        url = database_url(name)
        shell = "from tests.deploy import migration_data as m; m.{}"
        before = json.loads(manage("shell", "-c", shell.format("populate()"), url=url).stdout.splitlines()[-1])
        manage("migrate", "--no-input", url=url)
        check = shell.format(f"check({before['pks']!r})")
        after = json.loads(manage("shell", "-c", check, url=url).stdout.splitlines()[-1])
        plan = manage("migrate", "--plan", url=url).stdout

    assert ["patients", "0002_initial"] in before["targets"]
    assert after["pks"] == {label: sorted(pks) for label, pks in before["pks"].items()}
    assert all(len(pks) == 3 for pks in after["pks"].values())
    assert after["patients_with_search_name"] == 3
    assert "No planned migration operations." in plan
