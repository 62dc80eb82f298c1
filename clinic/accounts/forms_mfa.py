"""Forms of the second sign-in step and of enrolment: they own the code's validation and its messages."""

from __future__ import annotations

from typing import Any

from django import forms

from clinic.accounts import mfa
from clinic.forms import CrispyFormMixin


class CodeForm(CrispyFormMixin, forms.Form):
    """A six-digit code from the authenticator app (the number pad on a phone or tablet), or, on request, one of the
    recovery codes (letters and digits, so the full keyboard). Either is accepted in either box (``mfa.verify``
    tells them apart); the box only changes the keyboard and what it says."""

    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The six-digit code your authenticator app shows now.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "autocapitalize": "none"}
        ),
    )

    def __init__(self, *args: Any, user: Any, recovery: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.verification: mfa.Verification | None = None
        if recovery:
            field = self.fields["code"]
            field.label = "Recovery code"
            field.help_text = (
                "One of the ten recovery codes you kept when you set up two-step sign-in; each works once."
            )
            field.widget.attrs.update({"autocomplete": "off", "inputmode": "text", "spellcheck": "false"})

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        self.verification = mfa.verify(user=self.user, code=code)
        if self.verification.throttled_seconds:
            raise forms.ValidationError(
                "Too many wrong codes. Wait %(seconds)s seconds, then type the code your app shows at that moment.",
                params={"seconds": self.verification.throttled_seconds},
            )
        if not self.verification.ok:
            raise forms.ValidationError(
                "That code was not accepted. Codes change every 30 seconds and each works once: type the one your "
                "app shows now, or a recovery code you have not used."
            )
        return code


class EnrolForm(CrispyFormMixin, forms.Form):
    """The first code from a newly added authenticator, proving it was set up correctly."""

    code = forms.CharField(
        label="Code from the app",
        max_length=10,
        help_text="After adding the account to the app, type the six-digit code it shows.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = None
        self.recovery_codes: list[str] = []

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        self.device, self.recovery_codes = mfa.enrol_confirm(user=self.user, token=code)
        if self.device is None:
            raise forms.ValidationError(
                "That code does not match. Check the app added the key above, that the phone's clock is right, "
                "and type the code it shows now."
            )
        return code
