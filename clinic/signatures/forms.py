"""The signer's password in every signing form (21 CFR 11.200(a))."""

from __future__ import annotations

from typing import Any

from django import forms

from clinic.signatures.services import Reauthentication, reauthenticate

SIGNING_HELP = (
    "Your electronic signature is the legally binding equivalent of your handwritten signature: "
    "enter your own password again to sign."
)


class SignatureFormMixin(forms.Form):
    """Asks the signed-in signer for their password again and checks it in ``clean_password``: a wrong one is shown
    next to the field and reported (``clinic.signatures.signature_failed``). On success ``form.reauth`` is the
    proof the signing service requires; the password itself is not kept in ``cleaned_data``."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=SIGNING_HELP,
        error_messages={"required": "Enter your password to sign."},
    )

    def __init__(self, *args: Any, signer: Any = None, request: Any = None, signed_record: Any = None,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.signer, self.request, self.signed_record = signer, request, signed_record
        self.reauth: Reauthentication | None = None

    def clean_password(self) -> str:
        if self.signer is None:
            raise forms.ValidationError("Sign in to sign.")
        self.reauth = reauthenticate(
            user=self.signer, password=self.cleaned_data["password"], request=self.request, record=self.signed_record
        )
        return ""
