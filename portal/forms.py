"""The kiosk's forms (issue #19): the hand-over (which tablet), one question at a time, and a staff password to
unlock or leave. Each owns its validation; errors show next to the field."""

from __future__ import annotations

from typing import Any

from django import forms

from clinic.forms import CrispyFormMixin
from patients.scoring import Item


class HandOverForm(CrispyFormMixin, forms.Form):
    device = forms.CharField(
        label="Tablet",
        max_length=60,
        initial="Tablet 1",
        help_text="The tablet's name as staff call it; it is recorded with each answer.",
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )


class QuestionForm(forms.Form):
    """One question: a choice among its answers (large buttons), or a whole number in its range. Unscored questions
    may be skipped; a scored one must be answered."""

    def __init__(self, *args: Any, item: Item, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item = item
        required = "Choose an answer to go on." if item.scored else ""
        if item.is_choice:
            self.fields["answer"] = forms.TypedChoiceField(
                label=item.text,
                choices=[(str(o.points), o.label) for o in item.options],
                coerce=int,
                empty_value=None,
                required=item.scored,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                error_messages={"required": required},
            )
        else:
            numbers = f"Enter a whole number from {item.low} to {item.high}."
            self.fields["answer"] = forms.IntegerField(
                label=item.text,
                required=item.scored,
                min_value=item.low,
                max_value=item.high,
                widget=forms.NumberInput(
                    attrs={
                        "inputmode": "numeric",
                        "min": item.low,
                        "max": item.high,
                        "class": "form-control form-control-lg",
                    }
                ),
                error_messages={"required": numbers, "min_value": numbers, "max_value": numbers, "invalid": numbers},
            )


class StaffPasswordForm(forms.Form):
    """The password of the staff member who handed the tablet over (checked like a sign-in, locked out the same)."""

    password = forms.CharField(
        label="Staff password",
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control form-control-lg", "autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, check: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.check = check

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if self.check is not None and not self.check(password):
            raise forms.ValidationError("That is not the password of the staff member who handed the tablet over.")
        return password
