"""Forms for courses and the session chart. Big inputs and number pads for the tablet at the chair (ui.md)."""

from __future__ import annotations

from typing import Any, cast

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.layout import Column, Layout, Row
from django import forms
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
from infusions import hooks
from infusions.checkin import ESCORT_NAME_NEEDED, ESCORT_PHONE_NEEDED
from infusions.choices import CourseStopReason, Fasting, PregnancyCheck
from infusions.models import (
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


def show_with_refusal(form: forms.BaseForm, name: str) -> None:
    """A confirmation box the service asks for only in its refusal (an unusual weight, the same vitals twice): hidden
    on the form first shown, visible when the form comes back with that refusal."""
    if not form.is_bound:
        form.fields[name].widget = forms.HiddenInput()


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
        cast(forms.ModelChoiceField, self.fields["protocol"]).queryset = Protocol.objects.filter(is_active=True)


class CourseCompleteForm(CrispyFormMixin, forms.Form):
    ended_on = forms.DateField(label="Completed on", widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label="Note (optional)", max_length=500, required=False)
    layout = Layout(Row(Column("ended_on"), Column("note")))


class CourseStopForm(CrispyFormMixin, forms.Form):
    reason_code = forms.ChoiceField(label="Why it stopped", choices=CourseStopReason.choices, widget=forms.RadioSelect,
                                    error_messages={"required": "Choose why the course stopped."})  # fmt: skip
    note = forms.CharField(label="Note", max_length=500, required=False, help_text="Needed for “Other”.")
    ended_on = forms.DateField(label="Stopped on", widget=DateInput(), initial=timezone.localdate)
    layout = Layout("reason_code", "note", "ended_on")


class CourseMaintenanceForm(CrispyFormMixin, forms.Form):
    on = forms.DateField(label="Maintenance from", widget=DateInput(), initial=timezone.localdate)


class ScheduleForm(CrispyFormMixin, forms.Form):
    """Book a session of the course. When an app above keeps the clinic's schedule (``infusions.hooks.Booker``:
    scheduling), the chair is one of its chairs in use and the booking goes through it (opening hours, closures,
    no overlap); without one, the chair is free text."""

    scheduled_for = WallClockDateTimeField(label="Date and time")
    chair = forms.CharField(max_length=20, initial="1")
    layout = Layout(Row(Column("scheduled_for"), Column("chair")))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        booker = hooks.booker()
        if booker is not None:
            self.fields["chair"] = forms.ChoiceField(
                choices=[("", "Choose a chair"), *booker.chair_choices()],
                error_messages={"required": "Choose a chair.", "invalid_choice": "Choose one of the chairs in use."},
            )


class CheckInForm(CrispyFormMixin, forms.Form):
    escort_name = forms.CharField(label="Escort or driver", max_length=200,
                                  error_messages={"required": ESCORT_NAME_NEEDED})  # fmt: skip
    escort_phone = forms.CharField(
        label="Escort's phone", max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel"}),
        error_messages={"required": ESCORT_PHONE_NEEDED},
    )  # fmt: skip
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
    weight_confirmed = forms.BooleanField(
        label="Weighed again: this weight is right", required=False,
        help_text="Needed only when the weight differs a lot from the last one recorded.",
    )  # fmt: skip
    layout = Layout(
        Row(Column("weight_kg"), Column("dose_per_kg")),
        "weight_confirmed",
        "preparation",
        Row(Column("second_username"), Column("second_password")),
    )

    def __init__(self, *args: Any, unit: str = "mg/kg", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dose_per_kg"].label = f"Dose ({unit})"
        show_with_refusal(self, "weight_confirmed")


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
        # One row on a wide screen; on a tablet in portrait the time, then four values a row, none narrower than
        # what it holds (issue #17).
        Row(
            Column("taken_at", css_class="col-12 col-md-6 col-xl-3"),
            *[
                Column(name, css_class="col-6 col-md-3 col-xl")
                for name in (
                    "systolic",
                    "diastolic",
                    "heart_rate",
                    "spo2",
                    "resp_rate",
                    "sedation",
                    "dissociation",
                    "pain",
                )
            ],
            css_class="g-2",
        ),
        "record_again",
    )

    record_again = forms.BooleanField(label="Record this set again (a second reading, not a double tap)",
                                      required=False)  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["taken_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        show_with_refusal(self, "record_again")


class ChartTimeMixin(forms.Form):
    """The time the thing happened ("at"), now unless the nurse changes it; the service refuses a time in the future
    or before what it follows (infusions.timing)."""

    at = WallClockDateTimeField(label="Time it happened", required=False, widget=DateTimeInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class TitrateForm(CrispyFormMixin, ChartTimeMixin, SecondCheckMixin):
    rate_mg_per_kg_h = forms.DecimalField(
        label="New rate (mg/kg/h)", max_digits=5, decimal_places=3, widget=DecimalInput()
    )
    reason = forms.CharField(max_length=300, help_text="e.g. Pain 6/10, tolerating well.")
    layout = Layout(
        Row(Column("rate_mg_per_kg_h"), Column("at")),
        "reason",
        Row(Column("second_username"), Column("second_password")),
    )


class ReduceRateForm(CrispyFormMixin, ChartTimeMixin):
    """Slow the pump down (any protocol, no second check)."""

    rate_ml_h = forms.DecimalField(label="New pump rate (mL/h)", max_digits=7, decimal_places=2,
                                   widget=DecimalInput())  # fmt: skip
    reason = forms.CharField(max_length=250, help_text="e.g. Nausea, dissociation.")
    layout = Layout(Row(Column("rate_ml_h"), Column("at")), "reason")


class PauseForm(CrispyFormMixin, ChartTimeMixin):
    reason = forms.CharField(label="Reason for the pause", max_length=250, help_text="e.g. Vomiting, BP 182/104.")
    layout = Layout(Row(Column("reason"), Column("at")))


class ResumeForm(CrispyFormMixin, ChartTimeMixin):
    reason = forms.CharField(label="Note (optional)", max_length=250, required=False)
    layout = Layout(Row(Column("reason"), Column("at")))


class StopForm(CrispyFormMixin, ChartTimeMixin):
    """Stopping is final for the session: the nurse confirms, having read what will be recorded (the card says)."""

    confirm = forms.BooleanField(label="The pump is stopped: record the stop and start the observation",
                                 error_messages={"required": "Tick to confirm that the pump is stopped."})  # fmt: skip
    layout = Layout("at", "confirm")


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
        super().clean()
        cleaned = self.cleaned_data
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


class DischargeForm(CrispyFormMixin, ChartTimeMixin):
    """The PADSS items the nurse judges; the vital-signs item is computed from the recorded vitals (shown above the
    form), never typed."""

    escort_present = forms.BooleanField(label="Escort is here to take the patient home", required=False)
    aftercare_given = forms.BooleanField(
        label="After-care instructions given (no driving until tomorrow)", required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        judged = [item for item in PADSS_ITEMS if item != "padss_vitals"]
        for item in judged:
            self.fields[item] = forms.TypedChoiceField(
                label=PADSS_LABELS[item], choices=[(2, "2"), (1, "1"), (0, "0")], coerce=int, widget=forms.RadioSelect
            )
        self.helper.layout = Layout(*[InlineRadios(item) for item in judged], "escort_present", "aftercare_given",
                                    "at")  # fmt: skip

    def padss(self) -> dict[str, int]:
        return {item: self.cleaned_data[item] for item in PADSS_ITEMS if item != "padss_vitals"}


class DischargeOverrideForm(CrispyFormMixin, forms.Form):
    reason = forms.CharField(label="Why the patient is safe to leave", widget=forms.Textarea(attrs={"rows": 2}),
                             min_length=10)  # fmt: skip


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
        meaning = cast(forms.ChoiceField, self.fields["meaning"])
        meaning.choices = [(m, meaning_text(m, SESSION_STATEMENTS[m])) for m in meanings]
        self.fields["meaning"].initial = meanings[0]
