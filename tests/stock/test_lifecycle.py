"""The ledger's lifecycle tables (stock/lifecycle.py) are the one place that says what a vial's state and a session's
stock allow: the services refuse with them, the vial and session stock pages offer their forms from them, and their
URLs are made from them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clinic.accounts import roles
from infusions.choices import SessionStatus
from stock import lifecycle
from stock import services as stock_services
from stock.models import MovementKind, SessionStock, StockMovement, StockReceipt, Vial, VialStatus
from stock.views import SessionStockView, VialDetailView
from tests.factories import TEST_PASSWORD, UserFactory
from tests.infusions.factories import SessionFactory
from tests.stock.factories import receive
from tests.stock.test_services import dosed, stopped


@pytest.mark.parametrize(
    ("view", "table", "prefix", "path"),
    [
        (VialDetailView, lifecycle.VIAL_ACTIONS, "vial_", "/infusions/stock/vials/1/{}/"),
        (SessionStockView, lifecycle.SESSION_STOCK_ACTIONS, "session_stock_", "/infusions/sessions/1/stock/{}/"),
    ],
)
def test_every_action_has_its_form_its_service_call_and_its_url(view, table, prefix, path):
    assert list(view.action_forms) == list(table)
    for key in table:
        assert callable(getattr(view, f"perform_{key}", None)), key
        assert reverse(f"stock:{prefix}{key}", args=[1]) == path.format(key), key


def test_every_vial_status_has_its_meaning_and_the_groups_follow_from_it():
    assert set(lifecycle.VIAL_STATUS) == set(VialStatus.values)
    assert {"sealed", "in_use"} == lifecycle.DRAWABLE_STATUSES
    assert {"sealed", "in_use", "expired", "quarantined"} == lifecycle.ON_HAND_STATUSES
    assert {"expired", "quarantined"} == lifecycle.SET_ASIDE_STATUSES
    assert all(action.leads_to in {None, *VialStatus.values} for action in lifecycle.VIAL_ACTIONS.values())


def test_every_session_stock_action_is_allowed_from_session_statuses():
    for action in lifecycle.SESSION_STOCK_ACTIONS.values():
        assert action.allowed_from <= set(SessionStatus.values), action.key


def vial(status, remaining_mg, *, expired=False):
    """An unsaved vial of 500 mg in the given state."""
    expires_on = timezone.localdate() + dt.timedelta(days=-1 if expired else 30)
    return Vial(label="0001-01", status=status, full_mg=D(500), remaining_mg=D(remaining_mg),
                receipt=StockReceipt(expires_on=expires_on))  # fmt: skip


@pytest.mark.parametrize(
    ("status", "remaining_mg", "expired", "offered"),
    [
        ("sealed", 500, False, ["quarantine", "loss"]),
        ("sealed", 500, True, ["expire", "quarantine", "loss"]),
        ("in_use", 100, False, ["waste", "quarantine", "loss"]),
        ("in_use", 100, True, ["waste", "expire", "quarantine", "loss"]),
        ("quarantined", 100, False, ["waste", "destroy", "loss"]),
        ("quarantined", 0, False, ["loss"]),
        ("expired", 100, True, ["destroy", "loss"]),
        ("empty", 0, False, []),
        ("destroyed", 0, True, []),
    ],
)
def test_the_vial_page_offers_what_the_state_allows(status, remaining_mg, expired, offered):
    assert lifecycle.vial_offered(vial(status, remaining_mg, expired=expired)) == offered


@pytest.mark.parametrize(
    ("key", "status", "message"),
    [
        ("waste", "sealed", r"Vial 0001-01 is sealed: only an opened vial is wasted; sealed or expired stock is "
                            r"destroyed \(Form 41\)\."),
        ("destroy", "in_use", r"Vial 0001-01 is in use: mark it expired or quarantine it before destruction\."),
        ("quarantine", "expired", r"Vial 0001-01 is expired \(awaiting destruction\)\."),
        ("loss", "destroyed", r"Vial 0001-01 is destroyed\."),
    ],
)  # fmt: skip
def test_a_vial_refusal_names_the_vial_and_its_status(key, status, message):
    with pytest.raises(ValidationError, match=message):
        lifecycle.require_vial(vial(status, 100), key)


def stock_of(status, *, drawn=0, administered=0, in_hand=0, total_mg=None, voided=False):
    """The stock of an unsaved session with a preparation, drawn, given and holding the amounts (mg) given."""
    session = SessionFactory.build(status=status, total_mg=total_mg, preparation_id=1,
                                   voided_at=timezone.now() if voided else None)  # fmt: skip
    return SessionStock(session=session, drawn_mg=D(drawn), administered_mg=D(administered), wasted_mg=D(0),
                        returned_mg=D(0), in_hand_mg=D(in_hand))  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stock", "offered"),
    [
        (lambda: stock_of("scheduled"), []),
        (lambda: stock_of("checked_in"), ["draw"]),
        (lambda: stock_of("checked_in", voided=True), []),
        (lambda: stock_of("checked_in", drawn=50, in_hand=50), ["draw", "return"]),
        (lambda: stock_of("infusing", drawn=50, in_hand=50), ["draw", "return"]),
        # The pump gave more than was drawn: a top-up draw, then the total given.
        (lambda: stock_of("observing", drawn=25, in_hand=25, total_mg=36), ["draw", "administer", "return"]),
        (lambda: stock_of("observing", drawn=50, administered=36, in_hand=14, total_mg=36), ["waste", "return"]),
        (lambda: stock_of("discharged", drawn=50, in_hand=50, total_mg=36), ["administer", "return"]),
        (lambda: stock_of("signed", drawn=50, administered=50, total_mg=50), []),
        (lambda: stock_of("cancelled", drawn=50, in_hand=50), ["waste", "return"]),
        (lambda: stock_of("no_show", drawn=50, in_hand=50), ["return"]),
    ],
)
def test_the_session_stock_page_offers_what_the_session_allows(stock, offered):
    assert lifecycle.session_offered(stock()) == offered


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "status", "message"),
    [
        ("draw", "discharged", r"Cannot draw: the session is discharged\."),
        ("administer", "infusing", r"Stop the infusion first: the amount given is the session's computed total\."),
        ("waste", "checked_in", r"Waste the rest after the infusion has stopped \(or the session was cancelled\)\."),
    ],
)
def test_a_session_stock_refusal_says_why(key, status, message):
    with pytest.raises(ValidationError, match=message):
        lifecycle.require_session(stock_of(status).session, key)


@pytest.fixture
def nurse():
    return UserFactory(username="rn", role=roles.NURSE)


@pytest.fixture
def witness():
    return UserFactory(username="rn2", role=roles.NURSE)


@pytest.mark.django_db
def test_each_vial_state_offers_its_own_actions(nurse, witness):
    sealed, opened, quarantined, lost = receive(nurse, vial_count=4).vials.order_by("label")
    stock_services.stock_draw(session=dosed(nurse), vial=opened, volume_ml=D(1), by=nurse)
    stock_services.vial_quarantine(vial=quarantined, reason="Cracked cap", by=nurse)
    stock_services.stock_loss(vial=lost, volume_ml=None, discovered_on=timezone.localdate(), reason="Missing", by=nurse)
    vials = Vial.objects.select_related("receipt").in_bulk([sealed.pk, opened.pk, quarantined.pk, lost.pk])
    assert lifecycle.vial_offered(vials[sealed.pk]) == ["quarantine", "loss"]
    assert lifecycle.vial_offered(vials[opened.pk]) == ["waste", "quarantine", "loss"]
    assert lifecycle.vial_offered(vials[quarantined.pk]) == ["waste", "destroy", "loss"]
    assert vials[lost.pk].status == VialStatus.EMPTY
    assert lifecycle.vial_offered(vials[lost.pk]) == []


@pytest.mark.parametrize("kind", MovementKind.values)
def test_the_ledger_offers_to_correct_any_entry_but_a_correction_a_receipt_or_a_destruction(kind):
    assert StockMovement(kind=kind).can_be_corrected is (kind not in {"correction", "receipt", "destruction"})


def test_the_ledger_flags_a_waste_without_a_witness_only():
    assert StockMovement(kind=MovementKind.WASTE).missing_witness
    assert not StockMovement(kind=MovementKind.WASTE, witness_id=1).missing_witness
    assert not StockMovement(kind=MovementKind.LOSS).missing_witness


@pytest.mark.django_db
def test_a_corrected_entry_is_not_offered_for_correction_again(nurse):
    vial = receive(nurse).vials.first()
    draw = stock_services.stock_draw(session=dosed(nurse), vial=vial, volume_ml=D(1), by=nurse)
    assert draw.can_be_corrected
    stock_services.movement_correct(movement=draw, reason="Drawn from the wrong vial", by=nurse)
    assert not vial.movements.for_log().get(pk=draw.pk).can_be_corrected


@pytest.mark.django_db
def test_an_expired_vial_is_marked_expired_then_destroyed(nurse):
    today = timezone.localdate()
    vial = receive(nurse, received_on=today - dt.timedelta(days=60), expires_on=today - dt.timedelta(days=1))
    vial = vial.vials.select_related("receipt").first()
    assert lifecycle.vial_offered(vial) == ["expire", "quarantine", "loss"]
    stock_services.vial_mark_expired(vial=vial, by=nurse)
    vial = Vial.objects.select_related("receipt").get(pk=vial.pk)
    assert lifecycle.vial_offered(vial) == ["destroy", "loss"]


@pytest.mark.django_db
def test_a_session_offers_draw_until_the_total_given_is_recorded_then_waste(nurse, witness):
    vial = receive(nurse).vials.first()
    checked_in = dosed(nurse)
    assert lifecycle.session_offered(stock_services.session_reconciliation(checked_in)) == ["draw"]

    session = stopped(nurse, vial, volume_ml=D("0.5"))  # 25 mg drawn, 36.25 mg given: a top-up is still to record
    assert session.status == SessionStatus.OBSERVING
    assert lifecycle.session_offered(stock_services.session_reconciliation(session)) == ["draw", "administer", "return"]
    stock_services.stock_draw(session=session, vial=vial, volume_ml=D("0.5"), by=nurse)
    stock_services.stock_administer(session=session, by=nurse)
    stock = stock_services.session_reconciliation(session)
    assert lifecycle.session_offered(stock) == ["waste", "return"]
    stock_services.stock_waste_session_rest(session=session, reason="Rest of the bag", by=nurse, witness=witness,
                                      witness_password=TEST_PASSWORD)  # fmt: skip
    stock = stock_services.session_reconciliation(session)
    assert stock.reconciled
    assert lifecycle.session_offered(stock) == []
