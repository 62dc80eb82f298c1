"""A demo database shared by the deployment checks (migrated and seeded once per run, dropped at the end)."""

from __future__ import annotations

import pytest

from tests.deploy.support import database_url, manage, scratch_database


@pytest.fixture(scope="session")
def demo_database() -> str:
    """Name of a scratch database holding the demo data (the migrated template + ``seed_demo``)."""
    with scratch_database("demo", migrated=True) as name:
        manage("seed_demo", url=database_url(name))
        yield name
