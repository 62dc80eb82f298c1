"""Restricted records: the care team that may open one, and emergency access ("break the glass") to it.

A patient marked restricted (a member of staff or a public figure treated at the clinic) is out of everyone's scope
(``Patient.objects.visible_to``) except the members of its care team and the holders of an active emergency-access
grant. A grant is taken by a designated user (permission ``patients.break_glass``) with a reason and the password,
lasts ``PatientSettings.emergency_access_minutes``, is mailed to the security contacts and waits in a review queue
(security.md D1, D2; ONC 170.315(d)(6); HIPAA 164.312(a)(2)(ii)).
"""

from __future__ import annotations

from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.audit import track_changes
from clinic.models import TimeStampedModel


class CareTeamQuerySet(models.QuerySet):
    def current(self) -> CareTeamQuerySet:
        return self.filter(removed_at__isnull=True)


@track_changes()
class CareTeamMember(TimeStampedModel):
    """A member of staff explicitly given access to a restricted patient's record. Removal is a date, never a delete."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="care_team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_teams")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = CareTeamQuerySet.as_manager()

    class Meta:
        verbose_name = "care team member"
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "user"],
                condition=Q(removed_at__isnull=True),
                name="careteammember_one_current_per_user",
                violation_error_message="This person is already on the patient's care team.",
            ),
        ]
        indexes = [models.Index(fields=["user", "patient"], name="careteammember_user_patient")]
        triggers = [pgtrigger.Protect(name="protect_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"user {self.user_id} on the care team of patient {self.patient_id}"


class EmergencyReason(models.TextChoices):
    """Common reasons for emergency access; "other" needs the free text to say it all."""

    CLINICAL_EMERGENCY = "clinical_emergency", "Clinical emergency: patient at risk now"
    ADVERSE_EVENT = "adverse_event", "Adverse event or reaction needing the record"
    COVERING = "covering", "Covering for the care team (absent, unreachable)"
    URGENT_CALL = "urgent_call", "Urgent call from another provider or the patient"
    OTHER = "other", "Other (explain below)"


class ReviewOutcome(models.TextChoices):
    PENDING = "pending", "Pending review"
    APPROPRIATE = "appropriate", "Appropriate"
    INAPPROPRIATE = "inappropriate", "Inappropriate"


class EmergencyGrantQuerySet(models.QuerySet):
    def active(self, at: Any = None) -> EmergencyGrantQuerySet:
        """Grants in force at ``at`` (default now: the Python clock, so tests can move it)."""
        at = at or timezone.now()
        return self.filter(started_at__lte=at, expires_at__gt=at)

    def pending(self) -> EmergencyGrantQuerySet:
        return self.filter(review_outcome=ReviewOutcome.PENDING)

    def for_queue(self) -> EmergencyGrantQuerySet:
        return self.select_related("user", "patient", "reviewed_by")


@track_changes()
class EmergencyAccessGrant(TimeStampedModel):
    """One "break the glass": who opened which restricted record, why, for how long, and the review of it.

    The database refuses DELETE, and UPDATE of anything but the review fields; once reviewed, nothing changes.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_grants")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="emergency_grants")
    reason_code = models.CharField("reason", max_length=30, choices=EmergencyReason.choices)
    reason = models.TextField("explanation")
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    review_outcome = models.CharField(max_length=20, choices=ReviewOutcome.choices, default=ReviewOutcome.PENDING)
    review_note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    objects = EmergencyGrantQuerySet.as_manager()

    class Meta:
        verbose_name = "emergency access grant"
        ordering = ["-started_at", "-id"]
        permissions = [
            ("break_glass", "Can open a restricted patient's record in an emergency (designated users only)"),
            ("review_emergencyaccessgrant", "Can review emergency accesses (appropriate or not)"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("started_at")), name="emergencyaccessgrant_expires_after_start"
            ),
            models.CheckConstraint(
                condition=Q(review_outcome=ReviewOutcome.PENDING, reviewed_at__isnull=True)
                | ~Q(review_outcome=ReviewOutcome.PENDING) & Q(reviewed_at__isnull=False, reviewed_by__isnull=False),
                name="emergencyaccessgrant_review_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "patient", "-expires_at"], name="emergencygrant_user_patient"),
            models.Index(fields=["review_outcome", "-started_at"], name="emergencygrant_review"),
        ]
        triggers = [
            pgtrigger.Protect(name="protect_delete", operation=pgtrigger.Delete),
            # Only a pending grant's review fields change, once (ONC 170.315(d)(2): the record of access is kept).
            pgtrigger.Protect(
                name="frozen_after_review",
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    "OLD.review_outcome <> 'pending' OR NEW.user_id IS DISTINCT FROM OLD.user_id"
                    " OR NEW.patient_id IS DISTINCT FROM OLD.patient_id OR NEW.reason IS DISTINCT FROM OLD.reason"
                    " OR NEW.reason_code IS DISTINCT FROM OLD.reason_code"
                    " OR NEW.started_at IS DISTINCT FROM OLD.started_at"
                    " OR NEW.expires_at IS DISTINCT FROM OLD.expires_at"
                ),
            ),
        ]

    def __str__(self) -> str:
        when = f"{self.started_at:%Y-%m-%d %H:%M}"
        return f"Emergency access by user {self.user_id} to patient {self.patient_id} at {when}"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.started_at <= now < self.expires_at

    @property
    def is_reviewed(self) -> bool:
        return self.review_outcome != ReviewOutcome.PENDING
