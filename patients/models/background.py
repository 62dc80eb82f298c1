"""Clinical background: allergies, medications, prior treatments, height and weight."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from clinic.audit import track_changes
from clinic.models import ClinicalRecord, VoidableQuerySet
from patients.antidepressants import antidepressant_in
from patients.choices import AllergySeverity, MedicationClass, TreatmentKind, TreatmentOutcome
from patients.validators import validate_not_future

# Plausible adult ranges; outside them the value is almost certainly a typing or unit error (lb for kg, m for cm).
WEIGHT_KG_MIN, WEIGHT_KG_MAX = Decimal("25"), Decimal("350")
HEIGHT_CM_MIN, HEIGHT_CM_MAX = Decimal("100"), Decimal("250")


@track_changes()
class Allergy(ClinicalRecord):
    """A substance the patient reacts to."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="allergies")
    substance = models.CharField(max_length=200)
    reaction = models.CharField(max_length=200, blank=True)
    severity = models.CharField(max_length=20, choices=AllergySeverity.choices, default=AllergySeverity.UNKNOWN)

    class Meta(ClinicalRecord.Meta):
        verbose_name_plural = "allergies"
        ordering = ["substance"]
        indexes = [models.Index(fields=["patient", "voided_at"], name="allergy_patient_idx")]

    def __str__(self) -> str:
        return self.substance


class MedicationQuerySet(VoidableQuerySet):
    def current(self, on: dt.date | None = None) -> MedicationQuerySet:
        """Medications being taken on ``on`` (default today): started and not yet stopped."""
        on = on or timezone.localdate()
        return self.active().filter(
            Q(start_date__isnull=True) | Q(start_date__lte=on), Q(stop_date__isnull=True) | Q(stop_date__gte=on)
        )


MedicationManager = models.Manager.from_queryset(MedicationQuerySet)


@track_changes()
class Medication(ClinicalRecord):
    """A medication the patient takes or took, with the class that matters around ketamine."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="medications")
    name = models.CharField(max_length=200)
    dose = models.CharField(max_length=100, blank=True, help_text="e.g. 0.5 mg")
    frequency = models.CharField(max_length=100, blank=True, help_text="e.g. at night as needed")
    medication_class = models.CharField("class", max_length=20, choices=MedicationClass.choices)
    start_date = models.DateField(null=True, blank=True)
    stop_date = models.DateField(null=True, blank=True)

    objects: ClassVar[MedicationManager] = MedicationManager()

    class Meta(ClinicalRecord.Meta):
        ordering = ["stop_date", "name"]
        indexes = [models.Index(fields=["patient", "voided_at"], name="medication_patient_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(stop_date__isnull=True) | Q(start_date__isnull=True) | Q(stop_date__gte=F("start_date")),
                name="medication_stop_after_start",
                violation_error_message="The stop date is before the start date.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_current(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        started = self.start_date is None or self.start_date <= on
        return not self.is_voided and started and (self.stop_date is None or self.stop_date >= on)


@track_changes()
class PriorTreatment(ClinicalRecord):
    """A treatment tried before ketamine, so "treatment-resistant" or "refractory" can be read off the record."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="prior_treatments")
    treatment = models.CharField(max_length=200, help_text="Drug or therapy, e.g. sertraline, CBT, TMS.")
    kind = models.CharField(max_length=20, choices=TreatmentKind.choices, default=TreatmentKind.MEDICATION)
    start_date = models.DateField(null=True, blank=True, validators=[validate_not_future])
    end_date = models.DateField(null=True, blank=True, validators=[validate_not_future])
    adequate_trial = models.BooleanField(
        "adequate trial", help_text="Adequate dose for an adequate time (for antidepressants: typically 6+ weeks)."
    )
    outcome = models.CharField(max_length=20, choices=TreatmentOutcome.choices, default=TreatmentOutcome.UNKNOWN)
    notes = models.TextField(blank=True)

    class Meta(ClinicalRecord.Meta):
        ordering = ["-start_date", "treatment"]
        indexes = [models.Index(fields=["patient", "voided_at"], name="priortreatment_patient_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="priortreatment_end_after_start",
                violation_error_message="The end date is before the start date.",
            )
        ]

    def __str__(self) -> str:
        return self.treatment

    def clean(self) -> None:
        """A known antidepressant is recorded as one: the treatment-resistant depression count takes only those
        (docs/clinical.md §1.6; patients/antidepressants.py)."""
        super().clean()
        found = antidepressant_in(self.treatment or "")
        if found and self.kind == TreatmentKind.MEDICATION:
            raise ValidationError({"kind": ANTIDEPRESSANT_AS_OTHER.format(name=found.capitalize())})


#: Said next to the kind when a known antidepressant is recorded as another medicine.
ANTIDEPRESSANT_AS_OTHER = (
    '{name} is an antidepressant (WHO ATC N06A): choose "Antidepressant medication", so that it counts towards '
    "treatment-resistant depression."
)


@track_changes()
class BodyMeasurement(ClinicalRecord):
    """Height and/or weight at a point in time (weight is measured again at each session for dosing)."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="measurements")
    measured_on = models.DateField(default=timezone.localdate, validators=[validate_not_future])
    weight_kg = models.DecimalField(
        "weight (kg)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(WEIGHT_KG_MIN), MaxValueValidator(WEIGHT_KG_MAX)],
    )
    height_cm = models.DecimalField(
        "height (cm)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(HEIGHT_CM_MIN), MaxValueValidator(HEIGHT_CM_MAX)],
    )

    class Meta(ClinicalRecord.Meta):
        ordering = ["-measured_on", "-id"]
        indexes = [models.Index(fields=["patient", "-measured_on"], name="measurement_patient_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_kg__isnull=False) | Q(height_cm__isnull=False),
                name="measurement_weight_or_height",
                violation_error_message="Enter a weight, a height, or both.",
            ),
            models.CheckConstraint(
                condition=Q(weight_kg__isnull=True) | Q(weight_kg__gte=WEIGHT_KG_MIN, weight_kg__lte=WEIGHT_KG_MAX),
                name="measurement_weight_plausible",
                violation_error_message=f"Weight must be between {WEIGHT_KG_MIN} and {WEIGHT_KG_MAX} kg.",
            ),
        ]

    def __str__(self) -> str:
        parts = [f"{self.weight_kg} kg" if self.weight_kg else "", f"{self.height_cm} cm" if self.height_cm else ""]
        return f"{self.measured_on}: " + ", ".join(p for p in parts if p)

    @property
    def bmi(self) -> Decimal | None:
        """Body-mass index, kg/m², when both values are present (WHO definition)."""
        if not (self.weight_kg and self.height_cm):
            return None
        metres = self.height_cm / 100
        return (self.weight_kg / (metres * metres)).quantize(Decimal("0.1"))
