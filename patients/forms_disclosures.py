"""Recording a disclosure of a patient's record (security.md H6)."""

from __future__ import annotations

from crispy_forms.layout import Column, Layout, Row
from django import forms

from clinic.forms import CrispyFormMixin, DateInput
from patients.models import Disclosure


class DisclosureForm(CrispyFormMixin, forms.ModelForm):
    class Meta:
        model = Disclosure
        fields = ["disclosed_on", "recipient", "purpose", "description", "reference"]
        widgets = {"disclosed_on": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}

    layout = Layout(
        Row(Column("disclosed_on", css_class="col-md-4"), Column("purpose", css_class="col-md-8")),
        "recipient",
        "description",
        Row(Column("reference", css_class="col-md-6")),
    )
