"""The session lifecycle table (infusions/lifecycle.py) is the one place that says what each status allows: the
services refuse with it, the chart offers its forms from it, its URLs are made from it, and no template compares
a session's or a vial's status itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.accounts import roles
from infusions import lifecycle
from infusions.choices import SessionStatus
from infusions.views.sessions import SessionChartView
from tests.factories import UserFactory
from tests.infusions.factories import SessionFactory

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
STATUS_TEST = re.compile(r"\b(session|vial)\.status\s*(==|!=)")


@pytest.fixture
def clinician():
    return UserFactory(username="md", role=roles.CLINICIAN)


def test_every_action_has_its_form_its_service_call_and_its_url():
    assert set(SessionChartView.action_forms) == set(lifecycle.SESSION_ACTIONS)
    for key, action in lifecycle.SESSION_ACTIONS.items():
        assert callable(getattr(SessionChartView, f"perform_{key}", None)), key
        assert reverse(f"infusions:{action.url_name}", args=[1]) == f"/infusions/sessions/1/{action.segment}/", key


def test_every_status_has_its_meaning_and_the_groups_follow_from_it():
    assert set(lifecycle.STATUS) == set(SessionStatus.values)
    assert {"infusing", "observing", "discharged", "signed"} == lifecycle.GIVEN_STATUSES
    assert {"infusing", "observing"} == lifecycle.IN_CHAIR_STATUSES
    assert {"checked_in", "infusing", "observing"} == lifecycle.OPEN_FOR_VITALS


def test_every_transition_leads_to_a_status_another_action_or_the_end_leaves_from():
    leaving = {status for action in lifecycle.SESSION_ACTIONS.values() for status in action.allowed_from}
    for action in lifecycle.SESSION_ACTIONS.values():
        if action.leads_to is not None:
            assert action.leads_to in leaving or action.leads_to in {"cancelled", "signed"}, action.key


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "offered"),
    [
        ("scheduled", ["check_in", "cancel"]),
        ("checked_in", ["cancel", "dose", "override", "start", "vitals", "medication", "notes"]),
        ("infusing", ["vitals", "medication", "notes", "reduce", "pause", "stop"]),
        ("observing", ["vitals", "medication", "notes", "discharge_override", "discharge"]),
        ("discharged", ["notes", "sign"]),
        ("signed", ["addendum"]),
        ("cancelled", []),
    ],
)
def test_the_chart_offers_what_the_status_allows(status, offered, clinician):
    session = SessionFactory.build(status=status)  # a fixed-dose protocol: no titration
    assert lifecycle.offered(session, clinician) == offered


@pytest.mark.django_db
def test_a_refusal_names_the_action_and_the_status():
    session = SessionFactory.build(status="signed")
    with pytest.raises(ValidationError, match=r"Cannot record vitals: the session is signed\."):
        lifecycle.require(session, "vitals")


def test_no_template_compares_a_session_or_vial_status():
    found = [
        f"{path.relative_to(TEMPLATES)}:{n}"
        for path in TEMPLATES.rglob("*.html")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if STATUS_TEST.search(line)
    ]
    assert found == [], "use session.state (infusions.lifecycle) or vial.state (stock.lifecycle)"
