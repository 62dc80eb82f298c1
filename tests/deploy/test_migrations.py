"""A database holding data is migrated forward from the first migration to the last (issue #10): new migrations
must apply to a clinic's populated database, not only to an empty test database."""

from __future__ import annotations

import json

from tests.deploy.migration_data import OLD_TO_NEW, TUNED
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


def test_populated_database_keeps_side_effects_stock_their_triggers_and_grants_through_the_split():
    """Issue #15: side effects and the stock ledger left ``infusions`` by state only, and each app took its settings
    from the clinic-wide row; rows, trigger names, event rows, the roles' and a user's grants (renamed), the tuned
    settings and the audit chain all come through a plain ``migrate``."""
    with scratch_database("split") as name:
        url = database_url(name)
        shell = "from tests.deploy import migration_data as m; m.{}"
        before = json.loads(
            manage("shell", "-c", shell.format("populate_before_split()"), url=url).stdout.splitlines()[-1]
        )
        manage("migrate", "--no-input", url=url)
        check = shell.format(f"check_after_split({before!r})")
        after = json.loads(manage("shell", "-c", check, url=url).stdout.splitlines()[-1])

    assert after["pks"] == {OLD_TO_NEW[old]: sorted(pks) for old, pks in before["pks"].items()}
    assert all(len(pks) == 3 for pks in after["pks"].values())
    assert after["triggers"] == before["triggers"]  # the same trigger names on the same tables, and event rows
    assert len(before["triggers"]) == 15  # fourteen tables with triggers, and the event row counts
    assert 0 not in before["triggers"]["event_rows"]
    assert after["events_append_only"] is True
    renamed = {
        role: {codename.replace("adverseevent", "sideeffect"): pk for codename, pk in grants.items()}
        for role, grants in before["grants"].items()
    }
    for role, grants in renamed.items():  # the same permission rows, renamed, still held (the sync may add more)
        assert grants.items() <= after["grants"][role].items(), role
    assert after["user_may_review"] is True
    assert after["old_content_types"] == []
    assert after["old_permissions"] == 0
    assert after["audit_intact"] is True
    assert after["settings"] == TUNED  # each app's own settings row holds what the clinic had tuned
