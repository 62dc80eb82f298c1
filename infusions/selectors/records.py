"""The electronic copy of one patient's whole record, with its audit trail (21 CFR 11.10(b); security.md K2).

Every row of the patients and infusions apps that belongs to the patient (directly, or through one of the patient's
sessions or courses) — voided rows included, since the record is everything that was written — each with every
column; the change history of those rows (django-pghistory events), the electronic signatures over them, and the
access log of the patient. Found from the models' foreign keys, so a new clinical model is in the copy without
touching this module. One query per model: an export, not a page.
"""

from __future__ import annotations

from typing import Any

import pghistory.models
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import ForeignKey, Model, Q

from clinic.audit.models import PatientAccessEvent
from clinic.canonical import canonical_value
from clinic.signatures.models import ElectronicSignature
from patients.models import Patient

SCHEMA = "clinic.patient-record/2"  # 2: side effects are keyed side_effects.sideeffect (issue #15)
SIGNATURE_FIELDS = (
    "content_type__app_label",
    "content_type__model",
    "object_id",
    "signer_username",
    "printed_name",
    "signed_at",
    "meaning",
    "statement",
    "content_schema",
    "content_sha256",
)


def patient_path(model: type[Model]) -> str | None:
    """The lookup from ``model`` to its patient's key: ``pk``, ``patient`` or ``session__patient``; None if none."""
    if model is Patient:
        return "pk"
    keys = [f for f in model._meta.concrete_fields if isinstance(f, ForeignKey)]
    for field in keys:
        if field.related_model is Patient:
            return field.name
    for field in keys:
        related = field.related_model
        if not isinstance(related, type):  # "self": a row pointing at its own kind
            continue
        for inner in related._meta.concrete_fields:
            if isinstance(inner, ForeignKey) and inner.related_model is Patient:
                return f"{field.name}__{inner.name}"
    return None


def record_models() -> list[tuple[type[Model], str]]:
    """(model, lookup to the patient) of every clinical model of the record, by label."""
    found = []
    for app_config in apps.get_app_configs():
        if not getattr(app_config, "patient_record", False):  # each app that keeps part of the record says so
            continue
        for model in app_config.get_models():
            if issubclass(model, pghistory.models.Event):
                continue
            path = patient_path(model)
            if path is not None:
                found.append((model, path))
    return sorted(found, key=lambda pair: pair[0]._meta.label_lower)


def _plain(value: Any) -> Any:
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    return canonical_value(value)


def _rows(queryset: Any, *fields: str) -> list[dict[str, Any]]:
    return [{key: _plain(value) for key, value in row.items()} for row in queryset.values(*fields)]


def patient_electronic_copy(patient: Patient) -> dict[str, Any]:
    """The whole record of ``patient`` and its audit trail as plain JSON values."""
    records: dict[str, list[dict[str, Any]]] = {}
    ids: dict[type[Model], list[int]] = {}
    for model, path in record_models():
        rows = _rows(model._base_manager.filter(**{path: patient.pk}).order_by("pk"))
        if rows:
            records[model._meta.label_lower] = rows
            ids[model] = [row[model._meta.pk.attname] for row in rows]
    history: dict[str, list[dict[str, Any]]] = {}
    for event_model in apps.get_models():
        tracked = getattr(event_model, "pgh_tracked_model", None)
        if issubclass(event_model, pghistory.models.Event) and tracked in ids:
            # pgh_obj is declared by each concrete event model, not by the Event base the type checker sees.
            events = event_model.objects.filter(**{"pgh_obj_id__in": ids[tracked]}).order_by("pgh_id")
            if rows := _rows(events):
                history[tracked._meta.label_lower] = rows
    signed = Q(pk__in=[])
    for model, keys in ids.items():
        signed |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=keys)
    signatures = ElectronicSignature.objects.filter(signed).order_by("signed_at", "pk")
    accesses = PatientAccessEvent.objects.filter(patient=patient).select_related("user").order_by("occurred_at", "pk")
    return {
        "schema": SCHEMA,
        "patient_id": patient.pk,
        "records": records,
        "change_history": history,
        "signatures": _rows(signatures, *SIGNATURE_FIELDS),
        "access_log": [
            {
                "at_utc": _plain(event.occurred_at),
                "user": event.user.get_username(),
                "category": event.category,
                "action": event.action,
                "path": event.path,
            }
            for event in accesses
        ],
    }
