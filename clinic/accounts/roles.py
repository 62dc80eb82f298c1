"""The clinic's roles and the permissions each one holds.

Roles are Django groups. The permission sets are code, reviewed like code; ``sync_roles`` creates the groups and
adds any listed permission a group lacks. Minimum necessary access (HIPAA 164.502(b)): front desk sees identity and
scheduling but no clinical notes; the clinic admin manages users, reference data and audit, not charts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FRONT_DESK = "Front desk"
NURSE = "Nurse"
CLINICIAN = "Clinician"
CLINIC_ADMIN = "Clinic admin"

ROLE_SLUGS = {FRONT_DESK: "front_desk", NURSE: "nurse", CLINICIAN: "clinician", CLINIC_ADMIN: "clinic_admin"}

_EVERY_ROLE = ["clinic.view_dashboard"]

# What each role holds of the core (clinic, accounts, audit, signatures and the libraries'). Each feature app adds
# its own permissions from its AppConfig.ready() with ``grant`` (patients/roles.py, infusions/roles.py): ``clinic``
# names no feature app (STYLE.md 1), and a role's whole set is this dict once the apps are ready.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    FRONT_DESK: [*_EVERY_ROLE],
    NURSE: [*_EVERY_ROLE],
    CLINICIAN: [*_EVERY_ROLE],
    CLINIC_ADMIN: [
        *_EVERY_ROLE,
        "clinic.view_audit_reports",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "auth.view_group",
        "audit.view_patientaccessevent",
        "audit.view_authevent",
        # Sign-in lockouts (django-axes): see them, and lift one by removing its attempt row (audited).
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accessfailurelog",
        "axes.view_accesslog",
        "signatures.view_electronicsignature",
        "pghistory.view_events",
        "pghistory.view_context",
    ],
}


def codenames(app: str, models: Iterable[str], *actions: str) -> list[str]:
    """``"app.action_model"`` for each model and action: ``codenames("infusions", ["vitalsign"], "view", "add")``."""
    return [f"{app}.{action}_{model}" for model in models for action in actions]


def grant(permissions: dict[str, list[str]]) -> None:
    """Add an app's permissions to the roles (``{role: ["app.codename", ...]}``), from its ``ready()``; granting a
    permission a role already holds changes nothing."""
    for role, codes in permissions.items():
        held = ROLE_PERMISSIONS[role]
        held.extend(code for code in codes if code not in held)


# Roles whose members may use the Django admin site (it also requires is_staff on the account).
ADMIN_SITE_ROLES = {CLINIC_ADMIN}


def sync_roles(apps: Any = None) -> None:
    """Create the role groups and grant each the permissions listed above (never removes a grant)."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # In a migration's historical state models_module is None, and create_permissions would skip the app.
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = original

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        wanted = set()
        for code in codes:
            app_label, codename = code.split(".", 1)
            permission = permission_model.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is not None:  # a permission from an app not migrated yet is added on the next migrate
                wanted.add(permission.pk)
        group.permissions.add(*wanted)


def sync_roles_after_migrate(sender: Any, **kwargs: Any) -> None:
    """post_migrate receiver: run once, after the last app's migrations (the signal fires once per app)."""
    from django.apps import apps as global_apps

    app_configs = list(global_apps.get_app_configs())
    if sender is not app_configs[-1]:
        return
    sync_roles(kwargs.get("apps") or global_apps)
