"""No infusion starts before its ketamine is drawn from the ledger (the clinic may turn this off), and the stock
dashboard flags every session that gave ketamine with nothing drawn (issue #17; docs/clinical.md §11.4)."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import PatientAccessEvent
from clinic.services import record_void
from infusions import services
from infusions.choices import SessionStatus
from stock import services as stock_services
from stock.selectors import NOTHING_DRAWN, nothing_drawn_problem, stock_dashboard
from tests.clock import t0
from tests.conftest import ROLE_USERNAMES
from tests.factories import UserFactory
from tests.infusions.factories import CourseFactory, SessionFactory
from tests.infusions.test_services import GOOD_VITALS, earlier, started
from tests.stock.factories import draw_for, start_without_draw
from tests.stock.test_services import dosed

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse():
    username, role = ROLE_USERNAMES["nurse"]
    return UserFactory(username=username, role=role)


def ready_to_start(nurse):
    """Checked in, dosed and with baseline vitals in range: everything but the draw."""
    session = dosed(nurse)
    services.session_record_vitals(session=session, by=nurse, taken_at=earlier(), **GOOD_VITALS)
    return session


def start(session, nurse):
    return services.session_start(session=session, by=nurse, at=earlier() + dt.timedelta(minutes=5))


def test_the_infusion_does_not_start_until_ketamine_is_drawn(nurse):
    session = ready_to_start(nurse)
    assert services.start_problems(session) == [NOTHING_DRAWN]
    with pytest.raises(ValidationError, match="Cannot start: No ketamine drawn from the stock ledger"):
        start(session, nurse)
    draw_for(session, nurse)
    assert start(session, nurse).status == SessionStatus.INFUSING


def test_a_draw_corrected_as_entered_in_error_does_not_count(nurse):
    session = ready_to_start(nurse)
    draw = draw_for(session, nurse)
    stock_services.movement_correct(movement=draw, reason="Drawn for the wrong chair", by=nurse)
    with pytest.raises(ValidationError, match="No ketamine drawn"):
        start(session, nurse)


def test_the_clinic_may_let_the_infusion_start_before_the_draw(nurse):
    session = ready_to_start(nurse)
    start_without_draw()
    assert services.start_problems(session) == []
    assert start(session, nurse).status == SessionStatus.INFUSING


def test_the_check_reads_the_setting_and_the_draws_in_one_query(nurse, django_assert_num_queries):
    session = ready_to_start(nurse)
    with django_assert_num_queries(1):
        assert nothing_drawn_problem(session) == NOTHING_DRAWN
    draw_for(session, nurse)
    with django_assert_num_queries(1):
        assert nothing_drawn_problem(session) is None


def test_the_chart_lists_the_missing_draw_and_refuses_the_start(nurse_client, nurse):
    session = ready_to_start(nurse)
    chart = reverse("infusions:session_chart", kwargs={"pk": session.pk})
    page = nurse_client.get(chart)
    assert page.context["chart"].start_problems == [NOTHING_DRAWN]
    assert NOTHING_DRAWN in page.text
    draw_link = f'href="{reverse("stock:session_stock", args=[session.pk])}" data-testid="start-draw-link"'
    assert draw_link in page.text  # beside the problem, the way to clear it
    refused = nurse_client.post(reverse("infusions:session_start", kwargs={"pk": session.pk}), follow=True)
    assert refused.redirect_chain[-1][0] == chart
    assert f"Cannot start: {NOTHING_DRAWN}" in refused.text
    session.refresh_from_db()
    assert (session.status, session.started_at) == (SessionStatus.CHECKED_IN, None)
    draw_for(session, nurse)
    assert 'data-testid="start-draw-link"' not in nurse_client.get(chart).text
    nurse_client.post(reverse("infusions:session_start", kwargs={"pk": session.pk}))
    session.refresh_from_db()
    assert session.status == SessionStatus.INFUSING


# The stock dashboard ---------------------------------------------------------------------------------------------


def test_the_dashboard_flags_a_session_that_gave_ketamine_with_nothing_drawn(clinician_client, nurse):
    drawn = started(nurse)  # the shared helper draws before it starts
    start_without_draw()  # the setting was off when this one started: it is flagged all the same
    undrawn = ready_to_start(nurse)
    start(undrawn, nurse)
    board = stock_dashboard()
    assert ([s.pk for s in board.given_undrawn], board.given_undrawn_count) == ([undrawn.pk], 1)
    page = clinician_client.get(reverse("stock:dashboard"))
    section = page.text.split('data-testid="given-undrawn"')[1].split("</section>")[0]
    assert "Ketamine given, nothing drawn (1)" in section
    assert reverse("stock:session_stock", args=[undrawn.pk]) in section
    assert reverse("stock:session_stock", args=[drawn.pk]) not in section
    assert PatientAccessEvent.objects.filter(patient=undrawn.patient, category="stock_ledger").exists()


def test_a_session_not_started_or_voided_is_not_flagged(nurse):
    ready_to_start(nurse)  # checked in, nothing drawn yet: not given either
    start_without_draw()
    voided = start(ready_to_start(nurse), nurse)
    record_void(record=voided, by=nurse, reason="Charted on the wrong patient")
    assert stock_dashboard().given_undrawn_count == 0


def test_the_dashboard_shows_the_newest_fifty_and_counts_them_all(nurse):
    course = CourseFactory()
    at = t0() - dt.timedelta(days=1)
    SessionFactory.create_batch(52, course=course, status=SessionStatus.INFUSING, started_at=at)
    newest = SessionFactory(course=course, status=SessionStatus.INFUSING, started_at=at + dt.timedelta(hours=1))
    board = stock_dashboard()
    assert (len(board.given_undrawn), board.given_undrawn_count) == (50, 53)
    assert board.given_undrawn[0] == newest


@pytest.mark.parametrize("n", [1, 25])
def test_the_dashboard_query_count_stays_flat_with_flagged_sessions(clinician_client, django_assert_max_num_queries, n):
    at = timezone.now() - dt.timedelta(days=1)
    for _ in range(n):  # each of another patient: one access-log row each, in one INSERT
        SessionFactory(status=SessionStatus.INFUSING, started_at=at)
    with django_assert_max_num_queries(24):
        page = clinician_client.get(reverse("stock:dashboard"))
    assert page.status_code == HTTPStatus.OK
    assert len(page.context["board"].given_undrawn) == n
