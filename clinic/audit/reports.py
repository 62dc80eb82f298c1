"""The audit reports for admins: filters, allow-listed sorting and CSV rows of the change history, the patient access
log and the authentication events (security.md C5, F5; ONC 170.315(d)(2)-(3); HIPAA 164.308(a)(1)(ii)(D)).

Filters are posted and kept in the session (a patient's MRN never appears in a URL: STYLE.md 3); sort keys come
only from each report's ``sorts`` allow-list, anything else falls back to the default and never reaches
``order_by``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import pghistory.models
from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Model, QuerySet
from django.utils import timezone

from clinic.audit.history import CHANGE_ACTIONS, event_patient_ids
from clinic.audit.models import AccessAction, AuthEvent, AuthEventKind, PatientAccessEvent
from clinic.dates import local_day_bounds

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


def staff_choices() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=get_user_model().objects.order_by("username"), required=False, empty_label="Anyone", label="User"
    )


def tracked_model_choices() -> list[tuple[str, str]]:
    """(label, verbose name) of every model whose changes are recorded."""
    # pghistory declares ``pgh_tracked_model = None`` on its base class; each event model sets it.
    tracked_models: list[type[Model] | None] = [
        getattr(model, "pgh_tracked_model", None)
        for model in apps.get_models()
        if issubclass(model, pghistory.models.Event) and model._meta.managed
    ]
    tracked = {
        model._meta.label: str(model._meta.verbose_name).capitalize() for model in tracked_models if model is not None
    }
    return sorted(tracked.items(), key=lambda item: item[1])


class PeriodForm(forms.Form):
    """From and to dates (inclusive, the clinic's local days)."""

    date_from = forms.DateField(required=False, label="From", widget=DATE_WIDGET)
    date_to = forms.DateField(required=False, label="To", widget=DATE_WIDGET)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", "The 'To' date is before the 'From' date: swap them.")
        return cleaned

    def period(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        first, last = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        start = local_day_bounds(first, first)[0] if first else None
        end = local_day_bounds(last, last)[1] if last else None
        return start, end


class ChangeHistoryFilterForm(PeriodForm):
    model = forms.ChoiceField(required=False, label="Record type")
    object_id = forms.IntegerField(required=False, min_value=1, label="Record id")
    action = forms.ChoiceField(
        required=False,
        choices=[("", "Any action"), *CHANGE_ACTIONS.items()],
    )
    user = staff_choices()
    field_order = ["model", "object_id", "action", "user", "date_from", "date_to"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["model"]).choices = [("", "Every record type"), *tracked_model_choices()]


class AccessLogFilterForm(PeriodForm):
    user = staff_choices()
    mrn = forms.CharField(required=False, max_length=20, label="Patient MRN")
    category = forms.CharField(required=False, max_length=40, label="Part of the record")
    action = forms.ChoiceField(required=False, choices=[("", "Any action"), *AccessAction.choices])
    field_order = ["user", "mrn", "category", "action", "date_from", "date_to"]

    def clean_mrn(self) -> str:
        return self.cleaned_data["mrn"].strip().upper()


class AuthEventFilterForm(PeriodForm):
    kind = forms.ChoiceField(required=False, choices=[("", "Any event"), *AuthEventKind.choices], label="Event")
    user = staff_choices()
    username = forms.CharField(required=False, max_length=150, label="Username typed")
    field_order = ["kind", "user", "username", "date_from", "date_to"]


@dataclass(frozen=True)
class Report:
    """One audit report: its filter form, sort allow-list, queryset and CSV layout."""

    key: str
    title: str
    form_class: type[PeriodForm]
    sorts: dict[str, tuple[str, ...]]
    default_sort: str
    csv_columns: Sequence[str]
    default_days: int | None = None  # the period shown until the admin sets filters: the last N local days

    def default_filters(self) -> dict[str, str] | None:
        """The filter data a first visit starts from (the date fields prefilled, still editable), or None."""
        if not self.default_days:
            return None
        today = timezone.localdate()
        return {
            "date_from": (today - dt.timedelta(days=self.default_days - 1)).isoformat(),
            "date_to": today.isoformat(),
        }

    def ordering(self, requested: str | None) -> tuple[str, tuple[str, ...]]:
        """The sort key used and its ``order_by`` fields: the requested key only if it is in the allow-list."""
        key = requested if requested in self.sorts else self.default_sort
        return key, self.sorts[key]

    def queryset(self, form: PeriodForm) -> QuerySet:
        raise NotImplementedError

    @staticmethod
    def in_period(rows: QuerySet, form: PeriodForm, data: dict[str, Any], field: str = "occurred_at") -> QuerySet:
        """``rows`` whose ``field`` falls in the form's period (each end optional; no filter without valid data)."""
        start, end = form.period() if data else (None, None)
        if start:
            rows = rows.filter(**{f"{field}__gte": start})
        if end:
            rows = rows.filter(**{f"{field}__lt": end})
        return rows

    def csv_rows(self, rows: Iterable[Any]) -> Iterable[Sequence[Any]]:
        raise NotImplementedError


def _utc(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).isoformat() if value else ""


def _local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


class ChangeHistoryReport(Report):
    def queryset(self, form: PeriodForm) -> QuerySet:
        data = form.cleaned_data if form.is_bound and form.is_valid() else {}
        events = pghistory.models.MiddlewareEvents.objects.all()
        if data.get("model"):
            # Only that model's event table goes into the query (pghistory builds one SELECT per table).
            event_models = [
                m
                for m in apps.get_models()
                if issubclass(m, pghistory.models.Event)
                and m._meta.managed
                and m.pgh_tracked_model
                and m.pgh_tracked_model._meta.label == data["model"]
            ]
            events = events.across(*event_models)
        if data.get("object_id"):
            events = events.filter(pgh_obj_id=str(data["object_id"]))
        if data.get("action"):
            events = events.filter(pgh_label=data["action"])
        if data.get("user"):
            events = events.filter(user=data["user"].pk)
        return self.in_period(events, form, data, field="pgh_created_at")

    def csv_rows(self, rows: Iterable[Any]) -> Iterable[Sequence[Any]]:
        for event in rows:
            context = event.pgh_context or {}
            yield (
                _utc(event.pgh_created_at),
                event.pgh_obj_model,
                event.pgh_obj_id,
                event.pgh_label,
                context.get("user") or "",
                context.get("ip") or "",
                context.get("url") or context.get("command") or "",
                event.pgh_diff or "",
                event.pgh_data,
            )


class AccessLogReport(Report):
    def queryset(self, form: PeriodForm) -> QuerySet:
        data = form.cleaned_data if form.is_bound and form.is_valid() else {}
        rows = PatientAccessEvent.objects.select_related("user", "patient")
        if data.get("user"):
            rows = rows.filter(user=data["user"])
        if data.get("mrn"):
            rows = rows.filter(patient__mrn=data["mrn"])
        if data.get("category"):
            rows = rows.filter(category=data["category"])
        if data.get("action"):
            rows = rows.filter(action=data["action"])
        return self.in_period(rows, form, data)

    def csv_rows(self, rows: Iterable[Any]) -> Iterable[Sequence[Any]]:
        for row in rows:
            yield (
                _utc(row.occurred_at),
                row.user.username,
                row.patient.mrn,
                row.category,
                row.action,
                row.path,
                row.ip_address or "",
            )


class AuthEventReport(Report):
    def queryset(self, form: PeriodForm) -> QuerySet:
        data = form.cleaned_data if form.is_bound and form.is_valid() else {}
        rows = AuthEvent.objects.select_related("user")
        if data.get("kind"):
            rows = rows.filter(kind=data["kind"])
        if data.get("user"):
            rows = rows.filter(user=data["user"])
        if data.get("username"):
            rows = rows.filter(username__iexact=data["username"].strip())
        return self.in_period(rows, form, data)

    def csv_rows(self, rows: Iterable[Any]) -> Iterable[Sequence[Any]]:
        for row in rows:
            yield (
                _utc(row.occurred_at),
                row.kind,
                row.user.username if row.user else "",
                row.username,
                row.ip_address or "",
                row.path,
                row.route,
                row.target_patient_id or "",
                row.detail,
            )


CHANGE_HISTORY = ChangeHistoryReport(
    key="change_history",
    title="Change history",
    form_class=ChangeHistoryFilterForm,
    sorts={
        "time": ("pgh_created_at", "pgh_slug"),
        "-time": ("-pgh_created_at", "-pgh_slug"),
        "model": ("pgh_obj_model", "-pgh_created_at"),
        "-model": ("-pgh_obj_model", "-pgh_created_at"),
        "action": ("pgh_label", "-pgh_created_at"),
        "-action": ("-pgh_label", "-pgh_created_at"),
    },
    default_sort="-time",
    csv_columns=["time_utc", "record_type", "record_id", "action", "user_id", "ip", "page", "changes", "data"],
    default_days=7,  # the whole trail is one filter away; a first look needs the recent week (issue #17)
)
ACCESS_LOG = AccessLogReport(
    key="access_log",
    title="Patient access log",
    form_class=AccessLogFilterForm,
    sorts={
        "time": ("occurred_at", "id"),
        "-time": ("-occurred_at", "-id"),
        "user": ("user__username", "-occurred_at", "-id"),
        "-user": ("-user__username", "-occurred_at", "-id"),
        "mrn": ("patient__mrn", "-occurred_at", "-id"),
        "-mrn": ("-patient__mrn", "-occurred_at", "-id"),
        "action": ("action", "-occurred_at", "-id"),
        "-action": ("-action", "-occurred_at", "-id"),
    },
    default_sort="-time",
    csv_columns=["time_utc", "user", "patient_mrn", "part_of_record", "action", "page", "ip"],
)
AUTH_EVENTS = AuthEventReport(
    key="auth_events",
    title="Sign-ins and refusals",
    form_class=AuthEventFilterForm,
    sorts={
        "time": ("occurred_at", "id"),
        "-time": ("-occurred_at", "-id"),
        "kind": ("kind", "-occurred_at", "-id"),
        "-kind": ("-kind", "-occurred_at", "-id"),
        "username": ("username", "-occurred_at", "-id"),
        "-username": ("-username", "-occurred_at", "-id"),
    },
    default_sort="-time",
    csv_columns=["time_utc", "event", "user", "username", "ip", "path", "route", "patient_id", "detail"],
)
REPORTS = {report.key: report for report in (CHANGE_HISTORY, ACCESS_LOG, AUTH_EVENTS)}


def patient_ids_in_events(events: Iterable[Any]) -> set[int]:
    """Patients whose data the change-history rows show: the patient's own rows, rows naming a patient and rows of
    a patient's session, course or screening (``clinic.audit.history.event_patient_ids``)."""
    return set(event_patient_ids(events).values())


def session_filters(form: forms.Form) -> dict[str, Any]:
    """The form's cleaned values, as the session can store them (ids and ISO dates)."""
    stored: dict[str, Any] = {}
    for name, value in form.cleaned_data.items():
        if value in (None, ""):
            continue
        if hasattr(value, "pk"):
            value = value.pk
        elif isinstance(value, dt.date):
            value = value.isoformat()
        stored[name] = value
    return stored
