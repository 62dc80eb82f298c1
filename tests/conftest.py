"""Shared fixtures: one logged-in client per role, and test-speed settings."""

from __future__ import annotations

import pytest
from django.db.backends.postgresql.operations import DatabaseOperations
from django.test import Client

from clinic import sms
from clinic.accounts import roles
from tests.factories import UserFactory
from tests.mfa import force_login_with_second_factor

# --clock and @pytest.mark.clock: the suite at chosen instants of the calendar (issue #24).
pytest_plugins = ["tests.clock"]

# Every sign-in passes the second factor; force_login in tests does too (tests/mfa.py; the refusals are tested with
# tests.mfa.password_only_login).
Client.force_login = force_login_with_second_factor

# Tests that commit (browser tests, ``transaction=True``) are cleaned up by Django's flush, one TRUNCATE of every
# table. The database refuses TRUNCATE of audit and clinical tables (audit migration 0005) except in a transaction
# that sets ``clinic.allow_truncate``: the flush, and only the flush, sets it, in its own transaction.
ALLOW_TRUNCATE_SQL = "SELECT set_config('clinic.allow_truncate', 'on', true)"
_sql_flush = DatabaseOperations.sql_flush


def _sql_flush_past_the_truncate_guard(self, style, tables, **kwargs):
    statements = _sql_flush(self, style, tables, **kwargs)
    return [ALLOW_TRUNCATE_SQL, *statements] if statements else statements


DatabaseOperations.sql_flush = _sql_flush_past_the_truncate_guard


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Each worker's test database is a copy of the migrated template (clinic/schema_template.py), made once for all
    workers, rather than migrated from empty by every worker; Django's own ``migrate`` then finds nothing to apply
    and runs only the post_migrate work."""
    from django.conf import settings

    from clinic import schema_template

    db = settings.DATABASES["default"]
    params = {"host": db["HOST"], "port": str(db["PORT"] or 5432), "user": db["USER"] or "postgres",
              "password": db.get("PASSWORD") or ""}  # fmt: skip
    db.setdefault("TEST", {})["TEMPLATE"] = schema_template.ensure(params)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, with a clock that follows the tests' (tests/clock.py)."""
    from tests.clock import install_database_clock  # the plugin module, imported once by pytest_plugins

    with django_db_blocker.unblock():
        install_database_clock()


ROLE_USERNAMES = {
    "front_desk": ("t_frontdesk", roles.FRONT_DESK),
    "nurse": ("t_nurse", roles.NURSE),
    "clinician": ("t_clinician", roles.CLINICIAN),
    "clinic_admin": ("t_clinicadmin", roles.CLINIC_ADMIN),
}
ROLES = list(ROLE_USERNAMES)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Speed and transport overrides for tests only (STYLE.md 7). Production settings stay as they are."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False  # the test client and live server speak plain HTTP
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "clinic.sms.LocmemBackend"
    sms.outbox.clear()
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
    # Production's manifest storage needs `collectstatic`; tests serve the source files directly.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def make_role_user(role: str):
    username, group = ROLE_USERNAMES[role]
    return UserFactory(username=username, role=group, is_staff=(role == "clinic_admin"))


def _client_for(role: str) -> Client:
    client = Client()
    client.force_login(make_role_user(role))
    return client


@pytest.fixture
def front_desk_client(db) -> Client:
    return _client_for("front_desk")


@pytest.fixture
def nurse_client(db) -> Client:
    return _client_for("nurse")


@pytest.fixture
def clinician_client(db) -> Client:
    return _client_for("clinician")


@pytest.fixture
def clinic_admin_client(db) -> Client:
    return _client_for("clinic_admin")


@pytest.fixture
def role_client(db):
    """Factory: ``role_client("nurse")`` is a client logged in with that role; ``None`` is anonymous."""

    def make(role: str | None) -> Client:
        return Client() if role is None else _client_for(role)

    return make


# Tests that share something outside their own test database run on one xdist worker, in file order (`make test`
# runs `pytest -n logical --dist loadgroup`): the nginx and backup checks share one seeded demo database (a session
# fixture, built once by the worker that runs them); the fault tests own the server under var/faults. Every stack and
# the benchmark collect their static files into a folder of their own (DJANGO_STATIC_ROOT), so nothing else is shared:
# every other test is sent to whichever worker is free, one at a time.
XDIST_GROUPS = {
    "tests/deploy/test_nginx_stack.py": "demo-database",
    "tests/deploy/test_backup_restore.py": "demo-database",
    "tests/faults/test_faults.py": "faults",
}


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """xdist's loadgroup scheduling with the groups above. (xdist 3.8 marks a group by renaming the test ids, which
    pytest 9.2 no longer lets it do, so its own ``xdist_group`` marks would be ignored; the scheduler's grouping is
    the documented extension point.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return XDIST_GROUPS.get(nodeid.split("::", 1)[0], nodeid)

    return GroupScheduling(config, log)
