"""Forms for courses and the session chart. Big inputs and number pads for the tablet at the chair (ui.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from clinic.forms import (
    ConcurrencyFormMixin,
    CrispyFormMixin,
    DateInput,
    DateTimeInput,
    DecimalInput,
    SecondPersonMixin,
    WallClockDateTimeField,
)
from clinic.signatures.forms import SignatureFormMixin
from clinic.signatures.models import meaning_text
from infusions.adverse import GRADE_DEFINITIONS, SERIOUSNESS_CRITERIA, seriousness_problems
from infusions.choices import Fasting, PregnancyCheck
from infusions.models import (
    AdverseEvent,
    AdverseEventTerm,
    DrugPreparation,
    Protocol,
    SessionMedication,
    TreatmentCourse,
    VitalSign,
)
from infusions.models.session import PADSS_ITEMS
from infusions.signing import ADDENDUM_STATEMENT, SESSION_STATEMENTS

PADSS_LABELS = {
    "padss_vitals": "Vital signs (2: within 20% of baseline · 1: 20–40% · 0: more than 40%)",
    "padss_activity": "Activity (2: steady gait, no dizziness · 1: needs help · 0: cannot walk)",
    "padss_nausea": "Nausea and vomiting (2: minimal · 1: moderate · 0: severe)",
    "padss_pain": "Pain (2: acceptable on oral drugs · 1: not quite · 0: not acceptable)",
    "padss_bleeding": "Bleeding at the IV site (2: minimal · 1: moderate · 0: severe)",
}


class SecondCheckMixin(SecondPersonMixin):
    """A second member of staff confirms a dose or rate outside the usual range (issue #4). The form finds the login
    named; the session service decides whether the check is needed and verifies the password."""

    second_persons = (("second", "Second checker"),)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, required=False, **kwargs)  # the service decides whether the dose needs it

    @property
    def second_checker(self) -> Any:
        return self.second_people.get("second")

    @property
    def second_checker_password(self) -> str | None:
        return self.cleaned_data.get("second_password") or None


class CourseForm(CrispyFormMixin, forms.ModelForm):
    class Meta:
        model = TreatmentCourse
        fields = ["protocol", "ordered_dose", "ordered_max", "planned_sessions", "started_on"]
        widgets = {"ordered_dose": DecimalInput(), "ordered_max": DecimalInput(), "started_on": DateInput()}
        help_texts = {"ordered_max": "Doses or rates above this are refused at the chair (≤ the protocol's maximum)."}

    layout = Layout(
        Row(Column("protocol"), Column("started_on")),
        Row(Column("ordered_dose"), Column("ordered_max"), Column("planned_sessions")),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["protocol"].queryset = Protocol.objects.filter(is_active=True)


class ScheduleForm(CrispyFormMixin, forms.Form):
    scheduled_for = WallClockDateTimeField(label="Date and time")
    chair = forms.CharField(max_length=20, initial="1")
    layout = Layout(Row(Column("scheduled_for"), Column("chair")))


class CheckInForm(CrispyFormMixin, forms.Form):
    escort_name = forms.CharField(label="Escort or driver", max_length=200)
    escort_phone = forms.CharField(
        label="Escort's phone", max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    fasting = forms.ChoiceField(choices=Fasting.choices, widget=forms.RadioSelect)
    pregnancy_check = forms.ChoiceField(label="Pregnancy", choices=PregnancyCheck.choices, widget=forms.RadioSelect)
    layout = Layout(
        Row(Column("escort_name"), Column("escort_phone")), InlineRadios("fasting"), InlineRadios("pregnancy_check")
    )


class CancelForm(CrispyFormMixin, forms.Form):
    reason = forms.CharField(max_length=300)
    no_show = forms.BooleanField(label="The patient did not come (no-show)", required=False)


class DoseForm(ConcurrencyFormMixin, CrispyFormMixin, SecondCheckMixin):
    """Weight, preparation and dose of the session; refused if another nurse set them since the form was shown."""

    concurrency_fields = ("weight_kg", "preparation", "dose_per_kg")
    weight_kg = forms.DecimalField(label="Weight today (kg)", max_digits=5, decimal_places=1, widget=DecimalInput())
    preparation = forms.ModelChoiceField(queryset=DrugPreparation.objects.filter(is_active=True), empty_label=None)
    dose_per_kg = forms.DecimalField(max_digits=5, decimal_places=3, widget=DecimalInput())
    layout = Layout(
        Row(Column("weight_kg"), Column("dose_per_kg")),
        "preparation",
        Row(Column("second_username"), Column("second_password")),
    )

    def __init__(self, *args: Any, unit: str = "mg/kg", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dose_per_kg"].label = f"Dose ({unit})"


class VitalsForm(CrispyFormMixin, forms.ModelForm):
    """One row for a full set of vitals; the time is now unless changed."""

    class Meta:
        model = VitalSign
        fields = [
            "taken_at",
            "systolic",
            "diastolic",
            "heart_rate",
            "spo2",
            "resp_rate",
            "sedation",
            "dissociation",
            "pain",
        ]
        field_classes = {"taken_at": WallClockDateTimeField}
        widgets = {
            "taken_at": DateTimeInput(),
            **{
                name: forms.NumberInput(attrs={"inputmode": "numeric"})
                for name in ["systolic", "diastolic", "heart_rate", "spo2", "resp_rate", "sedation", "pain"]
            },
        }
        labels = {
            "systolic": "Systolic",
            "diastolic": "Diastolic",
            "heart_rate": "HR",
            "spo2": "SpO₂ %",
            "resp_rate": "RR",
            "sedation": "MOAA/S",
            "pain": "Pain",
        }
        help_texts = {"sedation": ""}

    layout = Layout(
        Row(
            Column("taken_at", css_class="col-md-3"),
            Column("systolic"),
            Column("diastolic"),
            Column("heart_rate"),
            Column("spo2"),
            Column("resp_rate"),
            Column("sedation"),
            Column("dissociation"),
            Column("pain"),
            css_class="g-2",
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["taken_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class TitrateForm(CrispyFormMixin, SecondCheckMixin):
    rate_mg_per_kg_h = forms.DecimalField(
        label="New rate (mg/kg/h)", max_digits=5, decimal_places=3, widget=DecimalInput()
    )
    reason = forms.CharField(max_length=300, help_text="e.g. Pain 6/10, tolerating well.")
    layout = Layout(
        Row(Column("rate_mg_per_kg_h"), Column("reason")), Row(Column("second_username"), Column("second_password"))
    )


class MedicationGivenForm(CrispyFormMixin, forms.ModelForm):
    class Meta:
        model = SessionMedication
        fields = ["drug", "drug_other", "dose", "unit", "route", "given_at", "reason"]
        field_classes = {"given_at": WallClockDateTimeField}
        widgets = {"given_at": DateTimeInput(), "dose": DecimalInput()}

    layout = Layout(
        Row(Column("drug"), Column("drug_other"), Column("dose"), Column("unit"), Column("route")),
        Row(Column("given_at"), Column("reason")),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["given_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("drug") == "other" and not cleaned.get("drug_other"):
            self.add_error("drug_other", "Name the drug.")
        return cleaned


class OverrideForm(CrispyFormMixin, forms.Form):
    reason = forms.CharField(label="Why it is safe to start", widget=forms.Textarea(attrs={"rows": 2}), min_length=10)


class NotesForm(ConcurrencyFormMixin, CrispyFormMixin, forms.Form):
    """Pain before and after and the note; refused if someone else changed them since the form was shown."""

    concurrency_fields = ("pain_before", "pain_after", "note")
    pain_before = forms.IntegerField(label="Pain before (0-10)", min_value=0, max_value=10, required=False)
    pain_after = forms.IntegerField(label="Pain after (0-10)", min_value=0, max_value=10, required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    layout = Layout(Row(Column("pain_before"), Column("pain_after")), "note")


class DischargeForm(CrispyFormMixin, forms.Form):
    escort_present = forms.BooleanField(label="Escort is here to take the patient home", required=False)
    aftercare_given = forms.BooleanField(
        label="After-care instructions given (no driving until tomorrow)", required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in PADSS_ITEMS:
            self.fields[item] = forms.TypedChoiceField(
                label=PADSS_LABELS[item], choices=[(2, "2"), (1, "1"), (0, "0")], coerce=int, widget=forms.RadioSelect
            )
        self.helper.layout = Layout(*[InlineRadios(item) for item in PADSS_ITEMS], "escort_present", "aftercare_given")

    def padss(self) -> dict[str, int]:
        return {item: self.cleaned_data[item] for item in PADSS_ITEMS}


class AddendumForm(CrispyFormMixin, SignatureFormMixin):
    """An addendum, signed by its author with their password (21 CFR 11.200)."""

    text = forms.CharField(label="Addendum", widget=forms.Textarea(attrs={"rows": 3}), min_length=5)
    layout = Layout("text", "password")
    statement = ADDENDUM_STATEMENT


class SignForm(CrispyFormMixin, SignatureFormMixin):
    """The signature that locks a discharged session: its meaning, and the signer's password again (11.50, 11.200)."""

    meaning = forms.ChoiceField(
        label="What your signature means",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what your signature means."},
    )
    layout = Layout("meaning", "password")

    def __init__(self, *args: Any, meanings: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meaning"].choices = [(m, meaning_text(m, SESSION_STATEMENTS[m])) for m in meanings]
        self.fields["meaning"].initial = meanings[0]


class AdverseEventForm(ConcurrencyFormMixin, CrispyFormMixin, forms.ModelForm):
    """A side effect. Grade definitions are shown with the choice; seriousness is asked separately (clinical.md 4)."""

    seriousness_criteria = forms.MultipleChoiceField(
        choices=list(SERIOUSNESS_CRITERIA.items()), widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = AdverseEvent
        fields = [
            "onset_at",
            "term",
            "term_detail",
            "category",
            "grade",
            "serious",
            "seriousness_criteria",
            "expected",
            "causality",
            "action_taken",
            "rescue_medication",
            "outcome",
            "resolved_at",
            "narrative",
        ]
        field_classes = {"onset_at": WallClockDateTimeField, "resolved_at": WallClockDateTimeField}
        widgets = {
            "onset_at": DateTimeInput(),
            "resolved_at": DateTimeInput(),
            "grade": forms.RadioSelect,
            "narrative": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"category": "Left empty, the term's usual category is used."}

    def __init__(self, *args: Any, session: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = AdverseEventTerm.objects.filter(is_active=True)
        self.fields["category"].required = False
        self.fields["grade"].choices = [(g, f"Grade {g}: {text}") for g, text in GRADE_DEFINITIONS.items()]
        medications = SessionMedication.objects.filter(session=session) if session else SessionMedication.objects.none()
        self.fields["rescue_medication"].queryset = medications.active()
        if session is None:
            self.fields.pop("rescue_medication")
        self.helper.layout = Layout(
            Row(Column("onset_at"), Column("term"), Column("term_detail"), Column("category")),
            "grade",
            Row(Column("serious", "seriousness_criteria"), Column("expected", "causality")),
            Row(
                Column("action_taken"),
                *([Column("rescue_medication")] if session else []),
                Column("outcome"),
                Column("resolved_at"),
            ),
            "narrative",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "grade" in cleaned:
            problems = seriousness_problems(
                grade=cleaned["grade"],
                serious=cleaned.get("serious", False),
                criteria=cleaned.get("seriousness_criteria") or [],
                fatal=cleaned.get("outcome") == "fatal",
            )
            for field, message in problems.items():
                self.add_error(field if field in self.fields else None, message)
        return cleaned


class ReviewForm(CrispyFormMixin, forms.Form):
    comment = forms.CharField(label="Review comment", widget=forms.Textarea(attrs={"rows": 2}), required=False)


# A report's dates stay within these years, so the period arithmetic (a default start, the day after the end) can
# never leave Python's date range: ``?end=0001-01-01`` was a 500 (security.md C5; tests/security/test_deny_paths.py).
REPORT_DATE_VALIDATORS = [MinValueValidator(dt.date(2000, 1, 1)), MaxValueValidator(dt.date(2099, 12, 31))]


class PeriodForm(forms.Form):
    """A reporting period from the query string (dates are not identifying); by default the last ``default_days``."""

    start = forms.DateField(required=False, widget=DateInput(), validators=REPORT_DATE_VALIDATORS)
    end = forms.DateField(required=False, widget=DateInput(), validators=REPORT_DATE_VALIDATORS)

    def __init__(self, *args: Any, default_days: int = 90, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_days = default_days

    def period(self) -> tuple[Any, Any]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or self.default_start(end)
        return (start, end) if start <= end else (end, start)

    def default_start(self, end: dt.date) -> dt.date:
        return end - dt.timedelta(days=self.default_days)
