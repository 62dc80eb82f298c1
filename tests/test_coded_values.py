"""Triggers and other coded values are shown by their labels everywhere, never their codes (issue #16 point 7).

The pages a clinician reads about one patient are rendered with records holding many coded values; the text a person
sees (not attributes, not the choices of a form's menus) must hold no stored code where its label belongs: no
``rate_reduced`` or ``not_tolerated``, and no "Sleep" badge for the trigger "Sleep changes"."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.urls import reverse

from clinic.accounts import roles
from patients.choices import MigraineTrigger, TreatmentKind, TreatmentOutcome
from side_effects import services as side_effect_services
from side_effects.models import SideEffectTerm
from side_effects.rules import DESTINATIONS, SERIOUSNESS_CRITERIA
from tests.factories import PatientFactory, UserFactory
from tests.infusions.test_services import earlier, started
from tests.patients.factories import DiaryEntryFactory, MedicationFactory, PriorTreatmentFactory

pytestmark = pytest.mark.django_db


def coded_values() -> tuple[dict[str, str], set[str]]:
    """Every code whose label says something else (code -> label), and every label."""
    pairs: list[tuple[str, str]] = [*MigraineTrigger.choices, *SERIOUSNESS_CRITERIA.items(), *DESTINATIONS.items()]
    for model in apps.get_models():
        for field in model._meta.get_fields():
            choices = getattr(getattr(field, "base_field", None), "choices", None) or getattr(field, "choices", None)
            if choices and not field.is_relation:
                pairs += [(value, str(label)) for value, label in choices if isinstance(value, str)]
    codes = {value: label for value, label in pairs if value and value.lower() != label.lower()}
    return codes, {label.lower() for _, label in pairs}


class VisibleText(HTMLParser):
    """The text nodes a person reads: no scripts, styles, or the options of a menu."""

    HIDDEN = {"script", "style", "select", "option", "textarea"}

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._hidden += tag in self.HIDDEN

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in self.HIDDEN

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.nodes.append(data.strip())


#: One-word codes stored on the records below whose labels read otherwise. A code that is also a heading's word
#: ("medication", the kind "Other medication") cannot be told from the heading by its text and is left out.
STORED_WORDS = {"sleep", "foods", "neuromodulation", "unassessable", "trd"}


def leaked_codes(html: str, words: set[str] = STORED_WORDS) -> list[str]:
    """Codes shown where their labels belong: a code with an underscore anywhere in the text, or a text node that is
    one of ``words`` by itself ("sleep", "Sleep")."""
    codes, _ = coded_values()
    parser = VisibleText()
    parser.feed(html)
    found = []
    for node in parser.nodes:
        found += [token for token in re.findall(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b", node) if token in codes]
        if node.lower() in words:
            found.append(node)
    return sorted(set(found))


@pytest.fixture
def record(db):
    """A headache patient with triggers, trials and medicines; a depression patient's session with a serious side
    effect whose every coded field is set."""
    nurse = UserFactory(username="rn", role=roles.NURSE)
    headache = PatientFactory(primary_indication="chronic_migraine", migraine_triggers=["sleep", "foods", "stress"])
    DiaryEntryFactory(patient=headache)
    PriorTreatmentFactory(patient=headache, treatment="Topiramate", kind=TreatmentKind.MEDICATION,
                          outcome=TreatmentOutcome.NOT_TOLERATED)  # fmt: skip
    PriorTreatmentFactory(patient=headache, treatment="TMS", kind=TreatmentKind.NEUROMODULATION)
    MedicationFactory(patient=headache, name="Phenelzine", medication_class="maoi")
    session = started(nurse)
    event = side_effect_services.side_effect_report(
        patient=session.patient, session=session, by=nurse, term=SideEffectTerm.objects.get(name="Hypertension"),
        grade=3, serious=True, seriousness_criteria=["hospitalisation", "important_medical_event"], expected=False,
        causality="unassessable", action_taken="rate_reduced", outcome="not_recovered",
        onset_at=earlier() + dt.timedelta(minutes=15),
    )  # fmt: skip
    return {"headache": headache, "session": session, "event": event}


def pages(record) -> dict[str, str]:
    headache, session, event = record["headache"], record["session"], record["event"]
    patient = session.patient
    return {
        "headache patient": headache.get_absolute_url(),
        "headache history": reverse("infusions:patient_history", kwargs={"pk": headache.pk}),
        "headache summary": reverse("infusions:patient_summary", kwargs={"pk": headache.pk}),
        "patient": patient.get_absolute_url(),
        "history": reverse("infusions:patient_history", kwargs={"pk": patient.pk}),
        "summary": reverse("infusions:patient_summary", kwargs={"pk": patient.pk}),
        "chart": session.get_absolute_url(),
        "session print": reverse("infusions:session_print", kwargs={"pk": session.pk}),
        "side effect": event.get_absolute_url(),
        "side-effect print": reverse("side_effects:side_effect_print", kwargs={"pk": event.pk}),
        "queue": reverse("side_effects:side_effect_queue"),
        "safety overview": reverse("side_effects:safety_overview"),
    }


def test_no_page_shows_a_code_where_its_label_belongs(clinician_client, record):
    leaks = {}
    for name, url in pages(record).items():
        response = clinician_client.get(url)
        assert response.status_code == 200, name
        if found := leaked_codes(response.text):
            leaks[name] = found
    assert leaks == {}


def test_triggers_read_as_their_labels(clinician_client, record):
    text = clinician_client.get(record["headache"].get_absolute_url()).text
    assert ">Sleep changes<" in text
    assert ">Foods or drinks<" in text


def test_the_csv_export_names_seriousness_criteria_by_their_labels(clinician_client, record):
    lines = clinician_client.get(reverse("side_effects:side_effect_export")).content.decode().splitlines()
    assert "Hospitalisation (initial or prolonged);Important medical event (needs intervention" in lines[1]
    assert "important_medical_event" not in lines[1]


def test_the_check_finds_a_code_shown_as_text():
    assert leaked_codes("<p>Action: rate_reduced</p><span class='badge'>Sleep</span>") == ["Sleep", "rate_reduced"]
    assert leaked_codes("<option value='rate_reduced'>Rate reduced</option><p data-x='not_recovered'>ok</p>") == []
