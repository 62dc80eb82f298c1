from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from django.contrib.auth.forms import AuthenticationForm


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
