"""The patient access log: every view of a patient's record, append-only at the database level."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
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
