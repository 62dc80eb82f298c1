"""The kiosk's log and settings (issue #19).

A ``KioskVisit`` is one hand-over of the tablet to one patient: who handed it over, on which device, when, what was
answered, and how it ended (finished, returned with a staff password, signed out, or by a staff sign-in). Never
deleted; the admin reads it. ``PortalSettings`` holds what a clinic tunes: how long an untouched kiosk waits before
it locks, and the crisis text a patient sees after a suicide-risk answer."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from clinic.audit import track_changes
from clinic.models import SettingsRow

DEFAULT_CRISIS_TEXT = (
    "Thank you for telling us. A member of staff will come and talk with you. If you are thinking about harming "
    "yourself and need help now, tell the staff straight away. In the United States you can also call or text 988 "
    "(the 988 Suicide & Crisis Lifeline), at any time, free."
)


class KioskEnd(models.TextChoices):
    FINISHED = "finished", "Finished: every item answered"
    RETURNED = "returned", "Returned to staff with the staff password"
    SIGNED_OUT = "signed_out", "Staff signed out from the kiosk"
    SIGN_IN = "sign_in", "Ended by a staff sign-in on the tablet"


@track_changes()
class KioskVisit(models.Model):
    """One hand-over of the tablet to one patient."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="kiosk_visits")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    device = models.CharField(max_length=60, help_text="The tablet's name, as staff call it (e.g. Tablet 2).")
    started_at = models.DateTimeField(default=timezone.now)
    items = models.JSONField(default=list, help_text="The questionnaires offered (instrument codes), in order.")
    answered = models.JSONField(default=list, help_text="The questionnaires recorded, in order.")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_how = models.CharField(max_length=20, choices=KioskEnd.choices, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["patient", "-started_at"], name="kioskvisit_patient_idx")]

    def __str__(self) -> str:
        return f"Kiosk on {self.device}, {timezone.localtime(self.started_at):%d %b %Y %H:%M}"


@track_changes()
class PortalSettings(SettingsRow):
    kiosk_idle_minutes = models.PositiveSmallIntegerField(
        "kiosk locks after (minutes untouched)",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="An untouched kiosk locks to a screen with no patient data; a member of staff unlocks it.",
    )
    crisis_text = models.TextField(
        default=DEFAULT_CRISIS_TEXT,
        help_text="What a patient reads after an answer that raises a suicide-risk alert: calm, with the crisis line.",
    )

    class Meta(SettingsRow.Meta):
        verbose_name = "patient pages settings"
        verbose_name_plural = "patient pages settings"
