"""The demo seeder is idempotent and refuses production or non-demo databases.

Seeding charts every demo session through the services (~20 s), so one test seeds once and checks everything.
"""

from __future__ import annotations

import io
import logging
import re
import time

import pghistory.models
import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from clinic.accounts.demo import DEMO_USERS
from clinic.accounts.models import User
from clinic.audit.models import AuthEvent, AuthEventKind
from clinic.management.commands.seed_demo import REFUSE_PRODUCTION, REFUSE_REAL_DATA
from clinic.signatures.models import ElectronicSignature
from clinic.signatures.services import signatures_verify
from infusions.choices import SessionStatus
from infusions.models import InfusionSession
from patients.demo import DEMO_PATIENT_COUNT
from patients.models import EmergencyAccessGrant, Patient, Screening
from side_effects.models import SideEffect
from stock.models import StockCount, StockMovement, Vial, VialStatus
from stock.selectors import unreconciled_sessions
from tests.clock import travel
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


# The demo lays today's board around the moment it is seeded: at night some states (an open vial in use, a session
# infusing since the morning) need not exist. This test is about what the demo holds, so it seeds on a clinic
# morning whatever the day the suite runs (#24); seeding at the other instants is run by `make test-clock`.
CLINIC_MORNING = "2026-12-08T10:30:00-05:00"  # a Tuesday


@pytest.fixture
def clinic_morning():
    with travel(CLINIC_MORNING):
        yield


def test_seed_creates_every_role_patients_and_sessions_in_every_state_once(settings, clinic_morning, caplog):
    settings.DEBUG = True
    caplog.set_level(logging.WARNING)
    seed()
    # The demo's intentional failed sign-ins and lockout log no WARNING a newcomer would take for an error (#17), and
    # the loggers that report real ones are left as they were.
    assert [f"{r.levelname} {r.name}" for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert logging.getLogger("axes").getEffectiveLevel() <= logging.WARNING
    assert logging.getLogger("clinic.audit.receivers").getEffectiveLevel() <= logging.WARNING

    for username, _first, _last, role, is_staff in DEMO_USERS:
        request = RequestFactory().post("/accounts/login/")  # django-axes checks every sign-in against its request
        user = authenticate(request, username=username, password=settings.DEMO_PASSWORD)
        assert user is not None, username
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.is_staff is is_staff
    assert Patient.objects.count() == DEMO_PATIENT_COUNT
    states = set(InfusionSession.objects.values_list("status", flat=True))
    assert states == set(SessionStatus.values)
    events = SideEffect.objects.all()
    assert set(events.values_list("grade", flat=True)) >= {1, 2, 3, 4}
    assert events.filter(serious=True, reviewed_at__isnull=True).exists()
    assert any(event.overdue_reports() for event in events.prefetch_related("reports"))
    assert set(Vial.objects.values_list("status", flat=True)) == set(VialStatus.values)
    signed = InfusionSession.objects.filter(status=SessionStatus.SIGNED)
    assert signed.filter(stock_movements__kind="draw").distinct().count() == signed.count()
    # Every signed demo session carries a valid electronic signature, made through the password check (#7).
    signatures = ElectronicSignature.objects.filter(content_type__model="infusionsession")
    assert sorted(signatures.values_list("object_id", flat=True)) == sorted(signed.values_list("pk", flat=True))
    assert ElectronicSignature.objects.filter(content_type__model="addendum").count() == 1
    reviewed = Screening.objects.exclude(status="pending")
    assert ElectronicSignature.objects.filter(content_type__model="screening").count() == reviewed.count() > 0
    assert all(result.ok for result in signatures_verify(list(ElectronicSignature.objects.all())))
    call_command("verify_signatures", stdout=io.StringIO())
    assert StockMovement.objects.filter(kind="waste", witness__isnull=False).count() > 10
    assert StockCount.objects.filter(kind="routine").exclude(variance_mg=0).count() == 1
    assert len(unreconciled_sessions()) == 1
    losses = StockMovement.objects.filter(kind="loss").select_related("form_106", "reversal")
    assert sorted(loss.form_106_state() for loss in losses) == ["due", "filed"]
    insert = pghistory.models.Events.objects.tracks(Patient.objects.first()).get(pgh_label="insert")
    assert insert.pgh_context["command"] == "seed_demo"
    kinds = set(AuthEvent.objects.values_list("kind", flat=True))
    assert {AuthEventKind.LOGIN_FAILURE, AuthEventKind.LOCKOUT, AuthEventKind.UNLOCK} <= kinds
    assert AuthEvent.objects.get(kind=AuthEventKind.UNLOCK).user.username == "clinicadmin"
    # Emergency access (security.md D1, D2): a restricted record the nurse's care team holds, the clinician designated
    # to break the glass (the nurse is not), and one past emergency access waiting for review.
    clinician, nurse = User.objects.get(username="clinician"), User.objects.get(username="nurse")
    assert clinician.has_perm("patients.break_glass")
    assert not nurse.has_perm("patients.break_glass")
    restricted = Patient.objects.get(is_restricted=True)
    assert not Patient.objects.visible_to(clinician).filter(pk=restricted.pk).exists()
    assert Patient.objects.visible_to(nurse).filter(pk=restricted.pk).exists()
    grant = EmergencyAccessGrant.objects.pending().get()
    assert (grant.user, grant.patient, grant.is_active) == (clinician, restricted, False)

    counts = (User.objects.count(), Patient.objects.count(), InfusionSession.objects.count())
    started = time.perf_counter()
    seed()
    assert (User.objects.count(), Patient.objects.count(), InfusionSession.objects.count()) == counts
    assert time.perf_counter() - started < 5


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
