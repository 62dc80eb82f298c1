"""Form pieces shared by the apps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from clinic.services import SECOND_PERSON_WRONG, second_person_check


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


class SecondPersonMixin(forms.Form):
    """Another member of staff confirms at the screen with their own username and password: a witness to a ketamine
    waste, the two witnesses of a destruction, the second check of a dose. One pair of fields per entry of
    ``second_persons`` (field prefix, label), e.g. ``witness_username`` and ``witness_password``.

    The form only finds the login that was named. The password is verified once, by ``clinic.services.
    second_person_check``: in the service that records the action (``second_person_kwargs()`` hands it the person and
    the password), or here in ``clean()`` when the form sets ``second_person_permission`` because its service takes
    the person alone (the dose second check, ``infusions.services.session_set_dose``).
    """

    second_persons: tuple[tuple[str, str], ...] = (("witness", "Witness"),)
    second_person_permission: str | None = None

    def __init__(self, *args: Any, request: Any = None, required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        for prefix, label in self.second_persons:
            self.fields[f"{prefix}_username"] = forms.CharField(
                label=f"{label}'s username", required=required, max_length=150
            )
            self.fields[f"{prefix}_password"] = forms.CharField(
                label=f"{label}'s password", required=required, widget=forms.PasswordInput
            )
        self.second_people: dict[str, Any] = {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        users = get_user_model()._default_manager
        for prefix, _ in self.second_persons:
            username, password = cleaned.get(f"{prefix}_username"), cleaned.get(f"{prefix}_password")
            if not (username or password):
                self.second_people[prefix] = None
                continue
            person = users.filter(username=username).first() if username else None
            if person is None:
                get_user_model()().set_password(password or "")  # as long as a real check: no hint a login exists
                self.add_error(f"{prefix}_password", SECOND_PERSON_WRONG)
                continue
            if self.second_person_permission:
                field = f"{prefix}_password"
                try:
                    second_person_check(by=self.request.user, person=person, password=password,
                                        permission=self.second_person_permission, field=field)  # fmt: skip
                except ValidationError as exc:
                    add_service_errors(self, exc)
                    continue
            self.second_people[prefix] = person
        return cleaned

    def second_person_kwargs(self) -> dict[str, Any]:
        """The service's arguments: each person named and the password they typed (verified by the service)."""
        kwargs: dict[str, Any] = {}
        for prefix, _ in self.second_persons:
            kwargs[prefix] = self.second_people.get(prefix)
            kwargs[f"{prefix}_password"] = self.cleaned_data.get(f"{prefix}_password")
        return kwargs
