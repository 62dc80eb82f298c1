"""Form pieces shared by the apps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError


class CrispyFormMixin:
    """A crispy helper without its own <form> tag: the template owns <form>, csrf and the buttons (STYLE.md 4)."""

    layout: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        if self.layout is not None:
            self.helper.layout = self.layout


class DateInput(forms.DateInput):
    """The browser's date picker; values travel as ISO dates."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """The browser's date and time picker, to the minute, in the clinic's time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class DecimalInput(forms.NumberInput):
    """A number field that opens the number pad on tablets (shared/reference/ui.md)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"inputmode": "decimal", "step": "any", **(attrs or {})})


class VoidForm(CrispyFormMixin, forms.Form):
    """Why a record is voided. The record stays, marked, with this reason."""

    reason = forms.CharField(
        label="Reason for voiding",
        min_length=5,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: entered for the wrong patient; duplicate entry.",
        error_messages={"min_length": "Give a reason for voiding this record (at least 5 characters)."},
    )


def add_service_errors(
    form: forms.BaseForm, exc: ValidationError, field_for: Callable[[str], str] = lambda key: key
) -> None:
    """Put a service's refusal next to the field it names, else at the top of the form (STYLE.md 3).

    ``field_for`` maps the service's key to the form's field name when they differ (questionnaire items)."""
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            field = field_for(key) if field_for(key) in form.fields else key
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def query_id(value: str | None) -> int | None:
    """A record id from the query string (``?receipt=12``), or None for anything else.

    Parsed by a form field, never by ``int()`` on ``str.isdigit()``: ``"²".isdigit()`` is true and ``int("²")``
    raises (security.md C5; found by tests/security/test_deny_paths.py).
    """
    try:
        return forms.IntegerField(min_value=1, max_value=2**31 - 1).clean(value)
    except ValidationError:
        return None
