"""Rows written at the first migration's schema, then read back after migrating to the last (test_migrations.py).

``populate()`` migrates an empty database to each project app's initial migration (the one that creates its
tables) and writes a small clinic through the *historical* models of that state (staff, patients with
measurements and consents, protocols, courses, sessions with vitals and medications), filling each required field
from its type. ``check()`` runs on the fully migrated database: every row is still there and every model of today's
code can load all of them. Run through ``manage.py shell -c``; each prints one JSON line.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.apps import apps as current_apps
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone

PROJECT_APPS = ["accounts", "audit", "clinic", "patients", "infusions"]
ROWS = 3
# Values the database's check constraints need (everything else is filled in from the field's type).
GIVEN: dict[str, dict[str, Any]] = {
    "patients.bodymeasurement": {"weight_kg": Decimal("72.5")},
    "infusions.protocol": {"usual_min": Decimal("0.1"), "default_dose": Decimal("0.5"),
                           "usual_max": Decimal("0.75"), "hard_max": Decimal("1"), "infusion_minutes": 40},
    "infusions.drugpreparation": {"vial_mg_ml": Decimal("50"), "final_mg_ml": Decimal("1")},
    "infusions.treatmentcourse": {"ordered_dose": Decimal("0.5"), "ordered_max": Decimal("0.75")},
    "infusions.vitalsign": {"systolic": 124, "diastolic": 78, "heart_rate": 72, "spo2": 98},
    "infusions.sessionmedication": {"drug_other": "", "dose": Decimal("4")},
}  # fmt: skip
MODELS = ["accounts.user", "patients.patient", "patients.bodymeasurement", "patients.consent", "infusions.protocol",
          "infusions.drugpreparation", "infusions.treatmentcourse", "infusions.infusionsession",
          "infusions.vitalsign", "infusions.sessionmedication"]  # fmt: skip


def first_targets(executor: MigrationExecutor) -> list[tuple[str, str]]:
    """For each project app, its last migration marked ``initial`` (the one that creates its tables)."""
    targets = []
    for app in PROJECT_APPS:
        names = sorted(name for (label, name) in executor.loader.disk_migrations if label == app)
        initial = [name for name in names if executor.loader.disk_migrations[(app, name)].initial]
        targets.append((app, initial[-1]))
    return targets


def value_for(field: models.Field, n: int, made: dict[str, list]) -> Any:
    if field.is_relation:
        return made[field.related_model._meta.label_lower][n % len(made[field.related_model._meta.label_lower])]
    if field.choices:
        return field.choices[0][0]
    now = timezone.now()
    by_type = {
        "CharField": f"{field.name[:10]}{n}", "TextField": f"{field.name} {n}", "EmailField": f"p{n}@example.org",
        "BooleanField": False, "DateField": now.date() - dt.timedelta(days=n), "DateTimeField": now,
        "DecimalField": Decimal("1"), "JSONField": [], "UUIDField": None,
    }  # fmt: skip
    kind = field.get_internal_type()
    if kind in by_type:
        value = by_type[kind]
        return value[: field.max_length] if isinstance(value, str) and field.max_length else value
    if "Integer" in kind:
        return 1
    raise TypeError(f"no demo value for {field.model.__name__}.{field.name} ({kind})")


def fill(model: type[models.Model], n: int, made: dict[str, list]) -> models.Model:
    values = dict(GIVEN.get(model._meta.label_lower, {}))
    for field in model._meta.concrete_fields:
        optional = field.null or field.has_default() or field.db_default is not NOT_PROVIDED
        if field.name in values or field.primary_key or getattr(field, "generated", False) or optional:
            continue
        values[field.name] = value_for(field, n, made)
    return model.objects.create(**values)


def populate() -> None:
    executor = MigrationExecutor(connection)
    targets = first_targets(executor)
    executor.migrate(targets)
    state_apps = executor.loader.project_state(targets).apps
    made: dict[str, list] = {}
    for label in MODELS:
        model = state_apps.get_model(label)
        made[label] = [fill(model, n, made) for n in range(ROWS)]
    print(json.dumps({"targets": targets, "pks": {label: [row.pk for row in rows] for label, rows in made.items()}}))


def check(pks: dict[str, list[int]]) -> None:
    """The rows ``populate`` wrote, found again (later data migrations may add rows of their own)."""
    found = {}
    for label in MODELS:
        model = current_apps.get_model(label)
        rows = list(model._base_manager.filter(pk__in=pks[label]))  # every column of today's model loads
        found[label] = sorted(row.pk for row in rows)
    patients = current_apps.get_model("patients.patient")._base_manager.filter(pk__in=pks["patients.patient"])
    print(json.dumps({"pks": found, "patients_with_search_name": patients.exclude(search_name="").count()}))
