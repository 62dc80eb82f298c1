"""The ketamine stock ledger's rules, refused by the services and again by the database (issue #9)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from clinic.accounts import roles
from infusions import services
from stock import services as stock_services
from stock.models import MovementKind, StockCount, StockMovement, StockReceipt, StockSettings, Vial, VialStatus
from stock.quantities import next_business_day
from tests.clock import t0
from tests.factories import TEST_PASSWORD, UserFactory
from tests.infusions.factories import preparation
from tests.infusions.test_services import GOOD_VITALS, checked_in, earlier
from tests.stock.factories import StockProductFactory, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse():
    return UserFactory(username="rn", role=roles.NURSE)


@pytest.fixture
def witness():
    return UserFactory(username="rn2", role=roles.NURSE)


@pytest.fixture
def vials(nurse):
    return list(receive(nurse).vials.order_by("label"))


def dosed(nurse, prep=None):
    session = checked_in(nurse)
    return services.session_set_dose(
        session=session, by=nurse, weight_kg=D("72.5"), preparation=prep or preparation(1), dose_per_kg=D("0.5")
    )


def stopped(nurse, vial, volume_ml=D(2)):
    """A depression session (36.25 mg planned) that drew ``volume_ml`` of 50 mg/mL and ran to the end."""
    session = dosed(nurse)
    stock_services.stock_draw(session=session, vial=vial, volume_ml=volume_ml, by=nurse, at=t0())
    services.session_record_vitals(session=session, by=nurse, taken_at=earlier(), **GOOD_VITALS)
    services.session_start(session=session, by=nurse, at=earlier() + dt.timedelta(minutes=5))
    return services.session_end_infusion(session=session, by=nurse, at=earlier() + dt.timedelta(minutes=50))


# Receipts ---------------------------------------------------------------------------------------------------------


def test_a_receipt_labels_each_vial_and_adds_it_to_the_ledger(nurse):
    receipt = receive(nurse, vial_count=3)
    vials = list(receipt.vials.order_by("label"))
    assert [v.label for v in vials] == [f"{receipt.pk:04d}-0{n}" for n in (1, 2, 3)]
    assert all(v.status == VialStatus.SEALED and v.remaining_mg == D(500) for v in vials)
    balances = list(StockMovement.objects.order_by("id").values_list("kind", "vial_balance_mg", "product_balance_mg"))
    assert balances == [("receipt", D(500), D(500)), ("receipt", D(500), D(1000)), ("receipt", D(500), D(1500))]


def test_an_expired_lot_or_a_future_delivery_is_refused(nurse):
    with pytest.raises(ValidationError, match=r"already expired"):
        receive(nurse, expires_on=timezone.localdate())
    with pytest.raises(ValidationError, match=r"future"):
        receive(nurse, received_on=timezone.localdate() + dt.timedelta(days=1))
    assert not StockReceipt.objects.exists()


# Draw --------------------------------------------------------------------------------------------------------------


def test_a_draw_opens_the_vial_and_starts_its_beyond_use_time(nurse, vials):
    session = dosed(nurse)
    movement = stock_services.stock_draw(session=session, vial=vials[0], volume_ml=D(2), by=nurse, at=t0())
    vial = Vial.objects.get(pk=vials[0].pk)
    assert (movement.quantity_mg, movement.vial_balance_mg, movement.product_balance_mg) == (D(100), D(400), D(900))
    assert movement.patient == session.patient
    assert (vial.status, vial.remaining_mg, vial.opened_by) == (VialStatus.IN_USE, D(400), nurse)
    assert vial.beyond_use_at == t0() + dt.timedelta(days=28)


def test_no_draw_beyond_what_the_vial_holds(nurse, vials):
    with pytest.raises(ValidationError, match=r"holds 10 mL \(500 mg\)"):
        stock_services.stock_draw(session=dosed(nurse), vial=vials[0], volume_ml=D("10.5"), by=nurse)
    assert Vial.objects.get(pk=vials[0].pk).status == VialStatus.SEALED


def test_the_vial_must_match_the_sessions_preparation(nurse):
    vial = receive(nurse, product=StockProductFactory(name="Ketamine 100", concentration_mg_ml=D(100))).vials.first()
    with pytest.raises(ValidationError, match=r"Wrong vial: .* is 100 mg/mL .* made from 50 mg/mL vials"):
        stock_services.stock_draw(session=dosed(nurse), vial=vial, volume_ml=D(1), by=nurse)


def test_the_preparation_follows_the_vial_drawn(nurse, vials):
    session = dosed(nurse)
    stock_services.stock_draw(session=session, vial=vials[0], volume_ml=D(1), by=nurse)
    from_100 = preparation(1).__class__.objects.get(name="Ketamine 1 mg/mL bag from 100 mg/mL vial")
    with pytest.raises(ValidationError, match=r"already drawn .* 50 mg/mL vial"):
        services.session_set_dose(
            session=session, by=nurse, weight_kg=D("72.5"), preparation=from_100, dose_per_kg=D("0.5")
        )


def test_a_draw_needs_the_dose_and_a_live_session(nurse, vials):
    with pytest.raises(ValidationError, match=r"Set the dose"):
        stock_services.stock_draw(session=checked_in(nurse), vial=vials[0], volume_ml=D(1), by=nurse)


def test_no_draw_from_a_vial_past_its_beyond_use_time_or_expiry(nurse, vials):
    session = dosed(nurse)
    stock_services.stock_draw(session=session, vial=vials[0], volume_ml=D(1), by=nurse, at=t0())
    later = t0() + dt.timedelta(days=29)
    with pytest.raises(ValidationError, match=r"beyond-use time .* waste the rest"):
        stock_services.stock_draw(session=session, vial=vials[0], volume_ml=D(1), by=nurse, at=later)
    old = receive(nurse, received_on=timezone.localdate() - dt.timedelta(days=30), expires_on=timezone.localdate())
    old = old.vials.first()
    with pytest.raises(ValidationError, match=r"expired on"):
        stock_services.stock_draw(session=session, vial=old, volume_ml=D(1), by=nurse, at=t0() + dt.timedelta(days=2))


# Administer, waste, return -----------------------------------------------------------------------------------------


def test_administered_is_the_sessions_computed_total_and_the_rest_is_wasted_with_a_witness(nurse, witness, vials):
    session = stopped(nurse, vials[0])
    assert session.total_mg == D("36.25")
    [given] = stock_services.stock_administer(session=session, by=nurse)
    assert (given.quantity_mg, given.vial_change_mg, given.session_change_mg) == (D("36.25"), 0, D("-36.25"))
    [wasted] = stock_services.stock_waste_session_rest(
        session=session, reason="Rest of the bag", by=nurse, witness=witness, witness_password=TEST_PASSWORD
    )
    assert (wasted.quantity_mg, wasted.witness) == (D("63.75"), witness)
    stock = stock_services.session_reconciliation(session)
    assert (stock.drawn_mg, stock.administered_mg, stock.wasted_mg, stock.in_hand_mg) == (
        D(100), D("36.25"), D("63.75"), 0,
    )  # fmt: skip
    assert stock.reconciled
    assert Vial.objects.get(pk=vials[0].pk).remaining_mg == D(400)  # waste of the drawn rest leaves the vial alone


def test_administered_is_refused_before_the_infusion_stops_and_beyond_what_was_drawn(nurse, vials):
    session = dosed(nurse)
    stock_services.stock_draw(session=session, vial=vials[0], volume_ml=D("0.5"), by=nurse, at=t0())
    with pytest.raises(ValidationError, match=r"Stop the infusion first"):
        stock_services.stock_administer(session=session, by=nurse)
    session = stopped(nurse, vials[1], volume_ml=D("0.5"))  # 25 mg drawn, 36.25 mg given
    with pytest.raises(ValidationError, match=r"only 25 mg drawn .* record the missing draw"):
        stock_services.stock_administer(session=session, by=nurse)


@pytest.mark.parametrize(
    ("who", "password", "message"),
    [
        (None, None, "must confirm this with their own username and password"),
        ("self", TEST_PASSWORD, "another member of staff"),
        ("witness", "wrong", "not an active nurse's or clinician's login"),
        ("front_desk", TEST_PASSWORD, "not an active nurse's or clinician's login"),
    ],
)
def test_a_waste_needs_another_staff_members_password(nurse, witness, vials, who, password, message):
    session = stopped(nurse, vials[0])
    stock_services.stock_administer(session=session, by=nurse)
    people = {"self": nurse, "witness": witness, "front_desk": UserFactory(role=roles.FRONT_DESK), None: None}
    with pytest.raises(ValidationError, match=message):
        stock_services.stock_waste_session_rest(
            session=session, reason="Rest of the bag", by=nurse, witness=people[who], witness_password=password
        )
    assert not StockMovement.objects.filter(kind=MovementKind.WASTE).exists()


def test_the_clinic_may_turn_the_witness_off(nurse, vials):
    StockSettings.objects.update_or_create(pk=1, defaults={"waste_needs_witness_password": False})
    session = stopped(nurse, vials[0])
    stock_services.stock_administer(session=session, by=nurse)
    [wasted] = stock_services.stock_waste_session_rest(
        session=session, reason="Rest of the bag", by=nurse, witness=None, witness_password=None
    )
    assert wasted.witness is None


def test_an_unused_draw_returns_to_the_vial(nurse, vials):
    session = dosed(nurse)
    stock_services.stock_draw(session=session, vial=vials[0], volume_ml=D(2), by=nurse, at=t0())
    with pytest.raises(ValidationError, match=r"return no more than that"):
        stock_services.stock_return(session=session, vial=vials[0], volume_ml=D(3), reason="Cancelled", by=nurse)
    stock_services.stock_return(session=session, vial=vials[0], volume_ml=D(2), reason="Cancelled", by=nurse)
    assert Vial.objects.get(pk=vials[0].pk).remaining_mg == D(500)
    assert stock_services.session_reconciliation(session).in_hand_mg == 0


# Corrections, destruction, loss -------------------------------------------------------------------------------------


def test_a_correction_reverses_an_entry_once_and_keeps_the_original(nurse, vials):
    draw = stock_services.stock_draw(session=dosed(nurse), vial=vials[0], volume_ml=D(2), by=nurse, at=t0())
    correction = stock_services.movement_correct(movement=draw, reason="Drawn for the wrong session", by=nurse)
    assert (correction.vial_change_mg, correction.session_change_mg, correction.reverses) == (D(100), D(-100), draw)
    assert Vial.objects.get(pk=vials[0].pk).remaining_mg == D(500)
    with pytest.raises(ValidationError, match=r"already been corrected"):
        stock_services.movement_correct(movement=draw, reason="Again please", by=nurse)
    with pytest.raises(ValidationError, match=r"not reversed"):
        stock_services.movement_correct(movement=correction, reason="Undo the undo", by=nurse)
    assert StockMovement.objects.filter(pk=draw.pk).exists()


def test_a_draw_is_corrected_only_while_nothing_of_it_was_used(nurse, vials):
    session = dosed(nurse)
    draw = stock_services.stock_draw(session=session, vial=vials[0], volume_ml=D(2), by=nurse, at=t0())
    stock_services.stock_return(session=session, vial=vials[0], volume_ml=D(1), reason="Cancelled", by=nurse)
    with pytest.raises(ValidationError, match=r"correct those entries first"):
        stock_services.movement_correct(movement=draw, reason="Wrong session", by=nurse)


def test_destruction_needs_two_different_witnesses_and_expired_or_quarantined_stock(nurse, witness, vials):
    third = UserFactory(username="md", role=roles.CLINICIAN)
    kwargs = {
        "method": "Reverse distributor",
        "reason": "Damaged",
        "by": nurse,
        "witness": witness,
        "witness_password": TEST_PASSWORD,
        "second_witness": third,
        "second_witness_password": TEST_PASSWORD,
    }
    with pytest.raises(ValidationError, match=r"mark it expired or quarantine it"):
        stock_services.vial_destroy(vial=vials[0], **kwargs)
    stock_services.vial_quarantine(vial=vials[0], reason="Cracked cap", by=nurse)
    with pytest.raises(ValidationError, match=r"two different people"):
        stock_services.vial_destroy(vial=vials[0], **(kwargs | {"second_witness": witness}))
    destroyed = stock_services.vial_destroy(vial=vials[0], **kwargs)
    assert (destroyed.quantity_mg, destroyed.second_witness) == (D(500), third)
    assert Vial.objects.get(pk=vials[0].pk).status == VialStatus.DESTROYED


def test_a_loss_flags_form_106_for_the_next_business_day(nurse, vials):
    friday = dt.date(2025, 11, 28)
    assert next_business_day(friday) == dt.date(2025, 12, 1)
    loss = stock_services.stock_loss(
        vial=vials[0], volume_ml=None, discovered_on=friday, reason="Vial missing", by=nurse
    )
    assert (loss.quantity_mg, loss.form_106_due_on) == (D(500), dt.date(2025, 12, 1))
    assert Vial.objects.get(pk=vials[0].pk).status == VialStatus.EMPTY


# Counts -------------------------------------------------------------------------------------------------------------


def test_a_count_records_the_variance_and_needs_a_reason_and_a_second_signature(nurse, witness, vials):
    product = vials[0].product
    stock_services.stock_draw(session=dosed(nurse), vial=vials[0], volume_ml=D(2), by=nurse, at=t0())
    common = {"product": product, "by": nurse, "witness": witness, "witness_password": TEST_PASSWORD}
    with pytest.raises(ValidationError, match=r"differs from the ledger by -5 mg"):
        stock_services.stock_count(sealed_vials=1, open_volume_ml=D("7.9"), **common)
    with pytest.raises(ValidationError, match=r"another member of staff"):
        stock_services.stock_count(sealed_vials=1, open_volume_ml=D(8), **(common | {"witness": nurse}))
    count = stock_services.stock_count(sealed_vials=1, open_volume_ml=D("7.9"), variance_reason="Estimate", **common)
    assert (count.ledger_mg, count.counted_mg, count.variance_mg, count.ledger_sealed_vials) == (
        D(900), D(895), D(-5), 1,
    )  # fmt: skip


# The database itself ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE infusions_stockmovement SET quantity_mg = 1",
        "DELETE FROM infusions_stockmovement",
        "UPDATE infusions_stockreceipt SET lot_number = 'X'",
        "DELETE FROM infusions_stockreceipt",
        "UPDATE infusions_stockcount SET variance_reason = 'x'",
        "DELETE FROM infusions_vial",
    ],
)
def test_the_database_refuses_to_edit_or_delete_ledger_rows(nurse, witness, vials, sql):
    stock_services.stock_count(product=vials[0].product, sealed_vials=2, open_volume_ml=D(0), by=nurse, witness=witness,
                         witness_password=TEST_PASSWORD)  # fmt: skip
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert StockMovement.objects.count() == 2
    assert StockCount.objects.count() == 1


def test_the_orm_cannot_edit_or_delete_a_movement_either(vials):
    movement = StockMovement.objects.first()
    movement.reason = "edited"
    with pytest.raises(DatabaseError), transaction.atomic():
        movement.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        StockMovement.objects.all().delete()


def raw_insert(**overrides):
    """Insert a movement straight into the table, bypassing the services."""
    first = StockMovement.objects.order_by("id").first()
    row = {
        "product": first.product,
        "vial": first.vial,
        "kind": MovementKind.LOSS,
        "quantity_mg": D(600),
        "vial_change_mg": D(-600),
        "vial_balance_mg": D(-100),
        "product_balance_mg": D(400),
        "concentration_mg_ml": D(50),
        "by": first.by,
        "reason": "x",
        "form_106_due_on": timezone.localdate(),
    }
    with transaction.atomic():
        StockMovement.objects.create(**(row | overrides))


def test_the_database_refuses_a_negative_or_miscomputed_balance(vials):
    with pytest.raises(DatabaseError, match=r"balances_not_negative|vial_remaining_within_vial"):
        raw_insert()
    with pytest.raises(DatabaseError, match=r"vial balance 450.000 is not the previous 500.000"):
        raw_insert(quantity_mg=D(10), vial_change_mg=D(-10), vial_balance_mg=D(450), product_balance_mg=D(990))
    raw_insert(quantity_mg=D(10), vial_change_mg=D(-10), vial_balance_mg=D(490), product_balance_mg=D(990))
    assert Vial.objects.get(pk=vials[0].pk).remaining_mg == D(490)  # the trigger keeps the vial in step


def test_the_database_refuses_an_unwitnessed_waste_while_the_setting_is_on(vials):
    waste = {"kind": MovementKind.WASTE, "quantity_mg": D(10), "vial_change_mg": D(-10), "vial_balance_mg": D(490),
             "product_balance_mg": D(990), "form_106_due_on": None, "reason": "Dropped"}  # fmt: skip
    with pytest.raises(DatabaseError, match=r"a waste needs a witness"):
        raw_insert(**waste)
    StockSettings.objects.update_or_create(pk=1, defaults={"waste_needs_witness_password": False})
    raw_insert(**waste)


def test_the_database_refuses_more_given_than_drawn_and_a_draw_from_the_wrong_concentration(nurse, vials):
    session = stopped(nurse, vials[0])
    drawn = StockMovement.objects.get(kind=MovementKind.DRAW)
    given = {"kind": MovementKind.ADMINISTERED, "vial": drawn.vial, "session": session, "vial_change_mg": 0,
             "vial_balance_mg": D(400), "product_balance_mg": D(900), "form_106_due_on": None}  # fmt: skip
    with pytest.raises(DatabaseError, match=r"more than the session's computed total"):
        raw_insert(**given, quantity_mg=D(40), session_change_mg=D(-40))
    with pytest.raises(DatabaseError, match=r"more given, wasted or returned"):
        raw_insert(**(given | {"kind": MovementKind.WASTE, "witness": UserFactory()}), quantity_mg=D(101),
                   session_change_mg=D(-101), reason="x")  # fmt: skip
    wrong = {"kind": MovementKind.DRAW, "vial": vials[1], "session": session, "patient": session.patient,
             "quantity_mg": D(10), "vial_change_mg": D(-10), "session_change_mg": D(10), "vial_balance_mg": D(490),
             "product_balance_mg": D(890), "concentration_mg_ml": D(100), "form_106_due_on": None}  # fmt: skip
    with pytest.raises(DatabaseError, match=r"not made from a 100.0 mg/mL vial"):
        raw_insert(**wrong)
