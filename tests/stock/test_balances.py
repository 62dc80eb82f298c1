"""Property: over long random sequences of ledger operations, every running balance equals the sum of the entries
before it and never goes below zero; a draw is refused exactly when the vial does not hold it (issue #9)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.accounts import roles
from infusions import services
from stock import services as stock_services
from stock.models import StockMovement, Vial
from stock.quantities import ml_to_mg, running_balances
from tests.factories import TEST_PASSWORD, UserFactory
from tests.infusions.factories import preparation
from tests.infusions.test_services import checked_in
from tests.stock.factories import receive

pytestmark = pytest.mark.django_db

VOLUMES = st.decimals(min_value=D("0.01"), max_value=D(12), places=2)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("draw"), st.integers(0, 2), VOLUMES),
        st.tuples(st.just("return"), st.integers(0, 2), VOLUMES),
        st.tuples(st.just("waste"), st.integers(0, 2), VOLUMES),
        st.tuples(st.just("loss"), st.integers(0, 2), VOLUMES),
        st.tuples(st.just("correct"), st.integers(0, 200), st.just(D(0))),
    ),
    min_size=10,
    max_size=40,
)


def test_running_balances_are_cumulative_sums():
    assert running_balances([D(500), D(-100), D(40)]) == [D(500), D(400), D(440)]


@pytest.fixture
def ledger():
    nurse, witness = UserFactory(username="rn", role=roles.NURSE), UserFactory(username="rn2", role=roles.NURSE)
    session = checked_in(nurse)
    session = services.session_set_dose(session=session, by=nurse, weight_kg=D("72.5"), preparation=preparation(1),
                                        dose_per_kg=D("0.5"))  # fmt: skip
    vials = list(receive(nurse, vial_count=3).vials.order_by("label"))
    return {"nurse": nurse, "witness": witness, "session": session, "vials": vials}


def apply(ledger: dict, op: str, index: int, volume: D) -> bool:
    nurse, session = ledger["nurse"], ledger["session"]
    vial = Vial.objects.get(pk=ledger["vials"][index % 3].pk)
    witnessed = {"witness": ledger["witness"], "witness_password": TEST_PASSWORD}
    try:
        if op == "draw":
            stock_services.stock_draw(session=session, vial=vial, volume_ml=volume, by=nurse)
        elif op == "return":
            stock_services.stock_return(session=session, vial=vial, volume_ml=volume, reason="Not needed", by=nurse)
        elif op == "waste":
            stock_services.vial_waste(vial=vial, volume_ml=volume, reason="Dropped", by=nurse, **witnessed)
        elif op == "loss":
            stock_services.stock_loss(vial=vial, volume_ml=volume, discovered_on=vial.receipt.received_on,
                                reason="Found short", by=nurse)  # fmt: skip
        else:
            movements = list(StockMovement.objects.order_by("id"))
            stock_services.movement_correct(
                movement=movements[index % len(movements)], reason="Entered wrongly", by=nurse
            )
    except ValidationError:
        return False
    return True


def assert_ledger_consistent(ledger: dict) -> None:
    movements = list(StockMovement.objects.order_by("id"))
    product_changes = [m.vial_change_mg for m in movements]
    assert [m.product_balance_mg for m in movements] == running_balances(product_changes)
    for vial in Vial.objects.filter(pk__in=[v.pk for v in ledger["vials"]]):
        own = [m for m in movements if m.vial_id == vial.pk]
        assert [m.vial_balance_mg for m in own] == running_balances(m.vial_change_mg for m in own)
        assert vial.remaining_mg == own[-1].vial_balance_mg
        assert D(0) <= vial.remaining_mg <= vial.full_mg
        assert sum((m.session_change_mg for m in own), D(0)) >= 0
    assert all(m.vial_balance_mg >= 0 and m.product_balance_mg >= 0 for m in movements)
    assert movements[-1].product_balance_mg == sum(
        Vial.objects.filter(pk__in=[v.pk for v in ledger["vials"]]).values_list("remaining_mg", flat=True), D(0)
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_random_sequences_keep_every_balance_equal_to_the_sum_of_entries(ledger, operations):
    with transaction.atomic():
        for op, index, volume in operations:
            vial = Vial.objects.get(pk=ledger["vials"][index % 3].pk)
            accepted = apply(ledger, op, index, volume)
            if op == "draw":
                fits = ml_to_mg(volume, vial.product.concentration_mg_ml) <= vial.remaining_mg
                assert accepted == (fits and vial.status in ("sealed", "in_use"))
            assert_ledger_consistent(ledger)
        transaction.set_rollback(True)  # the next example starts from the same three full vials
