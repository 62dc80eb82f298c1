"""Every edit page of an existing clinical record refuses to overwrite a newer version (security.md H7).

Two members of staff open the same edit page; both change a field and save. The first save goes through; the
second is answered with the conflict (both versions, field by field) and saves nothing, so the database holds the
first. Saving the conflict page again then replaces the first version knowingly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from http import HTTPStatus
from typing import Any

import pytest
from django import forms
from django.urls import reverse

from infusions import services
from infusions.models import InfusionSession
from patients.models import Allergy, BodyMeasurement, Consent, HeadacheDiaryEntry, Medication, Patient, PriorTreatment
from side_effects.models import SideEffect
from tests.factories import PatientFactory
from tests.infusions.factories import preparation
from tests.infusions.test_services import checked_in
from tests.patients.factories import (
    AllergyFactory,
    BodyMeasurementFactory,
    ConsentFactory,
    DiaryEntryFactory,
    MedicationFactory,
    PriorTreatmentFactory,
)
from tests.side_effects.factories import SideEffectFactory

pytestmark = pytest.mark.django_db


def post_data(form: forms.BaseForm) -> dict[str, Any]:
    """What a browser sends for ``form`` as rendered (initial values, hidden version token included)."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        bound = form[name]
        value = bound.value()
        if isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[bound.html_name] = "on"
            continue
        if isinstance(field.widget, forms.PasswordInput) or value is None:
            continue
        formatted = field.widget.format_value(value)
        if isinstance(field.widget, forms.CheckboxSelectMultiple | forms.SelectMultiple):
            data[bound.html_name] = list(formatted or [])
        elif isinstance(formatted, list):
            data[bound.html_name] = formatted[0] if formatted else ""
        else:
            data[bound.html_name] = formatted if formatted is not None else ""
    return data


@dataclass(frozen=True)
class EditPage:
    """One edit page: how to make the record, its URL, where its form is, and two different values for a field."""

    make: Callable[[], Any]
    url: Callable[[Any], str]
    field: str
    first: Any
    second: Any
    read: Callable[[Any], Any]
    post_url: Callable[[Any], str] | None = None
    form_of: Callable[[Any], forms.BaseForm] = lambda response: response.context["form"]
    roles: tuple[str, str] = ("nurse", "clinician")
    extra: Callable[[], dict[str, Any]] = dict  # fields a person fills in that the page leaves empty


def section(key: str, factory: Any, field: str, first: Any, second: Any) -> EditPage:
    return EditPage(
        make=factory,
        url=lambda r: reverse(f"patients:{key}_update", kwargs={"pk": r.patient_id, "item_pk": r.pk}),
        field=field,
        first=first,
        second=second,
        read=lambda r: getattr(type(r).objects.get(pk=r.pk), field),
    )


def checked_in_session() -> InfusionSession:
    from tests.factories import UserFactory

    return checked_in(UserFactory())


def chart_form(key: str) -> Callable[[Any], forms.BaseForm]:
    return lambda response: response.context["forms"][key]


PAGES = {
    "patient demographics": EditPage(
        make=PatientFactory,
        url=lambda p: reverse("patients:patient_update", kwargs={"pk": p.pk}),
        field="clinic_notes",
        first="Prefers morning appointments.",
        second="Prefers afternoon appointments.",
        read=lambda p: Patient.objects.get(pk=p.pk).clinic_notes,
        roles=("front_desk", "clinician"),
    ),
    "migraine triggers": EditPage(
        make=PatientFactory,
        url=lambda p: reverse("patients:migraine_triggers_update", kwargs={"pk": p.pk}),
        field="migraine_triggers",
        first=["stress"],
        second=["weather"],
        read=lambda p: Patient.objects.get(pk=p.pk).migraine_triggers,
    ),
    "allergy": section("allergy", AllergyFactory, "reaction", "Rash", "Swelling of the lips"),
    "medication": section("medication", MedicationFactory, "dose", "1 mg at night", "2 mg at night"),
    "prior treatment": section("prior_treatment", PriorTreatmentFactory, "notes", "Six weeks", "Three weeks"),
    "height and weight": section("measurement", BodyMeasurementFactory, "weight_kg", "80.0", "81.5"),
    "diary entry": section("diary_entry", DiaryEntryFactory, "worst_pain", "7", "8"),
    "consent": section("consent", ConsentFactory, "witness_name", "Sam Okafor", "Casey Morgan"),
    "side-effect correction": EditPage(
        make=SideEffectFactory,
        url=lambda e: reverse("side_effects:side_effect_update", kwargs={"pk": e.pk}),
        field="narrative",
        first="Settled within 20 minutes.",
        second="Settled after the rate was halved.",
        read=lambda e: SideEffect.objects.get(pk=e.pk).narrative,
    ),
    "session notes": EditPage(
        make=checked_in_session,
        url=lambda s: reverse("infusions:session_chart", kwargs={"pk": s.pk}),
        post_url=lambda s: reverse("infusions:session_notes", kwargs={"pk": s.pk}),
        form_of=chart_form("notes"),
        field="note",
        first="Calm, listened to music.",
        second="Anxious at first, settled.",
        read=lambda s: InfusionSession.objects.get(pk=s.pk).note,
    ),
    "session dose": EditPage(
        make=checked_in_session,
        url=lambda s: reverse("infusions:session_chart", kwargs={"pk": s.pk}),
        post_url=lambda s: reverse("infusions:session_dose", kwargs={"pk": s.pk}),
        form_of=chart_form("dose"),
        field="weight_kg",
        first="72.5",
        second="75.0",
        read=lambda s: str(InfusionSession.objects.get(pk=s.pk).weight_kg),
        extra=lambda: {"preparation": preparation(1).pk},
    ),
}


def _normalise(value: Any) -> Any:
    return str(value) if not isinstance(value, list) else value


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_the_second_of_two_editors_gets_the_conflict_and_the_first_save_is_kept(role_client, page):
    record = page.make()
    first_client, second_client = role_client(page.roles[0]), role_client(page.roles[1])
    first_form = page.form_of(first_client.get(page.url(record)))
    second_form = page.form_of(second_client.get(page.url(record)))  # both open the page before either saves
    post_url = (page.post_url or page.url)(record)
    extra = page.extra()

    first = {**post_data(first_form), **extra, page.field: page.first}
    assert first_client.post(post_url, first).status_code == HTTPStatus.FOUND
    second = {**post_data(second_form), **extra, page.field: page.second}
    refused = second_client.post(post_url, second)

    assert refused.status_code == HTTPStatus.OK
    assert _normalise(page.read(record)) == _normalise(page.first)
    assert 'data-testid="edit-conflict"' in refused.text
    conflict = page.form_of(refused).conflict
    row = next(row for row in conflict.rows if row.name == page.field)
    assert row.differs
    assert "Not saved: this record was changed while you were editing it" in refused.text

    # The conflict page carries the saved version: saving it again is a knowing replacement.
    again = page.form_of(refused)
    assert second_client.post(post_url, {**post_data(again), **extra, page.field: page.second}).status_code == (
        HTTPStatus.FOUND
    )
    assert _normalise(page.read(record)) == _normalise(page.second)


def test_the_conflict_names_who_saved_and_shows_both_values(front_desk_client, clinician_client):
    patient = PatientFactory(clinic_notes="")
    url = reverse("patients:patient_update", kwargs={"pk": patient.pk})
    mine = post_data(front_desk_client.get(url).context["form"])
    theirs = post_data(clinician_client.get(url).context["form"])
    clinician_client.post(url, {**theirs, "clinic_notes": "Needs a wheelchair space."})
    refused = front_desk_client.post(url, {**mine, "clinic_notes": "Prefers mornings."})
    table = refused.text[refused.text.index('data-testid="conflict-table"') :]
    assert "Needs a wheelchair space." in table
    assert "Prefers mornings." in table
    assert "saved a newer version" in refused.text
    assert refused.context["form"].conflict.changed_by.username == "t_clinician"
    assert "clinic_notes" in [row.name for row in refused.context["form"].conflict.differing]


def test_an_edit_without_a_version_token_is_treated_as_stale(nurse_client):
    allergy = AllergyFactory(reaction="Hives")
    url = reverse("patients:allergy_update", kwargs={"pk": allergy.patient_id, "item_pk": allergy.pk})
    response = nurse_client.post(url, {"substance": "Penicillin", "reaction": "Rash", "severity": "unknown"})
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].conflict is not None
    assert Allergy.objects.get(pk=allergy.pk).reaction == "Hives"


def test_a_status_change_elsewhere_does_not_make_the_notes_form_stale(nurse_client):
    """Only the form's own fields count: the chart moving on (dose set) leaves the open notes form valid."""
    session = checked_in_session()
    notes = post_data(
        nurse_client.get(reverse("infusions:session_chart", kwargs={"pk": session.pk})).context["forms"]["notes"]
    )
    services.session_set_dose(session=session, by=session.nurse, weight_kg=Decimal("80"), preparation=preparation(1),
                              dose_per_kg=session.course.ordered_dose)  # fmt: skip
    response = nurse_client.post(
        reverse("infusions:session_notes", kwargs={"pk": session.pk}), {**notes, "note": "Calm."}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert InfusionSession.objects.get(pk=session.pk).note == "Calm."


@pytest.mark.parametrize("model", [Allergy, Medication, PriorTreatment, BodyMeasurement, HeadacheDiaryEntry, Consent])
def test_every_editable_section_form_carries_a_version(model):
    from patients.sections import SECTIONS

    form_class = next(s.form_class for s in SECTIONS if s.model is model)
    assert "record_version" in form_class().fields
