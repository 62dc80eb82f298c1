"""The patients app's tunable rules (one row, edited by the clinic admin; safe defaults)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from clinic.audit import track_changes
from clinic.models import SettingsRow


@track_changes()
class PatientSettings(SettingsRow):
    screening_validity_months = models.PositiveSmallIntegerField(
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="How long a cleared contraindication screening stays valid (months). Default 12.",
    )
    # Emergency access to a restricted record (security.md D1): how long one "break the glass" lasts.
    emergency_access_minutes = models.PositiveSmallIntegerField(
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
        help_text="How long emergency access to a restricted record lasts (minutes). Default 60.",
    )

    # Outcomes (docs/clinical.md §9.5): a diary month counts towards monthly migraine days only when the diary
    # covers this share of its days; gaps would understate the count.
    diary_min_coverage_percent = models.PositiveSmallIntegerField(
        "minimum diary coverage (%)",
        default=80,
        validators=[MinValueValidator(50), MaxValueValidator(100)],
        help_text="A headache-diary month counts for monthly migraine days only when at least this share of its days "
        "has an entry (percent, 50-100). Default 80.",
    )

    class Meta(SettingsRow.Meta):
        verbose_name = "patient record settings"
        verbose_name_plural = "patient record settings"
