from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from clinic.accounts import screen_lock
from clinic.forms import CrispyFormMixin


class LoginForm(AuthenticationForm):
    """The sign-in form, laid out by crispy; the template owns <form>, csrf and the button."""

    error_messages = {
        **AuthenticationForm.error_messages,
        # Usernames are case-insensitive here (accounts.User), so Django's default wording would mislead.
        "invalid_login": "That username and password do not match an active account. "
        "Check the password's capital letters (Caps Lock).",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


def _pin_widget(**attrs: Any) -> forms.PasswordInput:
    """A PIN box: the number pad on a tablet, masked, and never offered to a password manager as the password."""
    return forms.PasswordInput(
        attrs={"inputmode": "numeric", "pattern": "[0-9]*", "maxlength": screen_lock.PIN_MAX_DIGITS, **attrs}
    )


class UnlockForm(CrispyFormMixin, forms.Form):
    """The PIN typed at the lock page (checked by ``screen_lock.unlock``, which counts the wrong ones)."""

    pin = forms.CharField(
        label="PIN",
        max_length=screen_lock.PIN_MAX_DIGITS,
        strip=True,
        widget=_pin_widget(autocomplete="off", autofocus=True),
    )


class PinForm(CrispyFormMixin, forms.Form):
    """Set or change the screen-lock PIN; the account's password proves it is its owner at the screen."""

    pin = forms.CharField(
        label="New PIN",
        max_length=screen_lock.PIN_MAX_DIGITS,
        help_text=f"{screen_lock.PIN_MIN_DIGITS} to {screen_lock.PIN_MAX_DIGITS} digits; not one digit repeated or "
        "digits in a row (1234). Only you use it, only to unlock your own screen.",
        widget=_pin_widget(autocomplete="new-password"),
    )
    pin_again = forms.CharField(
        label="New PIN again", max_length=screen_lock.PIN_MAX_DIGITS, widget=_pin_widget(autocomplete="new-password")
    )
    password = forms.CharField(
        label="Your password",
        help_text="The password you sign in with.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_pin(self) -> str:
        pin = self.cleaned_data["pin"]
        try:
            screen_lock.validate_pin(pin)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return pin

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("pin") and cleaned.get("pin_again") and cleaned["pin"] != cleaned["pin_again"]:
            self.add_error("pin_again", "The two PINs differ. Type the same PIN twice.")
        return cleaned
