"""The top navigation, the dashboard's shortcuts and the roles' permissions are contributed by each app."""

from __future__ import annotations

from pathlib import Path

import pytest

from clinic import navigation

CLINIC_DIR = Path(navigation.__file__).parent


def test_every_app_contributes_its_entries_in_the_clinics_order():
    assert [item.label for item in navigation.nav_items()] == [
        "Patients", "Schedule", "Today", "Side effects", "Safety", "Alerts", "Stock", "Reports", "Audit",
        "Emergency access",
    ]  # fmt: skip
    assert [shortcut.label for shortcut in navigation.shortcuts()] == [
        "Find a patient", "Register a patient", "Today's chairs", "Side-effect review", "Ketamine stock",
        "Staff and roles", "Access log", "Change history", "Sign-ins and refusals",
    ]  # fmt: skip


def test_registering_an_entry_twice_lists_it_once():
    first = navigation.nav_items()[0]
    navigation.register(nav=[first])
    assert [item.label for item in navigation.nav_items()].count(first.label) == 1


@pytest.mark.parametrize("module", ["navigation.py", "accounts/roles.py"])
def test_the_core_registries_name_no_feature_app(module):
    """Feature apps contribute their entries and role permissions; the core lists none of them (STYLE.md 1)."""
    source = (CLINIC_DIR / module).read_text()
    for app in ("patients", "infusions", "side_effects", "stock"):
        assert f'"{app}:' not in source
        assert f'"{app}.' not in source
        assert f"from {app}" not in source
