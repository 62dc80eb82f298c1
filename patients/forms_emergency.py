"""Forms of restricted records and emergency access (security.md D1, D2)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from clinic.forms import CrispyFormMixin
from clinic.signatures.services import Reauthentication, reauthenticate
from patients.models import CareTeamMember, EmergencyReason, ReviewOutcome
from patients.services_emergency import MIN_REASON_LENGTH, NOTE_NEEDED, REASON_TOO_SHORT, RESTRICT_REASON_NEEDED


def staff_who_read_records() -> Any:
    """Active accounts whose role or own permissions let them read patient records (a bounded list: the staff)."""
    readers = Q(groups__permissions__codename="view_patient", groups__permissions__content_type__app_label="patients")
    readers |= Q(user_permissions__codename="view_patient", user_permissions__content_type__app_label="patients")
    return get_user_model().objects.filter(readers, is_active=True).distinct().order_by("last_name", "first_name")


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class PatientRestrictionForm(CrispyFormMixin, forms.Form):
    """Restrict a record (or lift the restriction) and name its care team."""

    restricted = forms.BooleanField(
        label="Restricted record",
        required=False,
        help_text="Only the care team below can find and open it; others need emergency access, which is reviewed.",
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the record is restricted (member of staff, public figure, patient's request...).",
    )
    care_team = StaffChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Staff who keep full access. You stay on the care team of a record you restrict.",
    )

    def __init__(self, *args: Any, patient: Any = None, **kwargs: Any) -> None:
        if patient is not None:
            current = list(CareTeamMember.objects.current().filter(patient=patient).values_list("user_id", flat=True))
            state = {"restricted": patient.is_restricted, "reason": patient.restricted_reason, "care_team": current}
            kwargs["initial"] = {**state, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["care_team"]).queryset = staff_who_read_records()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("restricted") and not (data.get("reason") or "").strip():
            self.add_error("reason", RESTRICT_REASON_NEEDED)
        return data


class EmergencyAccessForm(CrispyFormMixin, forms.Form):
    """Why the glass is broken, and the user's password again."""

    reason_code = forms.ChoiceField(
        label="Reason", choices=[("", "Choose the reason"), *EmergencyReason.choices], required=True
    )
    reason = forms.CharField(
        label="Explain the emergency",
        min_length=MIN_REASON_LENGTH,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who needs what, and why it cannot wait for the care team. This is reviewed.",
        error_messages={"min_length": REASON_TOO_SHORT, "required": REASON_TOO_SHORT},
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Enter your own password again to confirm it is you.",
        error_messages={"required": "Enter your password to open a restricted record."},
    )

    def __init__(self, *args: Any, user: Any = None, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.request = user, request
        self.reauth: Reauthentication | None = None

    def clean_password(self) -> str:
        self.reauth = reauthenticate(user=self.user, password=self.cleaned_data["password"], request=self.request)
        return ""


class EmergencyReviewForm(CrispyFormMixin, forms.Form):
    """The reviewer's conclusion about one emergency access."""

    outcome = forms.ChoiceField(
        label="Conclusion",
        choices=[(o.value, o.label) for o in (ReviewOutcome.APPROPRIATE, ReviewOutcome.INAPPROPRIATE)],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when inappropriate: what was wrong and what was done about it.",
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("outcome") == ReviewOutcome.INAPPROPRIATE and not (data.get("note") or "").strip():
            self.add_error("note", NOTE_NEEDED)
        return data
