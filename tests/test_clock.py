"""The test clock (tests/clock.py): a test marked ``clock`` runs at each instant, and the database keeps its time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from clinic.audit.models import PatientAccessEvent
from tests.clock import INSTANTS, resolve
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.clock
def test_python_and_database_clocks_both_start_at_the_instant(clock_instant):
    assert clock_instant is not None
    python_now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT now(), statement_timestamp(), transaction_timestamp(), clock_timestamp()")
        database_times = cursor.fetchone()
    for database_now in database_times:
        assert abs(database_now - python_now) < dt.timedelta(seconds=30)
    assert abs(python_now - clock_instant) < dt.timedelta(seconds=30)


@pytest.mark.clock
def test_rows_stamped_by_the_database_carry_the_instant(clock_instant):
    patient, user = PatientFactory(), UserFactory()
    entry = PatientAccessEvent.objects.create(user=user, patient=patient, category="clock test", path="/")
    entry.refresh_from_db()
    assert abs(entry.occurred_at - clock_instant) < dt.timedelta(seconds=30)


def test_without_a_clock_the_database_keeps_its_own_time(clock_instant):
    if clock_instant is not None:
        pytest.skip("the whole run has a clock (--clock)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT now(), current_setting('search_path')")
        database_now, search_path = cursor.fetchone()
    assert abs(database_now - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert "test_clock" not in search_path


def test_every_instant_names_its_offset_and_the_two_daylight_saving_nights_are_in_the_clinics_zone(settings):
    zone = timezone.get_default_timezone()
    assert settings.TIME_ZONE == "America/New_York"
    local = {name: resolve(name).astimezone(zone) for name in INSTANTS}
    assert local["sunday"].weekday() == 6
    assert local["saturday"].weekday() == 5
    assert (local["month-end"] + dt.timedelta(days=1)).day == 1
    assert local["dst-fall-back"].utcoffset() == dt.timedelta(hours=-4)
    an_hour_later = {name: (resolve(name) + dt.timedelta(hours=1)).astimezone(zone) for name in INSTANTS}
    assert an_hour_later["dst-fall-back"].utcoffset() == dt.timedelta(hours=-5)
    assert local["dst-spring-forward"].utcoffset() == dt.timedelta(hours=-5)
    assert an_hour_later["dst-spring-forward"].utcoffset() == dt.timedelta(hours=-4)
    assert local["before-midnight"].date() != resolve("before-midnight").astimezone(dt.UTC).date()
    assert local["after-midnight"].date() - local["before-midnight"].date() == dt.timedelta(days=1)


def test_make_test_clock_runs_every_instant():
    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    clocks = next(line for line in makefile.splitlines() if line.startswith("CLOCKS :="))
    assert clocks.split(":=")[1].split() == list(INSTANTS)
