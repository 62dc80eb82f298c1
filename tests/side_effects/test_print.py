"""The MedWatch-style print takes the lot number and NDC from the stock ledger's draws for the session and the weight
from the session (issue #16 point 7; docs/clinical.md §7.1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from clinic.accounts import roles
from infusions import services
from side_effects import services as side_effect_services
from side_effects.models import SideEffect, SideEffectTerm
from stock import services as stock_services
from tests.factories import PatientFactory, UserFactory
from tests.infusions.factories import preparation
from tests.infusions.test_services import checked_in, earlier
from tests.patients.factories import BodyMeasurementFactory
from tests.stock.factories import StockProductFactory, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse():
    return UserFactory(username="rn", role=roles.NURSE)


def dosed_session(nurse, weight_kg=D("72.5")):
    session = checked_in(nurse)
    return services.session_set_dose(
        session=session, by=nurse, weight_kg=weight_kg, preparation=preparation(1), dose_per_kg=D("0.5")
    )


def reported(session, by) -> SideEffect:
    return side_effect_services.side_effect_report(
        patient=session.patient, session=session, by=by, term=SideEffectTerm.objects.get(name="Nausea"), grade=2,
        onset_at=earlier() + dt.timedelta(minutes=10), action_taken="paused", outcome="recovering",
    )  # fmt: skip


def print_page(client, event):
    return client.get(reverse("side_effects:side_effect_print", kwargs={"pk": event.pk}))


def test_the_print_names_each_lot_drawn_for_the_session_with_its_ndc(clinician_client, nurse):
    session = dosed_session(nurse)
    product = StockProductFactory(ndc="99999-0042-10")
    first = receive(nurse, product=product, lot_number="LOT-A1", vial_count=1).vials.get()
    second = receive(nurse, product=product, lot_number="LOT-B2", vial_count=1).vials.get()
    stock_services.stock_draw(session=session, vial=first, volume_ml=D("0.5"), by=nurse)
    stock_services.stock_draw(session=session, vial=first, volume_ml=D("0.1"), by=nurse)  # the same lot once
    stock_services.stock_draw(session=session, vial=second, volume_ml=D("0.2"), by=nurse)
    page = print_page(clinician_client, reported(session, nurse))
    lots = [(lot.lot_number, lot.ndc) for lot in page.context["lots"]]
    assert lots == [("LOT-A1", "99999-0042-10"), ("LOT-B2", "99999-0042-10")]
    assert "Lot LOT-A1 (expires" in page.text
    assert "NDC 99999-0042-10" in page.text
    assert "Not recorded (stock ledger" not in page.text


def test_a_draw_reversed_as_entered_in_error_is_not_named(clinician_client, nurse):
    session = dosed_session(nurse)
    vial = receive(nurse, lot_number="LOT-WRONG", vial_count=1).vials.get()
    draw = stock_services.stock_draw(session=session, vial=vial, volume_ml=D("0.5"), by=nurse)
    stock_services.movement_correct(movement=draw, reason="Drawn for the wrong chair", by=nurse)
    page = print_page(clinician_client, reported(session, nurse))
    assert page.context["lots"] == []
    assert "Not recorded: the stock ledger has no draw for this session" in page.text


def test_the_weight_is_the_sessions_not_the_last_measured(clinician_client, nurse):
    session = dosed_session(nurse, weight_kg=D("72.5"))
    BodyMeasurementFactory(patient=session.patient, weight_kg=D("90.0"))  # measured later, elsewhere
    page = print_page(clinician_client, reported(session, nurse))
    assert "72.5 kg (weighed at the session of" in page.text


def test_between_sessions_the_weight_is_the_last_measured(clinician_client, nurse):
    patient = PatientFactory()
    BodyMeasurementFactory(patient=patient, weight_kg=D("64.0"))
    event = side_effect_services.side_effect_report(
        patient=patient, by=nurse, term=SideEffectTerm.objects.get(name="Headache"), grade=1, onset_at=earlier()
    )
    page = print_page(clinician_client, event)
    assert "64.0 kg (measured" in page.text
    assert "reported between sessions" in page.text


def test_the_dechallenge_answer_follows_the_action_and_outcome(nurse):
    event = SideEffect(action_taken="paused", outcome="recovering")
    assert event.dechallenge == "Yes"
    event.outcome = "not_recovered"
    assert event.dechallenge == "No"
    event.action_taken = "none"
    assert event.dechallenge == "Does not apply"


@pytest.mark.parametrize("n_draws", [1, 6])
def test_print_query_count_is_flat(clinician_client, django_assert_max_num_queries, nurse, n_draws):
    session = dosed_session(nurse)
    product = StockProductFactory()
    for n in range(n_draws):
        vial = receive(nurse, product=product, lot_number=f"LOT-{n}", vial_count=1).vials.get()
        stock_services.stock_draw(session=session, vial=vial, volume_ml=D("0.1"), by=nurse)
    event = reported(session, nurse)
    with django_assert_max_num_queries(14):  # the draws' lots in one query, however many
        page = print_page(clinician_client, event)
    assert len(page.context["lots"]) == n_draws
