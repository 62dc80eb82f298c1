"""A treatment course: one patient, one protocol, the clinician's order and the planned sessions."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from clinic.audit import track_changes
from clinic.models import ClinicalRecord
from infusions.choices import CourseStatus
from patients.models.patient import PatientScopedQuerySet


class CourseQuerySet(PatientScopedQuerySet):
    """Scoped to the patients the user may see (patients.models.PatientScopedQuerySet)."""


@track_changes()
class TreatmentCourse(ClinicalRecord):
    """The clinician's order for a series of infusions under one protocol."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="courses")
    protocol = models.ForeignKey("infusions.Protocol", on_delete=models.PROTECT, related_name="courses")
    prescriber = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ordered_dose = models.DecimalField(
        max_digits=5, decimal_places=3, help_text="Starting dose for this patient, in the protocol's unit."
    )
    ordered_max = models.DecimalField(
        max_digits=5, decimal_places=3, help_text="Highest dose or rate allowed for this patient (≤ hard maximum)."
    )
    planned_sessions = models.PositiveSmallIntegerField(default=6)
    status = models.CharField(max_length=20, choices=CourseStatus.choices, default=CourseStatus.INDUCTION)
    stop_reason = models.TextField(blank=True)
    started_on = models.DateField(default=timezone.localdate)

    objects = CourseQuerySet.as_manager()

    class Meta(ClinicalRecord.Meta):
        ordering = ["-started_on", "-id"]
        permissions = [
            ("view_patient_history", "Can view a patient's treatment history and outcomes"),
            ("view_reports", "Can view cohort outcome reports"),
        ]
        indexes = [models.Index(fields=["patient", "-started_on"], name="course_patient_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ordered_dose__lte=models.F("ordered_max")),
                name="course_dose_within_order",
                violation_error_message="The starting dose is above the ordered maximum.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=CourseStatus.STOPPED) | ~models.Q(stop_reason=""),
                name="course_stop_has_reason",
                violation_error_message="Give the reason the course was stopped.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.protocol} from {self.started_on:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("infusions:course_detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        protocol = self.protocol if self.protocol_id else None
        if protocol is None:
            return
        unit = protocol.unit
        if self.ordered_max is not None and self.ordered_max > protocol.hard_max:
            raise ValidationError(
                {"ordered_max": f"Above the protocol's hard maximum of {protocol.hard_max.normalize():f} {unit}."}
            )
        if self.ordered_dose is not None and self.ordered_dose <= 0:
            raise ValidationError({"ordered_dose": f"The dose must be greater than 0 {unit}."})
