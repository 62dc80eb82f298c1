"""Patient forms. Each message names the field's problem and how to fix it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.layout import Column, Div, Field, Fieldset, Layout, Row
from django import forms
from django.utils.html import escape

from clinic.forms import (
    ConcurrencyFormMixin,
    CrispyFormMixin,
    DateInput,
    DateTimeInput,
    DecimalInput,
    WallClockDateTimeField,
)
from clinic.signatures.forms import SignatureFormMixin
from patients import scoring
from patients.choices import Indication, MigraineTrigger, PatientStatus
from patients.models import (
    Allergy,
    BodyMeasurement,
    Consent,
    ContraindicationItem,
    HeadacheDiaryEntry,
    Medication,
    Patient,
    PriorTreatment,
    Screening,
    Timepoint,
)
from patients.models.background import HEIGHT_CM_MAX, HEIGHT_CM_MIN, WEIGHT_KG_MAX, WEIGHT_KG_MIN
from patients.scoring import Instrument, Item
from patients.services import JUSTIFICATION_MIN_CHARS, JUSTIFICATION_REQUIRED, possible_duplicates

LB_PER_KG = Decimal("2.20462")
TENTH = Decimal("0.1")
CONFIRM_NOT_DUPLICATE = "Tick the box to confirm this is a different person, or open the existing record."


class PatientForm(ConcurrencyFormMixin, CrispyFormMixin, forms.ModelForm):
    """Register or edit a patient's identity, contact and indication (front desk and clinicians)."""

    confirm_not_duplicate = forms.BooleanField(
        required=False, label="I have checked: this is a different person from the record(s) listed above."
    )

    class Meta:
        model = Patient
        fields = [
            "given_name",
            "family_name",
            "preferred_name",
            "date_of_birth",
            "sex",
            "phone",
            "email",
            "reminders_consent",
            "address_line1",
            "address_line2",
            "city",
            "region",
            "postal_code",
            "emergency_contact_name",
            "emergency_contact_relationship",
            "emergency_contact_phone",
            "primary_indication",
            "icd10_code",
            "referring_clinician",
            "status",
            "clinic_notes",
        ]
        widgets = {
            "date_of_birth": DateInput(),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "emergency_contact_phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "clinic_notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"icd10_code": "Left empty, the usual code for the indication is filled in."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.duplicates: list[Patient] = []
        if self.instance.pk is None:  # a new patient is active: the status is set when editing
            self.fields.pop("status")
        # The layout names only fields the form has: crispy logs a traceback for any other (issue #16 point 7).
        status = [Column("status")] if "status" in self.fields else []
        self.helper.layout = Layout(
            Fieldset(
                "Identity",
                Row(Column("given_name"), Column("family_name"), Column("preferred_name")),
                Row(Column("date_of_birth"), Column("sex"), *status),
            ),
            Fieldset(
                "Contact",
                Row(Column("phone"), Column("email")),
                "reminders_consent",
                Row(Column("address_line1"), Column("address_line2")),
                Row(Column("city"), Column("region"), Column("postal_code")),
            ),
            Fieldset(
                "Emergency contact",
                Row(
                    Column("emergency_contact_name"),
                    Column("emergency_contact_relationship"),
                    Column("emergency_contact_phone"),
                ),
            ),
            Fieldset(
                "Referral",
                Row(Column("primary_indication"), Column("icd10_code"), Column("referring_clinician")),
            ),
            "clinic_notes",
            Field("confirm_not_duplicate", wrapper_class="duplicate-confirm"),
        )
        # The confirmation only appears once a possible duplicate has been found (see clean()).
        self.fields["confirm_not_duplicate"].widget = forms.HiddenInput()
        self.fields["icd10_code"].widget.attrs["class"] = "text-uppercase"

    def clean_icd10_code(self) -> str:
        return (self.cleaned_data.get("icd10_code") or "").strip().upper()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        given, family, born = cleaned.get("given_name"), cleaned.get("family_name"), cleaned.get("date_of_birth")
        if given and family and born:
            self.duplicates = list(
                possible_duplicates(
                    given_name=given, family_name=family, date_of_birth=born, exclude_pk=self.instance.pk
                )[:5]
            )
            if self.duplicates:
                self.fields["confirm_not_duplicate"].widget = forms.CheckboxInput()
                if not cleaned.get("confirm_not_duplicate"):
                    self.add_error("confirm_not_duplicate", CONFIRM_NOT_DUPLICATE)
        return cleaned


class PatientSearchForm(forms.Form):
    """The patient list's search box (posted, never in the URL) and its filters (in the URL: not identifying)."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": "Name, MRN, date of birth (MM/DD/YYYY) or phone", "autocomplete": "off"}
        ),
    )

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())


SORTS = {
    "name": ("family_name", "given_name", "id"),
    "-name": ("-family_name", "-given_name", "-id"),
    "mrn": ("mrn",),
    "-mrn": ("-mrn",),
    "dob": ("date_of_birth", "id"),
    "-dob": ("-date_of_birth", "-id"),
    "registered": ("created_at", "id"),
    "-registered": ("-created_at", "-id"),
}


class PatientFilterForm(forms.Form):
    """Status, indication and sort, from the query string; sort keys come only from ``SORTS`` (security.md C5)."""

    status = forms.ChoiceField(
        choices=[("", "Any status"), *PatientStatus.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    indication = forms.ChoiceField(
        choices=[("", "Any indication"), *Indication.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    sort = forms.ChoiceField(choices=[(key, key) for key in SORTS], required=False)

    def ordering(self) -> tuple[str, ...]:
        key = self.cleaned_data.get("sort") if self.is_valid() else ""
        return SORTS.get(key or "name", SORTS["name"])


class AllergyForm(ConcurrencyFormMixin, CrispyFormMixin, forms.ModelForm):
    class Meta:
        model = Allergy
        fields = ["substance", "reaction", "severity"]


class MedicationForm(ConcurrencyFormMixin, CrispyFormMixin, forms.ModelForm):
    class Meta:
        model = Medication
        fields = ["name", "medication_class", "dose", "frequency", "start_date", "stop_date"]
        widgets = {"start_date": DateInput(), "stop_date": DateInput()}
        help_texts = {
            "medication_class": "Benzodiazepines, hypnotics, stimulants, MAOIs, opioids and lamotrigine are flagged "
            "on the patient header because they matter around ketamine."
        }

    layout = Layout(
        Row(Column("name"), Column("medication_class")),
        Row(Column("dose"), Column("frequency")),
        Row(Column("start_date"), Column("stop_date")),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, stop = cleaned.get("start_date"), cleaned.get("stop_date")
        if start and stop and stop < start:
            self.add_error("stop_date", "The stop date is before the start date.")
        return cleaned


class PriorTreatmentForm(ConcurrencyFormMixin, CrispyFormMixin, forms.ModelForm):
    adequate_trial = forms.TypedChoiceField(
        label="Adequate trial?",
        choices=[("yes", "Yes: adequate dose for an adequate time"), ("no", "No, or too short")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = PriorTreatment
        fields = ["treatment", "kind", "start_date", "end_date", "adequate_trial", "outcome", "notes"]
        widgets = {"start_date": DateInput(), "end_date": DateInput(), "notes": forms.Textarea(attrs={"rows": 2})}

    layout = Layout(
        Row(Column("treatment"), Column("kind")),
        Row(Column("start_date"), Column("end_date")),
        Row(Column(InlineRadios("adequate_trial")), Column("outcome")),
        "notes",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["adequate_trial"] = "yes" if self.instance.adequate_trial else "no"

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date is before the start date.")
        return cleaned


class BodyMeasurementForm(ConcurrencyFormMixin, CrispyFormMixin, forms.ModelForm):
    # Any precision is accepted and rounded to 0.1 after the range check, so "1.70" earns the metres hint below
    # rather than a message about decimal places.
    weight_kg = forms.DecimalField(label="Weight (kg)", required=False, widget=DecimalInput())
    height_cm = forms.DecimalField(label="Height (cm)", required=False, widget=DecimalInput())

    class Meta:
        model = BodyMeasurement
        fields = ["measured_on", "weight_kg", "height_cm"]
        widgets = {"measured_on": DateInput(), "weight_kg": DecimalInput(), "height_cm": DecimalInput()}

    layout = Layout(Row(Column("measured_on"), Column("weight_kg"), Column("height_cm")))

    def clean_weight_kg(self) -> Decimal | None:
        weight = self.cleaned_data.get("weight_kg")
        if weight is not None and not WEIGHT_KG_MIN <= weight <= WEIGHT_KG_MAX:
            hint = ""
            if WEIGHT_KG_MIN <= weight / LB_PER_KG <= WEIGHT_KG_MAX:
                hint = f" If {weight} was in pounds, that is {(weight / LB_PER_KG).quantize(Decimal('0.1'))} kg."
            raise forms.ValidationError(f"Weight must be between {WEIGHT_KG_MIN} and {WEIGHT_KG_MAX} kg.{hint}")
        return None if weight is None else weight.quantize(TENTH)

    def clean_height_cm(self) -> Decimal | None:
        height = self.cleaned_data.get("height_cm")
        if height is not None and not HEIGHT_CM_MIN <= height <= HEIGHT_CM_MAX:
            raise forms.ValidationError(
                f"Height must be between {HEIGHT_CM_MIN} and {HEIGHT_CM_MAX} cm (1.70 m is 170 cm)."
            )
        return None if height is None else height.quantize(TENTH)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not self.errors and cleaned.get("weight_kg") is None and cleaned.get("height_cm") is None:
            raise forms.ValidationError("Enter a weight, a height, or both.")
        return cleaned


class HeadacheDiaryEntryForm(ConcurrencyFormMixin, CrispyFormMixin, forms.ModelForm):
    class Meta:
        model = HeadacheDiaryEntry
        fields = [
            "entry_date",
            "had_headache",
            "migraine_features",
            "worst_pain",
            "acute_medication",
            "migraine_specific_medication",
        ]
        widgets = {"entry_date": DateInput(), "worst_pain": forms.NumberInput(attrs={"min": 0, "max": 10})}

    layout = Layout(
        Row(Column("entry_date"), Column("worst_pain")),
        "had_headache",
        "migraine_features",
        Row(Column("acute_medication"), Column("migraine_specific_medication")),
    )

    def __init__(self, *args: Any, patient: Patient | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        pain = cleaned.get("worst_pain")
        if not cleaned.get("had_headache"):
            if pain:
                self.add_error("worst_pain", "Pain above 0 was entered for a day without headache.")
            if cleaned.get("migraine_features"):
                self.add_error("migraine_features", "Migraine features need a headache that day.")
        day = cleaned.get("entry_date")
        patient = self.patient or getattr(self.instance, "patient", None)
        if day and patient is not None:
            clash = HeadacheDiaryEntry.objects.active().filter(patient=patient, entry_date=day)
            if clash.exclude(pk=self.instance.pk).exists():
                self.add_error("entry_date", "There is already a diary entry for this day; edit that one instead.")
        return cleaned


class ConsentForm(ConcurrencyFormMixin, CrispyFormMixin, forms.ModelForm):
    class Meta:
        model = Consent
        fields = ["consent_type", "form_version", "signed_on", "witness_name", "expires_on", "withdrawn_on"]
        widgets = {"signed_on": DateInput(), "expires_on": DateInput(), "withdrawn_on": DateInput()}

    layout = Layout(
        Row(Column("consent_type"), Column("form_version")),
        Row(Column("signed_on"), Column("witness_name")),
        Row(Column("expires_on"), Column("withdrawn_on")),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:  # a new consent cannot already be withdrawn: the field is offered on edit only
            self.fields.pop("withdrawn_on")
            self.helper.layout = Layout(*self.layout.fields[:2], Row(Column("expires_on")))

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        signed, expires = cleaned.get("signed_on"), cleaned.get("expires_on")
        if signed and expires and expires <= signed:
            self.add_error("expires_on", "The expiry date must be after the signing date.")
        withdrawn = cleaned.get("withdrawn_on")
        if signed and withdrawn and withdrawn < signed:
            self.add_error("withdrawn_on", "Consent cannot be withdrawn before it was signed.")
        return cleaned


class MigraineTriggersForm(ConcurrencyFormMixin, CrispyFormMixin, forms.ModelForm):
    migraine_triggers = forms.MultipleChoiceField(
        label="Known triggers", choices=MigraineTrigger.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Patient
        fields = ["migraine_triggers"]


class ScreeningForm(CrispyFormMixin, forms.Form):
    """The contraindication checklist: a yes/no answer and optional notes for every active item."""

    screened_on = forms.DateField(label="Screening date", widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(ContraindicationItem.objects.filter(is_active=True))
        layout: list[Any] = ["screened_on"]
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.TypedChoiceField(
                label=item.label,
                choices=[("no", "No"), ("yes", "Yes")],
                coerce=lambda v: v == "yes",
                widget=forms.RadioSelect,
                # Help text is rendered as HTML (Django's and crispy's `|safe`); the guidance is admin-edited text,
                # so it is escaped here (stored XSS found by tests/security/test_xss.py; security.md J2).
                help_text=escape(f"{item.get_level_display()}. {item.guidance}".strip()),
                error_messages={"required": "Answer yes or no."},
            )
            self.fields[f"notes_{item.pk}"] = forms.CharField(label="Notes", required=False, max_length=500)
            layout.append(
                Div(
                    Row(
                        Column(InlineRadios(f"item_{item.pk}", wrapper_class="screening-item"), css_class="col-md-7"),
                        Column(f"notes_{item.pk}", css_class="col-md-5"),
                    ),
                    css_class="border-bottom pt-2",
                )
            )
        self.helper.layout = Layout(*layout)

    def answers(self) -> list[tuple[ContraindicationItem, bool, str]]:
        return [
            (item, self.cleaned_data[f"item_{item.pk}"], self.cleaned_data.get(f"notes_{item.pk}", ""))
            for item in self.items
        ]


class ScreeningReviewForm(CrispyFormMixin, SignatureFormMixin):
    """The clinician's decision, signed with their password (patients.signing: clearing is an approval)."""

    decision = forms.ChoiceField(
        choices=[("clear", "Clear for treatment"), ("decline", "Do not clear")], widget=forms.RadioSelect
    )
    layout = Layout(InlineRadios("decision"), "justification", "review_note", "password")
    justification = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when relative contraindications were found: why treatment is reasonable.",
    )
    review_note = forms.CharField(
        label="Reason (when not clearing)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, screening: Screening, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.screening = screening
        if screening.absolute_findings:
            cast(forms.ChoiceField, self.fields["decision"]).choices = [("decline", "Do not clear")]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("decision") == "decline" and not (cleaned.get("review_note") or "").strip():
            self.add_error("review_note", "Say why the screening is not cleared.")
        relative = self.screening.relative_findings
        justification = (cleaned.get("justification") or "").strip()
        if cleaned.get("decision") == "clear" and relative and len(justification) < JUSTIFICATION_MIN_CHARS:
            # Also refused by screening_clear; said here too, so it shows together with any password error.
            items = "; ".join(answer.item.label for answer in relative)
            self.add_error("justification", JUSTIFICATION_REQUIRED.format(items=items))
        return cleaned


class QuestionnaireForm(forms.Form):
    """One instrument's questions, item by item, large enough to fill in on a tablet at check-in.

    Every scored question must be answered: an incomplete form is refused with each unanswered question marked and
    a count at the top, and nothing typed is lost (patients/scoring.py scores only complete forms)."""

    completed_at = WallClockDateTimeField(label="Completed", widget=DateTimeInput(attrs={"class": "form-control"}))
    timepoint = forms.ChoiceField(
        label="When", choices=Timepoint.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    note = forms.CharField(
        label="Staff note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for item in instrument.items:
            name = self.field_name(item.key)
            if item.is_choice:
                choices = [(str(o.points), o.label) for o in item.options]
                self.fields[name] = forms.TypedChoiceField(
                    label=item.text,
                    choices=choices,
                    coerce=int,
                    empty_value=None,
                    required=False,
                    widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                )
            else:
                self.fields[name] = forms.IntegerField(
                    label=item.text,
                    required=False,
                    min_value=item.low,
                    max_value=item.high,
                    widget=forms.NumberInput(
                        attrs={"inputmode": "numeric", "min": item.low, "max": item.high, "class": "form-control"}
                    ),
                    error_messages={
                        "min_value": f"Enter a number from {item.low} to {item.high}.",
                        "max_value": f"Enter a number from {item.low} to {item.high}.",
                        "invalid": f"Enter a whole number from {item.low} to {item.high}.",
                    },
                )

    @staticmethod
    def field_name(key: str) -> str:
        return f"item_{key}"

    def item_fields(self) -> list[tuple[Item, Any]]:
        """(item, bound field) pairs in form order, for the template."""
        return [(item, self[self.field_name(item.key)]) for item in self.instrument.items]

    def answers(self) -> dict[str, int | None]:
        return {item.key: self.cleaned_data.get(self.field_name(item.key)) for item in self.instrument.items}

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if any(self.field_name(i.key) in self.errors for i in self.instrument.items):
            return cleaned
        try:
            scoring.score(self.instrument, self.answers())
        except scoring.IncompleteAnswers as error:
            for key in error.missing:
                self.add_error(self.field_name(key), "Answer this question.")
            numbers = ", ".join(error.missing)
            raise forms.ValidationError(
                f"The form is not complete: {len(error.missing)} question(s) not answered ({numbers}). "
                "Every question must be answered before the score can be calculated."
            ) from error
        except scoring.InvalidAnswer as error:
            self.add_error(self.field_name(error.key), str(error))
        return cleaned


class RiskAcknowledgeForm(CrispyFormMixin, forms.Form):
    """The clinician's assessment of a suicide-item answer (PHQ-9 item 9, MADRS item 10) and what was done."""

    action = forms.CharField(
        label="Assessment and action taken",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="e.g. Seen today: passive ideation, no plan or intent; safety plan reviewed; crisis line given.",
    )
