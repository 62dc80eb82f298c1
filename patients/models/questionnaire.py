"""Outcome questionnaires: one completed form, its answers, total and band, and the suicide-risk alert (PHQ-9 item 9,
MADRS item 10)."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.audit import track_changes
from clinic.models import ClinicalRecord
from patients.choices import AnswerSource
from patients.models.patient import PatientScopedQuerySet
from patients.scoring import INSTRUMENT_CHOICES, INSTRUMENTS, Instrument, RiskItem


class Timepoint(models.TextChoices):
    BASELINE = "baseline", "Baseline (before treatment)"
    PRE_SESSION = "pre_session", "At check-in, before an infusion"
    POST_SESSION = "post_session", "After an infusion"
    FOLLOW_UP = "follow_up", "Follow-up"


class QuestionnaireQuerySet(PatientScopedQuerySet):
    scope_permission = "patients.view_questionnaireresponse"

    def open_risk_alerts(self) -> QuestionnaireQuerySet:
        """A suicide item at or above its line (PHQ-9 item 9, MADRS item 10) not yet acknowledged by a clinician
        (served by a partial index)."""
        return self.active().filter(suicide_risk=True, risk_acknowledged_at__isnull=True)


def _score_in_range() -> Q:
    """The database's own check that a stored total lies in its instrument's range."""
    return reduce(
        or_, (Q(instrument=i.code, total__gte=i.min_score, total__lte=i.max_score) for i in INSTRUMENTS.values())
    )


QuestionnaireManager = models.Manager.from_queryset(QuestionnaireQuerySet)


@track_changes()
class QuestionnaireResponse(ClinicalRecord):
    """A completed outcome questionnaire. Never edited: a wrong entry is voided and entered again."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="questionnaires")
    instrument = models.CharField(max_length=20, choices=INSTRUMENT_CHOICES)
    completed_at = models.DateTimeField("completed", default=timezone.now)
    timepoint = models.CharField(max_length=20, choices=Timepoint.choices, default=Timepoint.FOLLOW_UP)
    answers = models.JSONField(help_text="Points per item key, as scored (patients/scoring.py).")
    total = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=30)
    note = models.TextField(blank=True)
    source = models.CharField(
        "entered by",
        max_length=10,
        choices=AnswerSource.choices,
        default=AnswerSource.STAFF,
        help_text="Staff, or the patient themselves (the clinic's tablet, or from home).",
    )
    device = models.CharField(max_length=60, blank=True, help_text="The tablet, when the patient answered on one.")
    suicide_risk = models.BooleanField(
        default=False,
        help_text="The suicide item at or above its line: PHQ-9 item 9 above 0, MADRS item 10 at 2 or more.",
    )
    risk_acknowledged_at = models.DateTimeField(null=True, blank=True)
    risk_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    risk_action = models.TextField("assessment and action", blank=True)

    objects: ClassVar[QuestionnaireManager] = QuestionnaireManager()

    class Meta(ClinicalRecord.Meta):
        ordering = ["-completed_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "instrument", "completed_at"], name="questionnaire_patient_idx"),
            models.Index(fields=["instrument", "completed_at"], name="questionnaire_cohort_idx"),
            models.Index(
                fields=["completed_at"],
                name="questionnaire_open_alert_idx",
                condition=Q(suicide_risk=True, risk_acknowledged_at__isnull=True, voided_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=_score_in_range(),
                name="questionnaire_total_in_range",
                violation_error_message="The total is outside the instrument's score range.",
            ),
            models.CheckConstraint(
                condition=Q(risk_acknowledged_at__isnull=True)
                | (Q(risk_acknowledged_by__isnull=False) & ~Q(risk_action="")),
                name="questionnaire_ack_has_action",
                violation_error_message="An acknowledged alert needs who acknowledged it and the action taken.",
            ),
        ]
        permissions = [
            ("acknowledge_risk_alert", "Can acknowledge a suicide-risk alert"),
            ("rate_clinician_instrument", "Can record clinician-rated questionnaires (MADRS)"),
        ]

    def __str__(self) -> str:
        return f"{self.definition.name} {self.total} on {timezone.localtime(self.completed_at):%d %b %Y}"

    @property
    def definition(self) -> Instrument:
        return INSTRUMENTS[self.instrument]

    @property
    def band_label(self) -> str:
        return self.definition.band_label(self.band)

    @property
    def risk_open(self) -> bool:
        return self.suicide_risk and self.risk_acknowledged_at is None and not self.is_voided

    @property
    def risk_item(self) -> RiskItem | None:
        """The instrument's suicide item (PHQ-9 item 9, MADRS item 10), or None."""
        return self.definition.risk_item

    @property
    def risk_answer_label(self) -> str:
        """The answer given to the suicide item, in the form's words."""
        item = self.definition.risk_item
        return "" if item is None else self.definition.item(item.key).option_label(self.answers.get(item.key))

    def answer_rows(self) -> list[dict[str, Any]]:
        """Each item with the answer given, for the detail page and the printout; ``risk`` marks the suicide item
        when it opened the alert."""
        risk_key = self.definition.risk_item.key if self.suicide_risk and self.definition.risk_item else None
        rows = []
        for item in self.definition.items:
            value = self.answers.get(item.key)
            rows.append({"item": item, "value": value, "label": item.option_label(value), "risk": item.key == risk_key})
        return rows
