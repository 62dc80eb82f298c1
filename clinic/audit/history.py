"""The change history in words staff read (issue #17): the patient each changed row belongs to, field labels instead of
column names, referenced rows by their names, and every time in the clinic's local time.

Everything is resolved in bulk for a page of events: one query per kind of referenced row (staff, patients, courses,
sessions...), never one per event, so the page's query count stays flat as it fills. Models are found by their label
(``apps.get_model``), so ``clinic`` still names no feature app (STYLE.md 1).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Field, ForeignKey, Model
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime

from clinic.audit.models import PatientAccessEvent

CHANGE_ACTIONS = {"insert": "Created", "update": "Changed", "delete": "Deleted"}
EMPTY = "(empty)"
# Columns every clinical row has and that say nothing about what was written (the event's own time and author are
# shown beside it): left out of a created row's values, still in the CSV export.
BOOKKEEPING = frozenset({"id", "created_at", "updated_at", "created_by_id", "updated_by_id"})


@dataclass(frozen=True)
class FieldValue:
    """One field of a change: its label and the value before and after, in words."""

    label: str
    before: str
    after: str


def patient_model() -> type[Model]:
    """The patient model, as the access log's key names it (``clinic`` does not name the app above it)."""
    return cast("type[Model]", PatientAccessEvent._meta.get_field("patient").related_model)


def tracked_model(label: str) -> type[Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def patient_key(model: type[Model]) -> tuple[str, ForeignKey | None] | None:
    """How an event's row data names its patient: ``("pk", None)`` for a patient's own row, ``(attname, None)`` for a
    row with a key to the patient, ``(attname, key)`` for a row whose ``key`` (e.g. its session) has one. None if the
    row belongs to no patient (staff, stock, settings)."""
    patient = patient_model()
    if model is patient:
        return "pk", None
    keys = [f for f in model._meta.concrete_fields if isinstance(f, ForeignKey)]
    for field in keys:
        if field.related_model is patient:
            return field.attname, None
    for field in keys:
        for inner in cast("type[Model]", field.related_model)._meta.concrete_fields:
            if isinstance(inner, ForeignKey) and inner.related_model is patient:
                return inner.attname, field
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def event_patient_ids(events: Iterable[Any]) -> dict[int, int]:
    """``{id(event): patient id}`` for the events whose row belongs to a patient: from the row itself, or through
    the row it points to (a vital sign's session), with one query per kind of row pointed through."""
    found: dict[int, int] = {}
    through: dict[ForeignKey, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for event in events:
        model = tracked_model(event.pgh_obj_model)
        key = patient_key(model) if model else None
        data = event.pgh_data if isinstance(event.pgh_data, dict) else {}
        if key is None:
            continue
        attname, via = key
        if via is None:
            value = _int(event.pgh_obj_id) if attname == "pk" else _int(data.get(attname))
            if value is not None:
                found[id(event)] = value
        elif (middle := _int(data.get(via.attname))) is not None:
            through[via][middle].append(event)
    for via, by_id in through.items():
        related = cast("type[Model]", via.related_model)
        attname = patient_key(related)[0]  # type: ignore[index]  # found above through this key
        rows = related._base_manager.filter(pk__in=by_id).values_list("pk", attname)
        for pk, patient_id in rows:
            for event in by_id[pk]:
                if patient_id is not None:
                    found[id(event)] = patient_id
    return found


def _fields(model: type[Model] | None) -> dict[str, Field]:
    return {f.attname: f for f in model._meta.concrete_fields} if model else {}


def _label(field: Field | None, column: str) -> str:
    return str(field.verbose_name).capitalize() if field is not None else column


def _display(related: Model) -> str:
    return getattr(related, "display_name", None) or str(related)


def _fetch_rows(wanted: dict[type[Model], set[int]]) -> dict[tuple[type[Model], int], Model]:
    """Each referenced row, one query per model (its own keys joined, so ``__str__`` reads nothing more)."""
    rows: dict[tuple[type[Model], int], Model] = {}
    for model, ids in wanted.items():
        joins = [f.name for f in model._meta.concrete_fields if isinstance(f, ForeignKey)]
        for row in model._base_manager.filter(pk__in=ids).select_related(*joins):
            rows[(model, row.pk)] = row
    return rows


def _local_time(value: Any) -> str:
    when = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(when, dt.datetime):
        return str(value)
    if timezone.is_naive(when):
        when = timezone.make_aware(when, dt.UTC)
    return formats.date_format(timezone.localtime(when), "j M Y H:i")


def _day(value: Any) -> str:
    day = parse_date(value) if isinstance(value, str) else value
    return formats.date_format(day, "j M Y") if isinstance(day, dt.date) else str(value)


def _words(field: Field | None, value: Any, names: dict[tuple[type[Model], int], str]) -> str:
    if value is None or value == "":
        return EMPTY
    if field is None:
        return str(value)
    if isinstance(field, ForeignKey):
        key = _int(value)
        return (
            names.get((cast("type[Model]", field.related_model), key), f"#{value}") if key is not None else str(value)
        )
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    internal = field.get_internal_type()
    if internal == "BooleanField":
        return "Yes" if value else "No"
    if internal == "DateTimeField":
        return _local_time(value)
    if internal == "DateField":
        return _day(value)
    return str(value)


def _references(event: Any, fields: dict[str, Field]) -> Iterable[tuple[type[Model], int]]:
    """(model, key) of every row the event's foreign keys point to: in the row's data and in each change."""
    data = event.pgh_data if isinstance(event.pgh_data, dict) else {}
    pairs = list(data.items())
    pairs += [(column, value) for column, change in (event.pgh_diff or {}).items() for value in change]
    for column, value in pairs:
        field = fields.get(column)
        if isinstance(field, ForeignKey) and (key := _int(value)) is not None:
            yield cast("type[Model]", field.related_model), key


def describe_events(events: list[Any]) -> None:
    """Set on each change-history event, for the page: ``actor``, ``record_type``, ``action`` (in words),
    ``patient_id`` and ``patient`` (the name of the patient the row belongs to, or ""), ``changes`` (for an update:
    each changed field's label, before and after) and ``values`` (for a created or deleted row: its fields)."""
    user_model = get_user_model()
    patients = patient_model()
    patient_ids = event_patient_ids(events)
    wanted: dict[type[Model], set[int]] = defaultdict(set)
    fields_of: dict[str, dict[str, Field]] = {}
    for event in events:
        fields = fields_of.setdefault(event.pgh_obj_model, _fields(tracked_model(event.pgh_obj_model)))
        for model, key in _references(event, fields):
            wanted[model].add(key)
        if (actor := (event.pgh_context or {}).get("user")) is not None:
            wanted[user_model].add(actor)
        if id(event) in patient_ids:
            wanted[patients].add(patient_ids[id(event)])
    rows = _fetch_rows(wanted)
    names = {key: _display(row) for key, row in rows.items()}
    for event in events:
        record_model = tracked_model(event.pgh_obj_model)
        fields = fields_of[event.pgh_obj_model]
        actor_key: Any = (user_model, (event.pgh_context or {}).get("user"))
        # The username, as the report's user filter lists them: who acted is named by the account.
        event.actor = cast(AbstractBaseUser, rows[actor_key]).get_username() if actor_key in rows else ""
        event.record_type = str(record_model._meta.verbose_name).capitalize() if record_model else event.pgh_obj_model
        event.action = CHANGE_ACTIONS.get(event.pgh_label, event.pgh_label)
        event.patient_id = patient_ids.get(id(event))
        patient = rows.get((patients, event.patient_id)) if event.patient_id else None
        event.patient = str(patient) if patient is not None else ""  # name and MRN, as on the access log
        event.changes = [
            FieldValue(
                _label(fields.get(column), column),
                _words(fields.get(column), before, names),
                _words(fields.get(column), after, names),
            )
            for column, (before, after) in (event.pgh_diff or {}).items()
        ]
        data = event.pgh_data if isinstance(event.pgh_data, dict) else {}
        event.values = (
            [
                FieldValue(_label(fields.get(column), column), "", _words(fields.get(column), value, names))
                for column, value in data.items()
                if column not in BOOKKEEPING and value not in (None, "")
            ]
            if event.pgh_label in ("insert", "delete")
            else []
        )
