"""The printed session record reads like a record (issue #17): the session's side effects, the discharge score's
items, and on every printed page the patient, MRN, day and "page x of y" (the running header repeats with the
record's table header; the counter is in the page's bottom margin, from its own stylesheet); the signature heading
stays with its block."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from side_effects.models import SideEffectTerm
from tests.infusions.test_signing import discharged, minutes
from tests.side_effects.factories import SideEffectFactory

pytestmark = pytest.mark.django_db


def printed(client, session):
    return client.get(reverse("infusions:session_print", kwargs={"pk": session.pk}))


def test_the_print_lists_the_sessions_side_effects_and_the_padss_items(clinician_client, nurse):
    session = discharged(nurse)
    SideEffectFactory(patient=session.patient, session=session, term=SideEffectTerm.objects.get(name="Nausea"),
                      onset_at=minutes(30), grade=2)  # fmt: skip
    page = printed(clinician_client, session)
    assert page.status_code == HTTPStatus.OK
    html = page.text
    effects = html[html.index('data-testid="session-side-effects"') : html.index('data-testid="record-signatures"')]
    assert "Side effects" in effects
    assert "Nausea" in effects
    assert "modified PADSS 10/10 (vital signs 2, activity 2, nausea and vomiting 2, pain 2, bleeding 2)" in html


def test_every_printed_page_names_the_patient_the_mrn_and_the_day(clinician_client, nurse):
    session = discharged(nurse)
    patient = session.patient
    html = printed(clinician_client, session).text
    header = f"{patient.given_name} {patient.family_name} · MRN {patient.mrn} · infusion of "
    # In the record's table header, which the browser repeats at the top of each printed page.
    assert html.index("<thead>") < html.index('data-testid="running-header"') < html.index("</thead>")
    assert header in html
    assert 'href="/static/css/session_print.css"' in html


def test_the_print_stylesheet_counts_pages_and_keeps_the_signature_heading_with_its_block():
    css = open(finders.find("css/session_print.css"), encoding="utf-8").read()  # noqa: SIM115 - read once
    assert 'content: "Page " counter(page) " of " counter(pages)' in css
    assert "@bottom-right" in css
    assert ".record-signatures, .record-signatures .signature { break-inside: avoid; }" in css
    assert ".session-record h2 { break-after: avoid; }" in css


def test_the_print_shows_no_development_references(clinician_client, nurse):
    html = printed(clinician_client, discharged(nurse)).text
    assert "issue #" not in html.lower()
