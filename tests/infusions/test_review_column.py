"""The signer sees what they sign (issue #17): the chart shows, beside the timeline, the check-in answers, pain before
and after, the discharge score with its items, the nurse's note and the session's side effects; the printed record
carries the side effects too, and the patient, MRN, day and "page x of y" on every page."""

from __future__ import annotations

import datetime as dt
import re
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from side_effects.models import SideEffectTerm
from tests.infusions.test_signing import discharged, minutes
from tests.side_effects.factories import SideEffectFactory

pytestmark = pytest.mark.django_db


def chart(client, session):
    return client.get(reverse("infusions:session_chart", kwargs={"pk": session.pk}))


def part(page, testid: str) -> str:
    """The text of the element marked ``data-testid=testid`` (up to the next card), tags stripped."""
    html = page.content.decode()
    start = html.index(f'data-testid="{testid}"')
    end = html.find('<div class="card mb-3"', start)
    return " ".join(re.sub(r"<[^>]+>", " ", html[start : end if end > 0 else None]).split())


def side_effect(session, name="Nausea", **fields):
    return SideEffectFactory(patient=session.patient, session=session, term=SideEffectTerm.objects.get(name=name),
                             **{"onset_at": minutes(30), **fields})  # fmt: skip


def test_the_signer_sees_check_in_pain_discharge_note_and_side_effects(clinician_client, nurse):
    session = discharged(nurse)
    side_effect(session, grade=2, action_taken="paused", outcome="recovered", resolved_at=minutes(40))
    page = chart(clinician_client, session)
    assert page.status_code == HTTPStatus.OK
    assert "sign" in page.context["forms"]  # what follows is what the clinician signs
    review = part(page, "review-record")
    assert "Pat Doe · (555) 010-1111" in review
    assert "Fasting as instructed" in review
    assert "Pregnancy check Not applicable" in review
    assert "before 6/10 · after 2/10" in review
    assert "modified PADSS 10/10" in review
    assert "vital signs 2 · activity 2 · nausea and vomiting 2 · pain 2 · bleeding 2" in review
    assert "Escort present: yes · after-care given: yes" in review
    assert "Tolerated well." in review
    effects = part(page, "session-side-effects")
    assert "Nausea" in effects
    assert "Infusion paused" in effects or "Paused" in effects
    assert "Recovered" in effects


def test_a_voided_side_effect_stays_in_the_review_struck_through(clinician_client, nurse, clinician):
    session = discharged(nurse)
    side_effect(session, voided_at=minutes(50), voided_by=clinician, void_reason="Wrong patient's chair")
    page = chart(clinician_client, session)
    assert "<del>Nausea</del>" in page.text
    assert "Voided: Wrong patient&#x27;s chair" in page.text


def test_without_side_effects_the_review_says_none_were_recorded(nurse_client, nurse):
    page = chart(nurse_client, discharged(nurse))
    assert "None recorded." in part(page, "session-side-effects")


def test_a_booked_session_shows_no_review_yet(nurse_client):
    from tests.infusions.factories import SessionFactory

    page = chart(nurse_client, SessionFactory())
    assert 'data-testid="review-record"' not in page.text
    assert page.context["chart"].sections == []  # not asked before the patient has arrived


@pytest.mark.parametrize("n_events", [1, 12])
def test_review_column_query_count_is_flat(clinician_client, nurse, django_assert_max_num_queries, n_events):
    session = discharged(nurse)
    for n in range(n_events):
        side_effect(session, onset_at=minutes(30) + dt.timedelta(minutes=n))
    with django_assert_max_num_queries(26):
        page = chart(clinician_client, session)
    assert len(page.context["chart"].sections[0].context["events"]) == n_events


def test_a_side_effect_begun_on_another_day_shows_its_date(clinician_client, nurse):
    session = discharged(nurse)
    side_effect(session, name="Headache", onset_at=minutes(0))  # at check-in, the session's day: the time alone
    side_effect(session, onset_at=minutes(0) + dt.timedelta(days=1))
    effects = part(chart(clinician_client, session), "session-side-effects")
    same_day, later = timezone.localtime(minutes(0)), timezone.localtime(minutes(0) + dt.timedelta(days=1))
    assert f"{same_day:%H:%M} Headache" in effects
    assert f"{same_day:%-d %b} {same_day:%H:%M} Headache" not in effects
    assert f"{later:%-d %b %H:%M} Nausea" in effects
