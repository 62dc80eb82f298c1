"""What a vial's or a session's state allows: the model methods the stock pages offer their actions from."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from clinic.accounts import roles
from infusions.choices import SessionStatus
from stock import services as stock_services
from stock.models import Vial, VialStatus
from tests.factories import TEST_PASSWORD, UserFactory
from tests.stock.factories import receive
from tests.stock.test_services import dosed, stopped

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse():
    return UserFactory(username="rn", role=roles.NURSE)


@pytest.fixture
def witness():
    return UserFactory(username="rn2", role=roles.NURSE)


def test_each_vial_state_offers_its_own_actions(nurse, witness):
    sealed, opened, quarantined, lost = receive(nurse, vial_count=4).vials.order_by("label")
    stock_services.stock_draw(session=dosed(nurse), vial=opened, volume_ml=D(1), by=nurse)
    stock_services.vial_quarantine(vial=quarantined, reason="Cracked cap", by=nurse)
    stock_services.stock_loss(vial=lost, volume_ml=None, discovered_on=timezone.localdate(), reason="Missing", by=nurse)
    vials = Vial.objects.select_related("receipt").in_bulk([sealed.pk, opened.pk, quarantined.pk, lost.pk])
    assert vials[sealed.pk].available_actions() == ["quarantine", "loss"]
    assert vials[opened.pk].available_actions() == ["waste", "quarantine", "loss"]
    assert vials[quarantined.pk].available_actions() == ["waste", "destroy", "loss"]
    assert vials[lost.pk].status == VialStatus.EMPTY
    assert vials[lost.pk].available_actions() == []


def test_an_expired_vial_is_marked_expired_then_destroyed(nurse):
    today = timezone.localdate()
    vial = receive(nurse, received_on=today - dt.timedelta(days=60), expires_on=today - dt.timedelta(days=1))
    vial = vial.vials.select_related("receipt").first()
    assert vial.available_actions() == ["expire", "quarantine", "loss"]
    stock_services.vial_mark_expired(vial=vial, by=nurse)
    vial = Vial.objects.select_related("receipt").get(pk=vial.pk)
    assert vial.available_actions() == ["destroy", "loss"]


def test_a_session_offers_draw_until_the_total_given_is_recorded_then_waste(nurse, witness):
    vial = receive(nurse).vials.first()
    checked_in = dosed(nurse)
    assert stock_services.session_reconciliation(checked_in).available_actions() == ["draw"]

    session = stopped(nurse, vial, volume_ml=D("0.5"))  # 25 mg drawn, 36.25 mg given: a top-up is still to record
    assert session.status == SessionStatus.OBSERVING
    assert stock_services.session_reconciliation(session).available_actions() == ["draw", "administer", "return"]
    stock_services.stock_draw(session=session, vial=vial, volume_ml=D("0.5"), by=nurse)
    stock_services.stock_administer(session=session, by=nurse)
    stock = stock_services.session_reconciliation(session)
    assert stock.available_actions() == ["waste", "return"]
    stock_services.stock_waste_session_rest(session=session, reason="Rest of the bag", by=nurse, witness=witness,
                                      witness_password=TEST_PASSWORD)  # fmt: skip
    stock = stock_services.session_reconciliation(session)
    assert stock.reconciled
    assert stock.available_actions() == []
