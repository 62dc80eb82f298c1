"""Configuration: PostgreSQL only, secrets from the environment, production defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from clinic.database import database_settings

ROOT = Path(__file__).resolve().parents[2]


def test_database_url_selects_an_external_postgresql(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://clinic:s3cret@db.internal:5433/clinicdb")
    config = database_settings()
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"]) == ("db.internal", 5433)
    assert (config["NAME"], config["USER"]) == ("clinicdb", "clinic")


@pytest.mark.parametrize("url", ["sqlite:///var/db.sqlite3", "mysql://root@localhost/clinic"])
def test_database_url_for_another_engine_is_refused(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ValueError, match="PostgreSQL"):
        database_settings()


def test_tests_run_on_postgresql():
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _import_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "-c", "import clinic.settings"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _import_settings({})
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_production_starts_with_a_secret_key():
    assert _import_settings({"DJANGO_SECRET_KEY": "x" * 60}).returncode == 0


def test_debug_is_off_and_timestamps_are_stored_in_utc():
    assert settings.DEBUG is False
    assert settings.USE_TZ is True


def test_local_day_bounds_cover_whole_clinic_days_across_a_dst_change(settings):
    """3 Nov 2024 was 25 hours long in New York (DST ended): the range still runs midnight to midnight."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from clinic.dates import local_day_bounds

    with timezone.override(ZoneInfo("America/New_York")):
        start, end = local_day_bounds(dt.date(2024, 11, 3), dt.date(2024, 11, 3))
        assert (timezone.localtime(start).hour, timezone.localtime(end).hour) == (0, 0)
        assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(hours=25)
