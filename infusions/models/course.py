"""A treatment course: one patient, one protocol, the clinician's order and the planned sessions."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from clinic.audit import track_changes
from clinic.models import ClinicalRecord
from infusions.choices import CourseStatus, CourseStopReason
from infusions.courses import is_lapsed
from patients.models.patient import PatientScopedQuerySet


class CourseQuerySet(PatientScopedQuerySet):
    """Scoped to the patients the user may see (patients.models.PatientScopedQuerySet)."""

    def with_last_session(self) -> CourseQuerySet:
        """``last_session_at``: the latest session given or booked (not cancelled, not voided), for ``is_lapsed``."""
        from infusions.lifecycle import CALLED_OFF
        from infusions.models.session import InfusionSession

        # One index-backed lookup per course (session_course_idx, newest first), not a join and GROUP BY over every
        # session: front desk's "to book" list sorts thousands of courses by it (make bench, issue #18).
        kept = (
            InfusionSession.objects.filter(course=models.OuterRef("pk"), voided_at__isnull=True)
            .exclude(status__in=CALLED_OFF)
            .order_by("-scheduled_for")
            .values("scheduled_for")[:1]
        )
        return self.annotate(last_session_at=models.Subquery(kept))


CourseManager = models.Manager.from_queryset(CourseQuerySet)


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
    stop_reason_code = models.CharField("why it stopped", max_length=20, choices=CourseStopReason.choices, blank=True)
    stop_reason = models.TextField("note", blank=True)
    started_on = models.DateField(default=timezone.localdate)
    maintenance_since = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects: ClassVar[CourseManager] = CourseManager()
    #: Set by ``CourseQuerySet.with_last_session()``.
    last_session_at: dt.datetime | None

    class Meta(ClinicalRecord.Meta):
        ordering = ["-started_on", "-id"]
        permissions = [
            ("view_patient_history", "Can view a patient's treatment history and outcomes"),
            ("view_reports", "Can view cohort outcome reports"),
            # Minimum necessary (security.md "Minimum necessary", issue #17): front desk books chairs, not doses.
            ("view_dosing", "Can see doses: ordered dose and maximum, protocol doses, doses given, totals, signers"),
        ]
        indexes = [
            models.Index(fields=["patient", "-started_on"], name="course_patient_idx"),
            # Courses under way (a few percent of all): front desk's worklists start from them.
            models.Index(
                fields=["status"],
                name="course_under_way_idx",
                condition=models.Q(status__in=["induction", "maintenance"], voided_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ordered_dose__lte=models.F("ordered_max")),
                name="course_dose_within_order",
                violation_error_message="The starting dose is above the ordered maximum.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=CourseStatus.STOPPED) | ~models.Q(stop_reason_code=""),
                name="course_stop_has_reason_code",
                violation_error_message="Choose why the course was stopped.",
            ),
            models.CheckConstraint(
                condition=~models.Q(stop_reason_code=CourseStopReason.OTHER) | ~models.Q(stop_reason=""),
                name="course_stop_other_explained",
                violation_error_message="Say what the other reason is.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.protocol} from {self.started_on:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("infusions:course_detail", kwargs={"pk": self.pk})

    def lapsed(self, today: dt.date, lapse_days: int) -> bool:
        """Needs ``with_last_session()`` (infusions.courses.is_lapsed)."""
        last = self.last_session_at
        return is_lapsed(is_open=self.is_open, last_session_on=timezone.localdate(last) if last else None,
                         started_on=self.started_on, today=today, lapse_days=lapse_days)  # fmt: skip

    @property
    def offered_actions(self) -> list[str]:
        """What a clinician may do with the course now (docs/clinical.md §9.8): maintenance only from induction; an
        ended or voided course offers nothing."""
        if not self.is_open:
            return []
        return ["maintenance", "complete", "stop"] if self.status == CourseStatus.INDUCTION else ["complete", "stop"]

    @property
    def is_open(self) -> bool:
        return self.status in (CourseStatus.INDUCTION, CourseStatus.MAINTENANCE) and not self.is_voided

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
