"""A patient's amendment request: receiving it, deciding it, filing a statement of disagreement (security.md H5)."""

from __future__ import annotations

from typing import Any

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.layout import Column, Layout, Row
from django import forms

from clinic.forms import CrispyFormMixin, DateInput
from patients.models import AmendmentRequest, DenialBasis

ACCEPT, DENY = "accept", "deny"


class AmendmentRequestForm(CrispyFormMixin, forms.ModelForm):
    class Meta:
        model = AmendmentRequest
        fields = ["received_on", "record_concerned", "requested_change"]
        widgets = {"received_on": DateInput(), "requested_change": forms.Textarea(attrs={"rows": 4})}

    layout = Layout(Row(Column("received_on", css_class="col-md-4")), "record_concerned", "requested_change")


class AmendmentDecisionForm(CrispyFormMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[(ACCEPT, "Accept: append the amendment to the entry"), (DENY, "Deny, in writing")],
        widget=forms.RadioSelect,
    )
    amendment_text = forms.CharField(
        label="Amendment", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="When accepting: the correction as it will stand with the entry (the entry itself is kept).",
    )  # fmt: skip
    denial_basis = forms.ChoiceField(label="Grounds for denial", required=False,
                                     choices=[("", "—"), *DenialBasis.choices])  # fmt: skip
    denial_explanation = forms.CharField(
        label="Explanation to the patient", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="When denying: the reason, as written to the patient. They may file a statement of disagreement.",
    )  # fmt: skip

    layout = Layout(InlineRadios("decision"), "amendment_text", "denial_basis", "denial_explanation")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        decision = cleaned.get("decision")
        if decision == ACCEPT and not cleaned.get("amendment_text", "").strip():
            self.add_error("amendment_text", "Write the amendment as it should stand with the entry.")
        if decision == DENY:
            if not cleaned.get("denial_basis"):
                self.add_error("denial_basis", "Choose the grounds for the denial.")
            if not cleaned.get("denial_explanation", "").strip():
                self.add_error("denial_explanation", "Explain the denial as it is written to the patient.")
        return cleaned


class DisagreementForm(CrispyFormMixin, forms.Form):
    disagreement_received_on = forms.DateField(label="Statement received", widget=DateInput())
    disagreement_statement = forms.CharField(label="Patient's statement of disagreement",
                                             widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip

    layout = Layout(Row(Column("disagreement_received_on", css_class="col-md-4")), "disagreement_statement")
