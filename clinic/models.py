"""Shared model bases and site-wide records.

Every clinical model inherits :class:`ClinicalRecord`: timestamps, who created and last changed it, and void fields.
Clinical rows are never deleted (the database refuses DELETE through a trigger); a mistake is voided with a reason.
"""

from __future__ import annotations

from typing import Any, Self

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone

from clinic import triggers as pinned
from clinic.audit import track_changes


class TimeStampedModel(models.Model):
    """Created and updated times, set by the server."""

    created_at = models.DateTimeField(db_default=Now(), editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class VoidableQuerySet(models.QuerySet):
    """Reads shared by every clinical model."""

    def active(self) -> Self:
        return self.filter(voided_at__isnull=True)

    def voided(self) -> Self:
        return self.filter(voided_at__isnull=False)


class ClinicalRecord(TimeStampedModel):
    """Base of every clinical row: authorship, void instead of delete, and a database refusal of DELETE.

    The change history itself (who, when, before and after) is captured by django-pghistory triggers on each
    concrete model (see ``clinic.audit.track_changes``).
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    voided_at = models.DateTimeField(null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    void_reason = models.TextField(blank=True, editable=False)

    objects = VoidableQuerySet.as_manager()

    class Meta:
        abstract = True
        triggers: list[pgtrigger.Trigger] = [
            # Nothing clinical is ever hard-deleted, not even from a shell or raw SQL (DEVELOPERS.md "What done means").
            pinned.Protect(name="protect_delete", operation=pgtrigger.Delete),
        ]

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    def mark_voided(self, *, by: Any, reason: str) -> None:
        """Set the void fields (callers go through ``clinic.services.record_void``)."""
        self.voided_at = timezone.now()
        self.voided_by = by
        self.void_reason = reason


class SitePermission(models.Model):
    """Holder for site-wide permissions that belong to no table (it has no table of its own)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_dashboard", "Can see the home dashboard"),
            ("view_audit_reports", "Can read the audit trail and access log"),
        ]

    def __str__(self) -> str:
        return "site permission"


class DemoDataset(models.Model):
    """Marks a database seeded by ``manage.py seed_demo``, which refuses to touch a database without it."""

    seeded_at = models.DateTimeField(db_default=Now())
    note = models.CharField(max_length=200, default="Generated demo data: fictitious people only.")

    class Meta:
        verbose_name = "demo dataset"

    def __str__(self) -> str:
        return f"Demo data seeded {self.seeded_at:%Y-%m-%d %H:%M}"


class SettingsRow(models.Model):
    """Base of an app's tunable rules: one row, edited by the clinic admin in the admin, created with its (safe)
    defaults on first use. Each app keeps its own (issue #15), so a feature's setting is a migration of that app."""

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="%(app_label)s_%(class)s_single_row")]

    def __str__(self) -> str:
        return str(self._meta.verbose_name).capitalize()

    @classmethod
    def current(cls) -> Self:
        """The one row, created with the defaults on first use."""
        settings_row, _ = cls._default_manager.get_or_create(pk=1)
        return settings_row


def ensure_settings_rows(sender: Any, **kwargs: Any) -> None:
    """post_migrate: every app's settings row exists after each migrate, with its defaults, so the admin edits it and
    never adds one."""
    apps = kwargs.get("apps")
    if apps is None:
        return
    for model in sender.get_models():
        if issubclass(model, SettingsRow):
            apps.get_model(model._meta.label).objects.get_or_create(pk=1)


@track_changes()
class ClinicSettings(models.Model):
    """The clinic-wide settings row. Its rules moved to each app's own row (issue #15: patients.PatientSettings,
    infusions.InfusionSettings, stock.StockSettings); the row and its history stay for the record."""

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "clinic settings"
        verbose_name_plural = "clinic settings"
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="clinicsettings_single_row")]

    def __str__(self) -> str:
        return "Clinic settings"


class FormSubmission(models.Model):
    """One form POST that was carried out, keyed by the one-time token its form carried (``clinic.form_tokens``).

    A second POST with the same token is answered with the first one's redirect instead of being run again. Rows
    are only needed while a retry is plausible; ``manage.py purge_form_tokens`` deletes old ones (docs/deploy.md).
    """

    token = models.UUIDField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=300)
    redirect_to = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="formsubmission_created_idx")]

    def __str__(self) -> str:
        return f"Form sent to {self.path} at {self.created_at:%Y-%m-%d %H:%M}"
