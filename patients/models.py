"""Patient records.

This is the minimal record the foundation needs (identity and status); issue #3 adds the clinical background,
screening and consent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils import timezone

from clinic.audit import track_changes
from clinic.models import ClinicalRecord, VoidableQuerySet


class PatientStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    DISCHARGED = "discharged", "Discharged"


class PatientQuerySet(VoidableQuerySet):
    def visible_to(self, user: Any) -> PatientQuerySet:
        """The patients ``user`` may see: the whole clinic for roles that read records, nobody otherwise.

        This is the single place that scopes patient rows (security.md C2); a clinic chain adds its site filter here.
        """
        if user.is_authenticated and user.is_active and user.has_perm("patients.view_patient"):
            return self.all()
        return self.none()


@track_changes()
class Patient(ClinicalRecord):
    """A person treated at the clinic, identified by a system-assigned medical record number (MRN)."""

    mrn = models.CharField("MRN", max_length=20, unique=True, editable=False)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    status = models.CharField(max_length=20, choices=PatientStatus.choices, default=PatientStatus.ACTIVE)

    objects = PatientQuerySet.as_manager()

    class Meta(ClinicalRecord.Meta):
        ordering = ["family_name", "given_name", "id"]
        indexes = [models.Index(fields=["family_name", "given_name"], name="patient_name_idx")]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name} ({self.mrn})"

    def get_absolute_url(self) -> str:
        return reverse("patients:patient_detail", kwargs={"pk": self.pk})

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: dt.date) -> int:
        """Age in whole years on ``day``."""
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())
