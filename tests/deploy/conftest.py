"""A demo database shared by the deployment checks (migrated and seeded once per run, dropped at the end)."""

from __future__ import annotations

import pytest

from tests.deploy.support import database_url, manage, scratch_database


@pytest.fixture(scope="session")
def demo_database() -> str:
    """Name of a scratch database holding the demo data (``manage.py migrate`` + ``seed_demo``)."""
    with scratch_database("demo") as name:
        url = database_url(name)
        manage("migrate", "--no-input", url=url)
        manage("createcachetable", url=url)
        manage("seed_demo", url=url)
        yield name
