"""The audit tables: the patient access log, authentication events, role changes and the hash chain (seals) over
them.

Every row here is append-only at the database level."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Now


class AccessAction(models.TextChoices):
    VIEW = "view", "Viewed"
    PRINT = "print", "Printed"
    EXPORT = "export", "Exported"


class PatientAccessEvent(models.Model):
    """One read of a patient's record: who, which patient, what part, how, when and from where.

    Written only through ``clinic.audit.services.patient_access_log`` from the patient-record choke point
    (``patients.access.PatientRecordMixin``) and the admin. The database refuses UPDATE and DELETE
    (security.md F1, G1; ONC 170.315(d)(2)).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=40, help_text="Which part of the record was shown.")
    action = models.CharField(max_length=10, choices=AccessAction.choices, default=AccessAction.VIEW)
    path = models.CharField(max_length=300, help_text="The page's path (never carries patient identifiers).")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    occurred_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        verbose_name = "patient access event"
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-occurred_at"], name="audit_access_patient_time"),
            models.Index(fields=["user", "-occurred_at"], name="audit_access_user_time"),
            models.Index(fields=["-occurred_at"], name="audit_access_time"),
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        when = f"{self.occurred_at:%Y-%m-%d %H:%M}"
        return f"{self.get_action_display()} {self.category} by user {self.user_id} at {when}"


class AuthEventKind(models.TextChoices):
    """What happened. Add kinds here (MFA, emergency access...); the column is wide enough for new ones."""

    LOGIN_SUCCESS = "login_success", "Signed in"
    LOGIN_FAILURE = "login_failure", "Sign-in failed"
    LOCKOUT = "lockout", "Locked out"
    UNLOCK = "unlock", "Lockout lifted"
    LOGOUT = "logout", "Signed out"
    MFA_SUCCESS = "mfa_success", "Second factor passed"
    MFA_FAILURE = "mfa_failure", "Second factor failed"
    MFA_RESET = "mfa_reset", "Authenticator reset by an admin"
    RECOVERY_CODES_ISSUED = "recovery_codes_issued", "New recovery codes made"
    SESSION_TIMEOUT = "session_timeout", "Signed out after inactivity"
    MFA_ENROLLED = "mfa_enrolled", "Second factor enrolled"
    RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
    PERMISSION_DENIED = "permission_denied", "Permission denied"
    EMERGENCY_ACCESS = "emergency_access", "Emergency access"
    AUDIT_EXPORT = "audit_export", "Audit report exported"
    # The screen lock (issue #17): an idle screen locks; its owner unlocks it with a PIN, or signs in again.
    SCREEN_LOCKED = "screen_locked", "Screen locked"
    SCREEN_UNLOCKED = "screen_unlocked", "Screen unlocked with the PIN"
    PIN_FAILURE = "pin_failure", "Wrong screen-lock PIN"
    LOCK_FALLBACK = "lock_fallback", "Screen lock ended: full sign-in needed"
    PIN_SET = "pin_set", "Screen-lock PIN set"
    PIN_REMOVED = "pin_removed", "Screen-lock PIN removed"


class AuthEvent(models.Model):
    """One authentication or authorisation event: sign-ins, failures, lockouts, denials, exports of the audit trail.

    ``user`` is the account the event is about when it is known (the one signing in, the one refused a page, the
    admin who lifted a lockout); ``username`` is what was typed or whose lockout was lifted. The time is set by the
    database in UTC. Written only through ``clinic.audit.services.auth_event_record``; the database refuses UPDATE
    and DELETE (security.md A8, A9, C7, G1, G3; ONC 170.315(d)(2)).
    """

    kind = models.CharField(max_length=40, choices=AuthEventKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True, help_text="The username typed or concerned.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    route = models.CharField(max_length=100, blank=True, help_text="The URL name of the page, when it has one.")
    target_patient_id = models.BigIntegerField(
        null=True, blank=True, help_text="The patient id in the refused URL (not a foreign key: probes are kept too)."
    )
    detail = models.TextField(blank=True)
    occurred_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        verbose_name = "authentication event"
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["-occurred_at"], name="audit_authevent_time"),
            models.Index(fields=["kind", "-occurred_at"], name="audit_authevent_kind_time"),
            models.Index(fields=["user", "-occurred_at"], name="audit_authevent_user_time"),
            models.Index(fields=["username", "-occurred_at"], name="audit_authevent_username_time"),
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        who = self.username or (f"user {self.user_id}" if self.user_id else "anonymous")
        return f"{self.get_kind_display()}: {who} at {self.occurred_at:%Y-%m-%d %H:%M}"


class AuditSeal(models.Model):
    """The hash chain over the audit tables (security.md G2; ONC 170.315(d)(2)(v), Part 11 11.10(a)).

    A trigger on every audit table inserts one seal per new row: the table, the row's key, the names of the columns
    hashed and ``row_hash`` (SHA-256 of the row as canonical JSON, in UTC). ``manage.py seal_audit`` later links the
    unsealed seals, in order, into the chain: ``position``, ``prev_hash`` and ``chain_hash = sha256(prev_hash ||
    row_hash)``. The database refuses DELETE, and UPDATE except that one linking of a seal not yet linked.
    ``clinic.audit.chain`` holds the SQL; ``manage.py verify_audit`` recomputes everything.
    """

    class Origin(models.TextChoices):
        TRIGGER = "trigger", "Sealed on insert"
        BACKFILL = "backfill", "Sealed late by migrate"

    table_name = models.CharField(max_length=63)
    row_pk = models.BigIntegerField()
    columns = ArrayField(models.CharField(max_length=63), help_text="Columns hashed, so later columns do not count.")
    row_hash = models.BinaryField()
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.TRIGGER)
    created_at = models.DateTimeField(db_default=Now(), editable=False)
    position = models.BigIntegerField(null=True, blank=True, unique=True)
    prev_hash = models.BinaryField(null=True, blank=True)
    chain_hash = models.BinaryField(null=True, blank=True)
    sealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "audit seal"
        constraints = [
            models.UniqueConstraint(fields=["table_name", "row_pk"], name="audit_auditseal_one_per_row"),
        ]
        indexes = [
            # The sealer reads only the seals not linked yet.
            models.Index(fields=["id"], condition=models.Q(position__isnull=True), name="audit_auditseal_unlinked"),
        ]
        triggers = [
            pgtrigger.Protect(name="append_only_delete", operation=pgtrigger.Delete),
            # A seal is linked once (position set from NULL) and nothing else of it ever changes.
            pgtrigger.Protect(
                name="append_only_update",
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    "OLD.position IS NOT NULL OR NEW.position IS NULL"
                    " OR NEW.table_name IS DISTINCT FROM OLD.table_name OR NEW.row_pk IS DISTINCT FROM OLD.row_pk"
                    " OR NEW.columns IS DISTINCT FROM OLD.columns OR NEW.row_hash IS DISTINCT FROM OLD.row_hash"
                    " OR NEW.origin IS DISTINCT FROM OLD.origin OR NEW.created_at IS DISTINCT FROM OLD.created_at"
                    " OR NEW.id IS DISTINCT FROM OLD.id"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"seal {self.position or '(unlinked)'}: {self.table_name} row {self.row_pk}"


# Role and permission changes (security.md C4; ONC 170.315(d)(2)): who was given or lost a role, which permission a
# role gained or lost, with the request's context like every change. The tables are Django's auto-created
# many-to-many tables, which have no migrations of their own: their triggers are installed after every migrate
# (clinic.audit.chain.install_through_triggers).
UserRoleEvent = pghistory.track(
    pghistory.InsertEvent("role.add"),
    pghistory.DeleteEvent("role.remove"),
    obj_field=None,
    model_name="UserRoleEvent",
    app_label="audit",
)(get_user_model().groups.through).pgh_event_models["role.add"]
RolePermissionEvent = pghistory.track(
    pghistory.InsertEvent("permission.add"),
    pghistory.DeleteEvent("permission.remove"),
    obj_field=None,
    model_name="RolePermissionEvent",
    app_label="audit",
)(Group.permissions.through).pgh_event_models["permission.add"]
