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


# Issue #15: side effects and the stock ledger left ``infusions`` for apps of their own by state only.
# ``populate_before_split`` builds a database as it stood before (infusions at 0009, with the content types,
# permissions and grants the old code made) and writes side effects and stock through the historical models;
# ``check_after_split`` runs after a plain ``migrate``.
# Where each app that changed stood before issue #15 (the other apps are migrated to their latest).
BEFORE_SPLIT = [("infusions", "0009_merge_20261130_0915"), ("clinic", "0007_clinic_settings_emergency_access_minutes"),
                ("patients", "0008_amendment_requests")]  # fmt: skip
# Clinic settings the clinic had tuned before; they must reach each app's own row.
TUNED = {"screening_validity_months": 6, "emergency_access_minutes": 45, "nurses_may_sign_sessions": True,
         "waste_needs_witness_password": False, "stock_count_interval_days": 9, "dea_registration_number": "AB1234563",
         "registered_address": "1 Example Street"}  # fmt: skip
SETTINGS_ROWS = {"patients.patientsettings": ["screening_validity_months", "emergency_access_minutes"],
                 "infusions.infusionsettings": ["nurses_may_sign_sessions"],
                 "stock.stocksettings": ["waste_needs_witness_password", "stock_count_interval_days",
                                         "dea_registration_number", "registered_address"]}  # fmt: skip
EVENT_TABLES = ["infusions_adverseeventtermevent", "infusions_adverseeventevent", "infusions_externalreportevent",
                "infusions_stockproductevent", "infusions_vialevent"]  # fmt: skip
MOVED_TABLES = ["infusions_adverseeventterm", "infusions_adverseevent", "infusions_externalreport",
                "infusions_stockproduct", "infusions_stockreceipt", "infusions_vial", "infusions_stockmovement",
                "infusions_stockcount", "infusions_form106filing", *EVENT_TABLES]  # fmt: skip
OLD_TO_NEW = {"infusions.adverseeventterm": "side_effects.sideeffectterm",
              "infusions.adverseevent": "side_effects.sideeffect",
              "infusions.externalreport": "side_effects.externalreport",
              "infusions.stockproduct": "stock.stockproduct",
              "infusions.stockreceipt": "stock.stockreceipt",
              "infusions.vial": "stock.vial",
              "infusions.stockmovement": "stock.stockmovement"}  # fmt: skip
OLD_GRANTS = {"Nurse": ["view_adverseevent", "add_adverseevent", "change_externalreport", "record_stock", "view_vial"],
              "Clinician": ["view_adverseevent", "review_adverseevent", "view_stock_reports"],
              "Clinic admin": ["change_adverseeventterm", "change_stockproduct", "add_form106filing"]}  # fmt: skip
# A receipt entry per vial, its balances consistent (the ledger's trigger checks them on insert).
RECEIPT = {"kind": "receipt", "quantity_mg": Decimal(1), "vial_change_mg": Decimal(1), "vial_balance_mg": Decimal(1),
           "product_balance_mg": Decimal(1)}  # fmt: skip
SPLIT_GIVEN = {"infusions.adverseevent": {"grade": 1}, "infusions.externalreport": {"destination": "medwatch"},
               "infusions.stockmovement": RECEIPT}  # fmt: skip


def trigger_names() -> dict[str, list[str]]:
    """The django-pgtrigger triggers on each moved table (the audit seal's own are added after every migrate), and
    the row count of each event table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal "
            "AND tgname LIKE 'pgtrigger%%' AND tgrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [MOVED_TABLES],
        )
        found: dict[str, list[str]] = {}
        for table, name in cursor.fetchall():
            found.setdefault(table, []).append(name)
        for table in EVENT_TABLES:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - a table name of the list above  # nosec
            found.setdefault("event_rows", []).append(cursor.fetchone()[0])
    return found


def populate_before_split() -> None:
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    executor = MigrationExecutor(connection)
    changed = {app for app, _ in BEFORE_SPLIT} | {"side_effects", "stock", "scheduling", "portal"}  # the apps above
    targets = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in changed] + BEFORE_SPLIT
    executor.migrate(targets)
    state_apps = executor.loader.project_state(targets).apps
    for label in ("infusions", "accounts", "auth"):  # what the old code's post_migrate made
        create_contenttypes(current_apps.get_app_config(label), verbosity=0, apps=state_apps)
        create_permissions(current_apps.get_app_config(label), verbosity=0, apps=state_apps)
    permission = state_apps.get_model("auth", "Permission")
    grants = {}
    for role, codenames in OLD_GRANTS.items():
        group = state_apps.get_model("auth", "Group").objects.get_or_create(name=role)[0]
        perms = list(permission.objects.filter(content_type__app_label="infusions", codename__in=codenames))
        group.permissions.add(*perms)
        grants[role] = {p.codename: p.pk for p in perms}
    made: dict[str, list] = {}
    for label in [*MODELS, *OLD_TO_NEW]:
        model = state_apps.get_model(label)
        GIVEN.setdefault(label, {}).update(SPLIT_GIVEN.get(label, {}))
        made[label] = [fill(model, n, made) for n in range(ROWS)]
    state_apps.get_model("clinic", "ClinicSettings").objects.update_or_create(pk=1, defaults=TUNED)
    user = made["accounts.user"][0]
    user.user_permissions.add(
        permission.objects.get(content_type__app_label="infusions", codename="review_adverseevent")
    )
    print(json.dumps({
        "pks": {label: [row.pk for row in made[label]] for label in OLD_TO_NEW},
        "grants": grants, "user": user.pk, "triggers": trigger_names(),
    }))  # fmt: skip


def check_after_split(before: dict[str, Any]) -> None:
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import DatabaseError, transaction
    from django.db.models import Q

    from clinic.audit import chain

    found = {}
    for old, new in OLD_TO_NEW.items():
        rows = current_apps.get_model(new)._base_manager.filter(pk__in=before["pks"][old])
        found[new] = sorted(row.pk for row in rows)  # every column of today's model loads
    held = Permission.objects.filter(content_type__app_label__in=["side_effects", "stock"])
    grants = {role: {p.codename: p.pk for p in held.filter(group__name=role)} for role in OLD_GRANTS}
    moved_models = [old.split(".")[1] for old in OLD_TO_NEW] + ["stockcount", "form106filing"]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE infusions_adverseeventevent SET narrative = 'changed'")
        append_only = False
    except DatabaseError:
        append_only = True
    user = current_apps.get_model("accounts.user").objects.get(pk=before["user"])
    print(json.dumps({
        "pks": found,
        "grants": grants,
        "user_may_review": user.has_perm("side_effects.review_sideeffect"),
        "old_content_types": list(ContentType.objects.filter(app_label="infusions", model__in=moved_models)
                                  .values_list("model", flat=True)),
        "old_permissions": Permission.objects.filter(
            Q(codename__contains="adverseevent") | Q(content_type__app_label="infusions", codename__contains="stock")
        ).count(),
        "triggers": trigger_names(),
        "events_append_only": append_only,
        "audit_intact": chain.verify().ok,
        "settings": {name: getattr(current_apps.get_model(label).current(), name)
                     for label, names in SETTINGS_ROWS.items() for name in names},
    }))  # fmt: skip
