"""One chair visit: checks, dose, timeline, discharge and signature.

States: scheduled → checked in → infusing → observing → discharged → signed, or cancelled / no-show. Moving between
them happens only in ``infusions.services``; a signed session is refused any UPDATE by the database itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import pgtrigger
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from clinic.audit import track_changes
from clinic.dates import local_day_bounds
from clinic.models import ClinicalRecord
from infusions.choices import Fasting, PregnancyCheck, SessionStatus
from patients.models.patient import PatientScopedQuerySet

PADSS_ITEMS = ["padss_vitals", "padss_activity", "padss_nausea", "padss_pain", "padss_bleeding"]
PADSS_FIT = 9  # modified PADSS, 5 items x 0-2, fit for discharge at 9 or more (Chung 1995; docs/clinical.md §5.1)
ZERO_TO_TWO = [MinValueValidator(0), MaxValueValidator(2)]
ZERO_TO_TEN = [MinValueValidator(0), MaxValueValidator(10)]


class SessionQuerySet(PatientScopedQuerySet):
    """Scoped to the patients the user may see (patients.models.PatientScopedQuerySet)."""

    def on_day(self, day: dt.date) -> SessionQuerySet:
        """Sessions scheduled on ``day`` in the clinic's time zone (a range, so the index on scheduled_for serves)."""
        start, end = local_day_bounds(day, day)
        return self.filter(scheduled_for__gte=start, scheduled_for__lt=end)

    def for_board(self) -> SessionQuerySet:
        return self.select_related("patient", "course__protocol", "nurse").order_by("chair", "scheduled_for")


SessionManager = models.Manager.from_queryset(SessionQuerySet)


@track_changes()
class InfusionSession(ClinicalRecord):
    """One infusion visit of a course."""

    course = models.ForeignKey("infusions.TreatmentCourse", on_delete=models.PROTECT, related_name="sessions")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="infusion_sessions")
    scheduled_for = models.DateTimeField()
    chair = models.CharField(max_length=20)
    nurse = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED)
    cancel_reason = models.TextField(blank=True)

    # Check-in and pre-infusion checks (docs/clinical.md §2.1)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    escort_name = models.CharField("escort or driver", max_length=200, blank=True)
    escort_phone = models.CharField(max_length=30, blank=True)
    fasting = models.CharField(max_length=20, choices=Fasting.choices, blank=True)
    pregnancy_check = models.CharField(max_length=20, choices=PregnancyCheck.choices, blank=True)
    baseline_override_reason = models.TextField(blank=True)
    baseline_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Dose (weight measured today; preparation picked, never typed)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    preparation = models.ForeignKey(
        "infusions.DrugPreparation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dose_per_kg = models.DecimalField(
        max_digits=5, decimal_places=3, null=True, blank=True, help_text="mg/kg or mg/kg/h (protocol's unit)."
    )
    planned_dose_mg = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    # The pump is programmed in mL/h (rounded to its resolution); mg/h delivered = mL/h x concentration, exact.
    prescribed_rate_mg_h = models.DecimalField(max_digits=12, decimal_places=5, null=True, blank=True)
    start_rate_mg_h = models.DecimalField("delivered rate (mg/h)", max_digits=12, decimal_places=5, null=True,
                                          blank=True)  # fmt: skip
    start_rate_ml_h = models.DecimalField("pump rate (mL/h)", max_digits=7, decimal_places=2, null=True, blank=True)
    dose_calculation = models.CharField(max_length=300, blank=True)
    second_check_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    second_check_at = models.DateTimeField(null=True, blank=True)
    second_check_reason = models.CharField(max_length=300, blank=True)

    started_at = models.DateTimeField(null=True, blank=True)
    infusion_ended_at = models.DateTimeField(null=True, blank=True)
    total_mg = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    pain_before = models.PositiveSmallIntegerField(null=True, blank=True, validators=ZERO_TO_TEN)
    pain_after = models.PositiveSmallIntegerField(null=True, blank=True, validators=ZERO_TO_TEN)
    note = models.TextField(blank=True)

    # Discharge: modified PADSS (Chung 1995), escort, observation time
    padss_vitals = models.PositiveSmallIntegerField(null=True, blank=True, validators=ZERO_TO_TWO)
    padss_activity = models.PositiveSmallIntegerField(null=True, blank=True, validators=ZERO_TO_TWO)
    padss_nausea = models.PositiveSmallIntegerField(null=True, blank=True, validators=ZERO_TO_TWO)
    padss_pain = models.PositiveSmallIntegerField(null=True, blank=True, validators=ZERO_TO_TWO)
    padss_bleeding = models.PositiveSmallIntegerField(null=True, blank=True, validators=ZERO_TO_TWO)
    discharge_override_reason = models.TextField(blank=True)
    discharge_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    discharge_override_at = models.DateTimeField(null=True, blank=True)
    escort_present = models.BooleanField(default=False)
    aftercare_given = models.BooleanField(default=False)
    discharged_at = models.DateTimeField(null=True, blank=True)
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Signature (issue #7 adds re-authentication and the content hash)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signature_meaning = models.CharField(max_length=100, blank=True)

    objects: ClassVar[SessionManager] = SessionManager()

    class Meta(ClinicalRecord.Meta):
        ordering = ["-scheduled_for", "-id"]
        indexes = [
            models.Index(fields=["scheduled_for", "chair"], name="session_day_chair_idx"),
            models.Index(fields=["patient", "-scheduled_for"], name="session_patient_idx"),
            models.Index(fields=["course", "-scheduled_for"], name="session_course_idx"),
            models.Index(fields=["status", "scheduled_for"], name="session_status_idx"),
            # Sessions given in a period: the safety overview and the cohort report (make bench, issue #8).
            models.Index(fields=["started_at"], name="session_started_idx"),
            # A patient's sessions still booked, soonest first: the next visit (front desk's questionnaires due).
            models.Index(
                fields=["patient", "scheduled_for"],
                name="session_patient_booked_idx",
                condition=Q(status="scheduled", voided_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=SessionStatus.SIGNED) | Q(signed_at__isnull=False, signed_by__isnull=False),
                name="session_signed_has_signer",
                violation_error_message="A signed session needs its signer and time.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[SessionStatus.CANCELLED, SessionStatus.NO_SHOW]) | ~Q(cancel_reason=""),
                name="session_cancel_has_reason",
                violation_error_message="Give the reason for the cancellation or no-show.",
            ),
        ]
        permissions = [
            ("sign_session", "Can sign infusion sessions"),
            ("override_baseline", "Can start an infusion despite out-of-range baseline vitals"),
            ("override_discharge", "Can discharge despite open vitals alerts or vitals out of date"),
        ]
        triggers = [
            *ClinicalRecord.Meta.triggers,
            # A signed session is locked: corrections are addenda. The database refuses any UPDATE once signed_at
            # was set, whatever path the write takes (ORM, bulk update, raw SQL).
            pgtrigger.Protect(
                name="protect_signed",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__signed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Session {timezone.localtime(self.scheduled_for):%d %b %Y %H:%M}, chair {self.chair}"

    def get_absolute_url(self) -> str:
        return reverse("infusions:session_chart", kwargs={"pk": self.pk})

    @property
    def protocol(self) -> Any:
        return self.course.protocol

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def state(self) -> Any:
        """What the status means for the pages (``infusions.lifecycle.StatusInfo``): ``session.state.infusing``."""
        from infusions.lifecycle import STATUS

        return STATUS[self.status]

    @cached_property
    def pump_paused(self) -> bool:
        """The pump is paused: the latest active rate change is a rate of 0 while the session is still infusing."""
        if not self.state.infusing or self.pk is None:
            return False
        latest = self.rate_changes.active().order_by("-at", "-id").values_list("rate_ml_h", flat=True).first()
        return self._paused_at(latest)

    def _paused_at(self, latest_rate_ml_h: Any) -> bool:
        return self.state.infusing and latest_rate_ml_h is not None and latest_rate_ml_h == 0

    def read_pump_from(self, rate_changes: list[Any]) -> None:
        """Answer ``pump_paused`` from the session's active rate changes already loaded in time order (the chart),
        by the same rule and with no query."""
        self.__dict__["pump_paused"] = self._paused_at(rate_changes[-1].rate_ml_h if rate_changes else None)

    @property
    def in_chair(self) -> bool:
        return self.state.in_chair

    @property
    def padss_total(self) -> int | None:
        values = [getattr(self, item) for item in PADSS_ITEMS]
        return None if any(v is None for v in values) else sum(values)

    def observation_minutes(self, now: dt.datetime | None = None) -> int | None:
        if self.infusion_ended_at is None:
            return None
        return int(((now or timezone.now()) - self.infusion_ended_at).total_seconds() // 60)
