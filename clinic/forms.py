"""Form pieces shared by the apps."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Field, Model
from django.forms.fields import BaseTemporalField
from django.http import QueryDict
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime

from clinic.canonical import canonical_value, sha256_hex
from clinic.concurrency import RecordChanged, VersionCheck, field_values, read_payload, version_payload
from clinic.dates import NonexistentLocalTime, wall_clock_instant
from clinic.services import SECOND_PERSON_WRONG


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


class WallClockDateTimeField(forms.DateTimeField):
    """A date and time typed as the clinic's clocks show it, to the minute.

    Django refuses the times that happen twice when the clocks go back and those skipped when they go forward;
    here the repeated hour reads as the moment just past and only the skipped hour is refused, with the reason
    (``clinic.dates.wall_clock_instant``), so the chart can be kept through the night the clocks change.
    """

    widget = DateTimeInput
    default_error_messages = {"invalid": "Enter a date and time, for example 2026-03-14 09:30."}

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        moment = value if isinstance(value, dt.datetime) else self._parse(value)
        if timezone.is_aware(moment):  # given with its UTC offset: that moment exactly
            return moment
        try:
            return wall_clock_instant(moment, zone=timezone.get_current_timezone(), now=timezone.now())
        except NonexistentLocalTime as exc:
            raise ValidationError(str(exc), code="nonexistent_time") from exc

    def _parse(self, value: Any) -> dt.datetime:
        if isinstance(value, dt.date):
            return dt.datetime.combine(value, dt.time.min)
        try:
            parsed = parse_datetime(str(value).strip())
        except ValueError:
            parsed = None
        if parsed is None:
            parsed = BaseTemporalField.to_python(self, value)  # the site's other input formats, or "invalid"
        if parsed is None:  # not reached: only an empty value parses to None, and to_python() returned before
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


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
    if isinstance(exc, RecordChanged) and isinstance(form, ConcurrencyFormMixin):
        form.show_conflict(exc)
    elif hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            field = field_for(key) if field_for(key) in form.fields else key
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


EMPTY = "—"


@dataclass(frozen=True)
class FieldVersions:
    """One field of an edit conflict: what this user sent and what is saved now; when the form carried the values
    it was opened with, also who changed the field (``None``: not known)."""

    name: str
    label: str
    yours: str
    saved: str
    differs: bool
    changed_by_them: bool | None = None
    changed_by_you: bool | None = None


@dataclass(frozen=True)
class EditConflict:
    """Both versions of a record, field by field, for ``templates/includes/_edit_conflict.html``."""

    rows: list[FieldVersions]
    changed_by: Any
    changed_at: Any
    message: str

    @property
    def differing(self) -> list[FieldVersions]:
        return [row for row in self.rows if row.differs]

    @property
    def same(self) -> list[FieldVersions]:
        return [row for row in self.rows if not row.differs]


if TYPE_CHECKING:
    _ModelFormBase = forms.ModelForm
else:
    _ModelFormBase = object


class ConcurrencyFormMixin(_ModelFormBase):
    """An edit form that refuses to overwrite a newer version of its record (``clinic.concurrency``; security.md H7).

    The form carries a hidden version token of ``record`` (a ModelForm's ``instance`` by default, or the record
    passed as ``record=``) over ``concurrency_fields`` (by default the ModelForm's model fields). The view passes
    ``form.version_check()`` to the service, which compares it under a row lock; ``add_service_errors`` turns the
    service's ``RecordChanged`` into ``form.conflict``, shown by ``includes/_edit_conflict.html``.
    """

    VERSION_FIELD = "record_version"
    #: Model field names this form edits; ``None``: the ModelForm's ``Meta.fields`` present on the form.
    concurrency_fields: tuple[str, ...] | None = None

    def __init__(self, *args: Any, record: Model | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.versioned = record if record is not None else getattr(self, "instance", None)
        self.conflict: EditConflict | None = None
        self.version_token = ""  # bandit B105: an empty version token, not a password  # nosec
        self.original_values: dict[str, Any] | None = None  # as the form was opened, from its signed payload
        self.fields[self.VERSION_FIELD] = forms.CharField(widget=forms.HiddenInput, required=False)
        if hasattr(self, "helper"):
            self.helper.render_hidden_fields = True  # the token is in no layout

    def get_initial_for_field(self, field: forms.Field, field_name: str) -> Any:
        """The token is computed when the form is rendered, once subclasses have added or removed their fields."""
        if field_name == self.VERSION_FIELD:
            if self.versioned is None or self.versioned.pk is None:
                return ""
            return version_payload(field_values(self.versioned, self.version_fields()))
        return super().get_initial_for_field(field, field_name)

    def version_fields(self) -> tuple[str, ...]:
        if self.concurrency_fields is not None:
            return self.concurrency_fields
        model_fields = {field.name for field in self._meta.model._meta.concrete_fields}
        return tuple(name for name in self._meta.fields or () if name in self.fields and name in model_fields)

    def clean(self) -> dict[str, Any]:
        """Take the token out of ``cleaned_data``: views pass cleaned data on to services as record fields."""
        super().clean()
        cleaned = self.cleaned_data
        payload = cleaned.pop(self.VERSION_FIELD, "") or ""
        self.original_values = read_payload(payload) if payload else None
        # A missing or altered payload has no version: the service then treats the form as stale.
        self.version_token = sha256_hex(self.original_values) if self.original_values is not None else ""
        return cleaned

    def version_check(self) -> VersionCheck | None:
        """What the service compares under its row lock; ``None`` for a new record (nothing to overwrite)."""
        if self.versioned is None or self.versioned.pk is None:
            return None
        return VersionCheck(fields=self.version_fields(), token=self.version_token)

    def show_conflict(self, exc: RecordChanged) -> None:
        """Keep the user's entries, show both versions and carry the saved version's token, so that saving again
        replaces the other person's change knowingly."""
        rows = []
        model = type(cast(Model, self.versioned))  # a conflict is only raised on saving a record that exists
        for name in self.version_fields():
            field = self.fields[name]
            yours = display_value(field, self.cleaned_data.get(name))
            saved = display_value(field, exc.saved.get(name))
            # Compared as shown: a time saved with seconds and the same time typed to the minute are the same entry.
            label = str(field.label or name.replace("_", " ").capitalize())
            row = FieldVersions(name=name, label=label, yours=yours, saved=saved, differs=yours != saved)
            if self.original_values is not None and name in self.original_values:
                model_field = cast("Field[Any, Any]", model._meta.get_field(name))
                opened = display_value(field, model_field.to_python(self.original_values[name]))
                row = dataclasses.replace(row, changed_by_them=opened != saved, changed_by_you=opened != yours)
            rows.append(row)
        self.conflict = EditConflict(rows=rows, changed_by=exc.changed_by, changed_at=exc.changed_at,
                                     message=str(exc.message))  # fmt: skip
        data = cast(QueryDict, self.data).copy()  # a conflict is only raised on a bound form
        data[self.add_prefix(self.VERSION_FIELD)] = version_payload(exc.saved)
        self.data = data


def _choice_labels(field: forms.Field) -> dict[str, str]:
    labels: dict[str, str] = {}
    coerce = getattr(field, "coerce", None)
    for key, label in getattr(field, "choices", []):
        group = label if isinstance(label, list | tuple) else [(key, label)]
        for sub_key, sub_label in group:
            labels[str(sub_key)] = str(sub_label)
            if coerce is not None and sub_key not in ("", None):
                labels[str(coerce(sub_key))] = str(sub_label)
    return labels


def display_value(field: forms.Field, value: Any) -> str:
    """``value`` (as typed, or as stored) in words a nurse reads: choice labels, dates, Yes/No, "—" for empty."""
    if value in (None, "", [], ()):
        return EMPTY
    if isinstance(field, forms.ModelChoiceField):
        if not isinstance(value, Model) and field.queryset is not None:
            value = field.queryset.model._default_manager.filter(pk=value).first() or value
        return str(value)
    labels = _choice_labels(field)
    if isinstance(value, list | tuple):
        return ", ".join(labels.get(str(item), str(item)) for item in value) or EMPTY
    if labels:
        return labels.get(str(value), str(value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "j M Y H:i")
    if isinstance(value, dt.date):
        return formats.date_format(value, "j M Y")
    return str(canonical_value(value))


def query_id(value: str | None) -> int | None:
    """A record id from the query string (``?receipt=12``), or None for anything else.

    Parsed by a form field, never by ``int()`` on ``str.isdigit()``: ``"²".isdigit()`` is true and ``int("²")``
    raises (security.md C5; found by tests/security/test_deny_paths.py).
    """
    try:
        return forms.IntegerField(min_value=1, max_value=2**31 - 1).clean(value)
    except ValidationError:
        return None


class SecondPersonMixin(forms.Form):
    """Another member of staff confirms at the screen with their own username and password: a witness to a ketamine
    waste, the two witnesses of a destruction, the second check of a dose. One pair of fields per entry of
    ``second_persons`` (field prefix, label), e.g. ``witness_username`` and ``witness_password``.

    The form only finds the login that was named. The password is verified once, by ``clinic.services.
    second_person_check``, in the service that records the action (``second_person_kwargs()`` hands it the person and
    the password; the dose second check's service takes them as ``second_checker`` and ``second_checker_password``).
    """

    second_persons: tuple[tuple[str, str], ...] = (("witness", "Witness"),)

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
        super().clean()
        cleaned = self.cleaned_data
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
            self.second_people[prefix] = person
        return cleaned

    def second_person_kwargs(self) -> dict[str, Any]:
        """The service's arguments: each person named and the password they typed (verified by the service)."""
        kwargs: dict[str, Any] = {}
        for prefix, _ in self.second_persons:
            kwargs[prefix] = self.second_people.get(prefix)
            kwargs[f"{prefix}_password"] = self.cleaned_data.get(f"{prefix}_password")
        return kwargs


# A report's dates stay within these years, so the period arithmetic (a default start, the day after the end) can
# never leave Python's date range: ``?end=0001-01-01`` was a 500 (security.md C5; tests/security/test_deny_paths.py).
REPORT_DATE_VALIDATORS = [MinValueValidator(dt.date(2000, 1, 1)), MaxValueValidator(dt.date(2099, 12, 31))]


class PeriodForm(forms.Form):
    """A reporting period from the query string (dates are not identifying); by default the last ``default_days``."""

    start = forms.DateField(required=False, widget=DateInput(), validators=REPORT_DATE_VALIDATORS)
    end = forms.DateField(required=False, widget=DateInput(), validators=REPORT_DATE_VALIDATORS)

    def __init__(self, *args: Any, default_days: int = 90, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_days = default_days

    def period(self) -> tuple[Any, Any]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or self.default_start(end)
        return (start, end) if start <= end else (end, start)

    def default_start(self, end: dt.date) -> dt.date:
        return end - dt.timedelta(days=self.default_days)


class ConfirmForm(CrispyFormMixin, forms.Form):
    """A button with nothing to type (what it records comes from the record: start an infusion, give what the pump
    gave)."""
