"""Side-effect forms: report or correct one, review it, record an external report as sent."""

from __future__ import annotations

from typing import Any

from crispy_forms.layout import Column, Layout, Row
from django import forms

from clinic.forms import ConcurrencyFormMixin, CrispyFormMixin, DateInput, DateTimeInput, WallClockDateTimeField
from infusions.models import SessionMedication
from side_effects.models import SideEffect, SideEffectTerm
from side_effects.rules import GRADE_DEFINITIONS, SERIOUSNESS_CRITERIA, seriousness_problems


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
        self.fields["term"].queryset = SideEffectTerm.objects.filter(is_active=True)
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


class ExternalReportSubmitForm(forms.Form):
    submitted_on = forms.DateField(widget=DateInput())
    reference = forms.CharField(max_length=100, required=False)
