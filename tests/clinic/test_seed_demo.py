"""The demo seeder is idempotent and refuses production or non-demo databases."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from clinic.accounts.demo import DEMO_USERS
from clinic.accounts.models import User
from clinic.management.commands.seed_demo import REFUSE_PRODUCTION, REFUSE_REAL_DATA
from patients.demo import DEMO_PATIENT_COUNT
from patients.models import Patient
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_creates_one_login_per_role_and_fake_patients(settings):
    settings.DEBUG = True
    seed()
    for username, _first, _last, role, is_staff in DEMO_USERS:
        user = authenticate(username=username, password=settings.DEMO_PASSWORD)
        assert user is not None, username
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.is_staff is is_staff
    assert Patient.objects.count() == DEMO_PATIENT_COUNT


def test_seeded_rows_are_tagged_in_the_change_history(settings):
    import pghistory.models

    settings.DEBUG = True
    seed()
    event = pghistory.models.Events.objects.tracks(Patient.objects.first()).get(pgh_label="insert")
    assert event.pgh_context["command"] == "seed_demo"


def test_seed_twice_adds_nothing(settings):
    settings.DEBUG = True
    seed()
    users, patients = User.objects.count(), Patient.objects.count()
    seed()
    assert (User.objects.count(), Patient.objects.count()) == (users, patients)


def test_seed_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match=re.escape(REFUSE_PRODUCTION)):
        seed()
    assert not User.objects.exists()


def test_seed_refuses_a_database_holding_other_data(settings):
    settings.DEBUG = True
    UserFactory(username="real.person")
    with pytest.raises(CommandError, match=re.escape(REFUSE_REAL_DATA)):
        seed()
    assert not Patient.objects.exists()
