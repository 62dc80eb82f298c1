"""Side-effect forms: report or correct one, review it, record an external report as sent, and find one by its
number to void it in the admin."""

from __future__ import annotations

from typing import Any, cast

from crispy_forms.layout import Column, Layout, Row
from django import forms

from clinic.forms import (
    ConcurrencyFormMixin,
    CrispyFormMixin,
    DateInput,
    DateTimeInput,
    DecimalInput,
    VoidForm,
    WallClockDateTimeField,
)
from clinic.services import VOID_REASON_REQUIRED
from infusions.models import SessionMedication
from patients.models import Patient
from side_effects.choices import ActionTaken
from side_effects.models import SideEffect, SideEffectTerm
from side_effects.rules import GRADE_DEFINITIONS, SERIOUSNESS_CRITERIA, seriousness_problems
from side_effects.services import NEW_RATE_NEEDED, NEW_RATE_WITHOUT_REDUCTION

#: Under the action when correcting a report: the pump is the chart's.
CORRECTION_ACTION_HELP = "Correcting the action changes this record only; the pump is changed on the chart."


class SideEffectForm(ConcurrencyFormMixin, CrispyFormMixin, forms.ModelForm):
    """A side effect. Grade definitions are shown with the choice; seriousness is asked separately
    (docs/clinical.md §7)."""

    seriousness_criteria = forms.MultipleChoiceField(
        choices=list(SERIOUSNESS_CRITERIA.items()), widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = SideEffect
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
        cast(forms.ModelChoiceField, self.fields["term"]).queryset = SideEffectTerm.objects.filter(is_active=True)
        self.fields["category"].required = False
        grade = cast(forms.ChoiceField, self.fields["grade"])
        grade.choices = [(g, f"Grade {g}: {text}") for g, text in GRADE_DEFINITIONS.items()]
        medications = SessionMedication.objects.filter(session=session) if session else SessionMedication.objects.none()
        cast(forms.ModelChoiceField, self.fields["rescue_medication"]).queryset = medications.active()
        if session is None:
            self.fields.pop("rescue_medication")
        # Reported from a running infusion, the action is done to the pump (side_effect_report_at_chair).
        self.acts_on_pump = self.instance.pk is None and session is not None and session.state.infusing
        if self.acts_on_pump:  # what each action does is said above the form (side_effect_form.html)
            self.fields["rate_ml_h"] = self._new_rate_field(session)
            action_rows = [
                Row(Column("action_taken"), Column("rate_ml_h"), Column("rescue_medication")),
                Row(Column("outcome"), Column("resolved_at")),
            ]
        else:
            if self.instance.pk is not None and session is not None:
                self.fields["action_taken"].help_text = CORRECTION_ACTION_HELP
            rescue = [Column("rescue_medication")] if session else []
            action_rows = [Row(Column("action_taken"), *rescue, Column("outcome"), Column("resolved_at"))]
        self.helper.layout = Layout(
            Row(Column("onset_at"), Column("term"), Column("term_detail"), Column("category")),
            "grade",
            Row(Column("serious", "seriousness_criteria"), Column("expected", "causality")),
            *action_rows,
            "narrative",
        )

    @staticmethod
    def _new_rate_field(session: Any) -> forms.DecimalField:
        running = session.rate_changes.active().order_by("-at", "-id").first()
        if running is None or running.rate_ml_h == 0:
            now = "The pump is paused now: resume it on the chart before slowing it."
        else:
            step = session.preparation.pump_step_ml_h if session.preparation_id else None
            now = f"Running now at {running.rate_ml_h.normalize():f} mL/h"
            now += f", in steps of {step.normalize():f}." if step else "."
        return forms.DecimalField(
            label="New pump rate (mL/h) if reduced",
            max_digits=7,
            decimal_places=2,
            required=False,
            min_value=0,
            widget=DecimalInput(),
            help_text=now,
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.acts_on_pump:
            reduced = cleaned.get("action_taken") == ActionTaken.RATE_REDUCED
            if reduced and cleaned.get("rate_ml_h") is None and "rate_ml_h" not in self.errors:
                self.add_error("rate_ml_h", NEW_RATE_NEEDED)
            elif not reduced and cleaned.get("rate_ml_h") is not None:
                self.add_error("rate_ml_h", NEW_RATE_WITHOUT_REDUCTION)
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


class ExternalReportSubmitForm(forms.Form):
    submitted_on = forms.DateField(widget=DateInput())
    reference = forms.CharField(max_length=100, required=False)


class SideEffectVoidForm(VoidForm):
    """Why a side effect is voided as entered in error. An empty reason gets the same words as a short one, which
    say what to write, rather than "This field is required."."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = VOID_REASON_REQUIRED


NO_SUCH_SIDE_EFFECT = "No side effect has this number. It is on the side effect's page and in the CSV (event_id)."
RESTRICTED_SIDE_EFFECT = "This side effect is on a restricted record: a clinician of its care team voids it."


class SideEffectNumberForm(forms.Form):
    """The clinic admin's way to a side effect entered in error: its number, as a clinician or the CSV gives it. The
    admin reads no chart (clinic.accounts.roles), so there is no list of side effects to browse; a restricted record
    stays closed to it."""

    number = forms.IntegerField(label="Side-effect number", min_value=1)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.event: SideEffect | None = None

    def clean_number(self) -> int:
        number = self.cleaned_data["number"]
        events = SideEffect.objects.select_related("patient", "term", "session", "created_by", "voided_by")
        self.event = events.filter(pk=number).first()
        if self.event is None:
            raise forms.ValidationError(NO_SUCH_SIDE_EFFECT)
        if Patient.objects.restricted_hidden_from(self.user).filter(pk=self.event.patient_id).exists():
            self.event = None
            raise forms.ValidationError(RESTRICTED_SIDE_EFFECT)
        return number
