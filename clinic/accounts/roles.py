"""The clinic's roles and the permissions each one holds.

Roles are Django groups. The permission sets are code, reviewed like code; ``sync_roles`` creates the groups and
adds any listed permission a group lacks. Minimum necessary access (HIPAA 164.502(b)): front desk sees identity and
scheduling but no clinical notes; the clinic admin manages users, reference data and audit, not charts.
"""

from __future__ import annotations

from typing import Any

FRONT_DESK = "Front desk"
NURSE = "Nurse"
CLINICIAN = "Clinician"
CLINIC_ADMIN = "Clinic admin"

ROLE_SLUGS = {FRONT_DESK: "front_desk", NURSE: "nurse", CLINICIAN: "clinician", CLINIC_ADMIN: "clinic_admin"}

_EVERY_ROLE = ["clinic.view_dashboard"]

_CLINICAL_RECORDS = ["allergy", "medication", "priortreatment", "bodymeasurement", "headachediaryentry"]


def _crud(model: str, *actions: str) -> list[str]:
    return [f"patients.{action}_{model}" for action in actions]


_NURSE_CHARTING = [
    "patients.view_patient",
    "patients.view_clinical_background",
    "patients.change_clinical_background",
    *[perm for model in _CLINICAL_RECORDS for perm in _crud(model, "view", "add", "change")],
    *_crud("consent", "view", "add", "change"),
    *_crud("screening", "view", "add"),
    *_crud("questionnaireresponse", "view", "add", "change"),
]

_SESSION_CHARTING = [
    "infusions.view_treatmentcourse",
    "infusions.view_infusionsession",
    "infusions.add_infusionsession",
    "infusions.change_infusionsession",
    *[
        f"infusions.{action}_{model}"
        for model in ("vitalsign", "ratechange", "sessionmedication")
        for action in ("view", "add")
    ],
    "infusions.view_addendum",
    "infusions.add_addendum",
    *[
        f"infusions.{action}_{model}"
        for model in ("adverseevent", "externalreport")
        for action in ("view", "add", "change")
    ],
]

# The ketamine stock ledger (issue #9): nurses and clinicians receive, draw, waste, count; clinicians and the clinic
# admin read the DEA reports and record a DEA Form 106 as filed (the registrant's report of a loss or theft);
# front desk has no access to controlled-substance records.
_STOCK_READ = [
    *[
        f"infusions.view_{model}"
        for model in ("stockproduct", "stockreceipt", "vial", "stockmovement", "stockcount", "form106filing")
    ],
]
_STOCK_RECORDING = [
    *_STOCK_READ,
    "infusions.add_stockreceipt",
    "infusions.add_stockcount",
    "infusions.record_stock",
]

# The accounting of disclosures (security.md H6) and amendment requests (H5): clinicians answer the patient.
_DISCLOSURES = ["patients.view_disclosure", "patients.add_disclosure"]
_AMENDMENTS = [*_crud("amendmentrequest", "view", "add"), "patients.decide_amendmentrequest"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    FRONT_DESK: [
        *_EVERY_ROLE,
        "patients.view_patient",
        "patients.add_patient",
        "patients.change_patient",
        *_crud("consent", "view", "add", "change"),
        "infusions.view_treatmentcourse",
        "infusions.view_infusionsession",
        "infusions.add_infusionsession",
    ],
    NURSE: [
        *_EVERY_ROLE,
        *_NURSE_CHARTING,
        *_SESSION_CHARTING,
        *_STOCK_RECORDING,
    ],
    CLINICIAN: [
        *_EVERY_ROLE,
        *_NURSE_CHARTING,
        "patients.add_patient",
        "patients.change_patient",
        "patients.change_screening",
        "patients.review_screening",
        # Restricted records (security.md D1): clinicians restrict a record and name its care team. Emergency
        # access itself (patients.break_glass) is given to named people by the clinic admin, never to a role.
        "patients.restrict_patient",
        "patients.acknowledge_risk_alert",
        "patients.rate_clinician_instrument",
        *_SESSION_CHARTING,
        "infusions.add_treatmentcourse",
        "infusions.change_treatmentcourse",
        "infusions.sign_session",
        "infusions.override_baseline",
        "infusions.review_adverseevent",
        "infusions.view_patient_history",
        "infusions.view_reports",
        *_STOCK_RECORDING,
        "infusions.view_stock_reports",
        "infusions.add_form106filing",
        *_DISCLOSURES,
        *_AMENDMENTS,
    ],
    CLINIC_ADMIN: [
        *_EVERY_ROLE,
        "clinic.view_audit_reports",
        "infusions.view_reports",
        "clinic.view_clinicsettings",
        "clinic.change_clinicsettings",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "auth.view_group",
        "audit.view_patientaccessevent",
        "audit.view_authevent",
        # The emergency-access review queue (security.md D2) and the care teams of restricted records.
        "patients.view_emergencyaccessgrant",
        "patients.review_emergencyaccessgrant",
        "patients.view_careteammember",
        # Sign-in lockouts (django-axes): see them, and lift one by removing its attempt row (audited).
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accessfailurelog",
        "axes.view_accesslog",
        "signatures.view_electronicsignature",
        "pghistory.view_events",
        "pghistory.view_context",
        "patients.view_contraindicationitem",
        "patients.add_contraindicationitem",
        "patients.change_contraindicationitem",
        *[
            f"infusions.{action}_{model}"
            for model in ("protocol", "drugpreparation", "vitalthresholdsettings")
            for action in ("view", "change")
        ],
        "infusions.add_protocol",
        "infusions.add_drugpreparation",
        *[f"infusions.{action}_adverseeventterm" for action in ("view", "add", "change")],
        *_STOCK_READ,
        "infusions.add_stockproduct",
        "infusions.change_stockproduct",
        "infusions.view_stock_reports",
        "infusions.add_form106filing",
        "patients.view_disclosure",  # in the Django admin: the accounting of every patient
        "patients.view_amendmentrequest",  # in the Django admin
    ],
}

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
