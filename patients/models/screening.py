"""Contraindication screening: a checklist answered for the patient and reviewed by a clinician."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.audit import track_changes
from clinic.models import ClinicalRecord
from patients.choices import ContraindicationLevel, ScreeningStatus
from patients.models.patient import PatientScopedQuerySet
from patients.validators import validate_not_future


@track_changes()
class ContraindicationItem(models.Model):
    """One question of the screening checklist (reference data the clinic admin may edit)."""

    code = models.SlugField(max_length=50, unique=True)
    label = models.CharField(max_length=200)
    level = models.CharField(max_length=10, choices=ContraindicationLevel.choices)
    guidance = models.TextField(blank=True, help_text="What to consider when the answer is yes.")
    source = models.CharField(max_length=300, help_text="Guideline or label this item comes from.")
    display_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True, help_text="Inactive items are no longer asked.")

    class Meta:
        ordering = ["display_order", "id"]

    def __str__(self) -> str:
        return self.label


class ScreeningQuerySet(PatientScopedQuerySet):
    def with_answers(self) -> ScreeningQuerySet:
        return self.select_related("reviewed_by", "created_by").prefetch_related(
            models.Prefetch("answers", queryset=ScreeningAnswer.objects.select_related("item"))
        )


ScreeningManager = models.Manager.from_queryset(ScreeningQuerySet)


@track_changes()
class Screening(ClinicalRecord):
    """A completed checklist. A clinician clears it (absolute findings block, relative ones need a justification)
    or declines it; after review it is locked, and a later change means a new screening."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="screenings")
    screened_on = models.DateField(default=timezone.localdate, validators=[validate_not_future])
    status = models.CharField(max_length=20, choices=ScreeningStatus.choices, default=ScreeningStatus.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    justification = models.TextField(
        blank=True, help_text="Why treatment is reasonable despite the relative contraindications found."
    )
    review_note = models.TextField(blank=True)
    expires_on = models.DateField(null=True, blank=True)

    objects: ClassVar[ScreeningManager] = ScreeningManager()

    class Meta(ClinicalRecord.Meta):
        ordering = ["-screened_on", "-id"]
        indexes = [
            models.Index(fields=["patient", "-screened_on"], name="screening_patient_idx"),
            # The clinicians' worklist (patients.selectors.screenings_to_clear): the few awaiting review.
            models.Index(
                fields=["screened_on"],
                name="screening_pending_idx",
                condition=Q(status="pending", voided_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ScreeningStatus.CLEARED)
                | Q(reviewed_by__isnull=False, reviewed_at__isnull=False, expires_on__isnull=False),
                name="screening_cleared_is_reviewed",
                violation_error_message="A cleared screening needs its reviewer, review time and expiry.",
            )
        ]

    def __str__(self) -> str:
        return f"Screening {self.screened_on} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status == ScreeningStatus.PENDING

    def findings(self, level: str) -> list[ScreeningAnswer]:
        return [a for a in self.answers.all() if a.present and a.item.level == level]

    @property
    def absolute_findings(self) -> list[ScreeningAnswer]:
        return self.findings(ContraindicationLevel.ABSOLUTE)

    @property
    def relative_findings(self) -> list[ScreeningAnswer]:
        return self.findings(ContraindicationLevel.RELATIVE)

    def is_valid_on(self, day: dt.date) -> bool:
        return (
            not self.is_voided
            and self.status == ScreeningStatus.CLEARED
            and self.expires_on is not None
            and self.expires_on >= day
        )


@track_changes()
class ScreeningAnswer(ClinicalRecord):
    """The answer to one checklist item."""

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="answers")
    item = models.ForeignKey(ContraindicationItem, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField()
    notes = models.CharField(max_length=500, blank=True)

    class Meta(ClinicalRecord.Meta):
        ordering = ["item__display_order", "item_id"]
        constraints = [models.UniqueConstraint(fields=["screening", "item"], name="screeninganswer_one_per_item")]

    def __str__(self) -> str:
        return f"{self.item}: {'yes' if self.present else 'no'}"
