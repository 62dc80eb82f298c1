"""The headache diary: one entry per day."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from clinic.audit import track_changes
from clinic.models import ClinicalRecord
from patients.validators import validate_not_future


@track_changes()
class HeadacheDiaryEntry(ClinicalRecord):
    """One day of the headache diary. Monthly headache and migraine days are computed from these (patients/diary.py)."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="diary_entries")
    entry_date = models.DateField("date", validators=[validate_not_future])
    had_headache = models.BooleanField("headache that day")
    migraine_features = models.BooleanField(
        default=False, help_text="Throbbing or one-sided pain, worse with activity, nausea, or light/sound sensitivity."
    )
    worst_pain = models.PositiveSmallIntegerField(
        "worst pain (0-10)", null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    acute_medication = models.CharField("acute medication taken", max_length=200, blank=True)
    migraine_specific_medication = models.BooleanField(
        default=False, help_text="A triptan, gepant or ergot was taken that day."
    )

    class Meta(ClinicalRecord.Meta):
        verbose_name_plural = "headache diary entries"
        ordering = ["-entry_date"]
        indexes = [models.Index(fields=["patient", "-entry_date"], name="diary_patient_date_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "entry_date"],
                condition=Q(voided_at__isnull=True),
                name="diary_one_entry_per_day",
                violation_error_message="There is already a diary entry for this day; edit that one instead.",
            ),
            models.CheckConstraint(
                condition=Q(had_headache=True) | Q(worst_pain__isnull=True) | Q(worst_pain=0),
                name="diary_pain_needs_headache",
                violation_error_message="Pain above 0 was entered for a day without headache.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_date}: {'headache' if self.had_headache else 'no headache'}"
