"""Consent forms signed by the patient."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.db import models
from django.db.models import F, Q

from clinic.audit import track_changes
from clinic.models import ClinicalRecord
from patients.choices import ConsentType
from patients.models.patient import PatientScopedQuerySet
from patients.validators import validate_not_future


class ConsentQuerySet(PatientScopedQuerySet):
    """Consents, scoped to the patients a user may see like every patient's record."""


ConsentManager = models.Manager.from_queryset(ConsentQuerySet)


@track_changes()
class Consent(ClinicalRecord):
    """A signed consent: which form (type and version), when, witnessed by whom, and until when it holds."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="consents")
    consent_type = models.CharField("type", max_length=20, choices=ConsentType.choices)
    form_version = models.CharField(max_length=50, help_text="As printed on the form, e.g. KIT-01 v3 (2026-01).")
    signed_on = models.DateField(validators=[validate_not_future])
    witness_name = models.CharField(max_length=200, help_text="Staff member who witnessed the signature.")
    expires_on = models.DateField(null=True, blank=True, help_text="Leave empty if the form does not expire.")
    withdrawn_on = models.DateField(null=True, blank=True, validators=[validate_not_future])

    objects: ClassVar[ConsentManager] = ConsentManager()

    class Meta(ClinicalRecord.Meta):
        ordering = ["-signed_on", "-id"]
        indexes = [
            models.Index(fields=["patient", "consent_type", "-signed_on"], name="consent_patient_type_idx"),
            # Front desk's worklist (patients.selectors.consents_expiring): consents in force, by expiry day.
            models.Index(
                fields=["expires_on"],
                name="consent_in_force_expiry_idx",
                condition=Q(voided_at__isnull=True, withdrawn_on__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=F("signed_on")),
                name="consent_expires_after_signing",
                violation_error_message="The expiry date must be after the signing date.",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("signed_on")),
                name="consent_withdrawn_after_signing",
                violation_error_message="Consent cannot be withdrawn before it was signed.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_consent_type_display()} ({self.form_version}), signed {self.signed_on}"

    def is_valid_on(self, day: dt.date) -> bool:
        return (
            not self.is_voided
            and self.signed_on <= day
            and (self.expires_on is None or self.expires_on >= day)
            and (self.withdrawn_on is None or self.withdrawn_on > day)
        )
