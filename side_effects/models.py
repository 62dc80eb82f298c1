"""Side effects, recorded the way regulators and trials record adverse events (docs/clinical.md §7).

These models lived in ``infusions`` until issue #15 and moved by state only: each keeps its table
(``db_table``) and, through ``moved_from`` (clinic.triggers), the names of its triggers and its event table."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from clinic.audit import track_changes
from clinic.dates import local_day_bounds
from clinic.models import ClinicalRecord
from clinic.triggers import moved_from
from patients.models.patient import PatientScopedQuerySet
from side_effects.choices import ActionTaken, Causality, SideEffectCategory, SideEffectOutcome
from side_effects.rules import DESTINATIONS, GRADE_DEFINITIONS, SERIOUSNESS_CRITERIA

#: The actions that withdraw or lessen the drug (a dechallenge, in the words of FDA form 3500).
DECHALLENGE_ACTIONS = {ActionTaken.RATE_REDUCED, ActionTaken.PAUSED, ActionTaken.STOPPED}


@track_changes()
@moved_from("infusions.AdverseEventTerm")
class SideEffectTerm(models.Model):
    """A side-effect term of the pick-list (reference data), with the category it usually belongs to."""

    name = models.CharField(max_length=100, unique=True)
    category = models.CharField(max_length=20, choices=SideEffectCategory.choices)
    display_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        db_table = "infusions_adverseeventterm"
        ordering = ["display_order", "name"]

    def __str__(self) -> str:
        return self.name


class SideEffectQuerySet(PatientScopedQuerySet):
    scope_permission = "side_effects.view_sideeffect"  # front desk reads no side effects

    def onset_between(self, first: dt.date, last: dt.date) -> SideEffectQuerySet:
        """Events whose onset falls on the clinic-local days ``first`` to ``last`` inclusive."""
        start, end = local_day_bounds(first, last)
        return self.filter(onset_at__gte=start, onset_at__lt=end)

    def for_queue(self) -> SideEffectQuerySet:
        """Unreviewed first, serious on top, then the oldest onset (the review queue's order); voided events and
        withdrawn reports are not in it."""
        return (
            self.active()
            .select_related("patient", "term", "created_by", "reviewed_by")
            .prefetch_related(models.Prefetch("reports", queryset=ExternalReport.objects.active()))
            .order_by(models.F("reviewed_at").asc(nulls_first=True), "-serious", "-grade", "onset_at", "id")
        )


SideEffectManager = models.Manager.from_queryset(SideEffectQuerySet)


@track_changes()
@moved_from("infusions.AdverseEvent")
class SideEffect(ClinicalRecord):
    """One side effect: what, when, how bad (CTCAE grade), whether serious (criteria), expected, causality, action,
    outcome, and the clinician's review. Corrections are edits recorded in the change history; nothing is deleted: an
    event entered in error is voided (``side_effect_void``) and stays on the record, struck through."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="side_effects")
    session = models.ForeignKey(
        "infusions.InfusionSession", on_delete=models.PROTECT, null=True, blank=True, related_name="side_effects"
    )
    onset_at = models.DateTimeField(default=timezone.now)
    term = models.ForeignKey(SideEffectTerm, on_delete=models.PROTECT, related_name="+")
    term_detail = models.CharField("description", max_length=200, blank=True)
    category = models.CharField(max_length=20, choices=SideEffectCategory.choices)
    grade = models.PositiveSmallIntegerField(
        "CTCAE grade", choices=[(g, f"Grade {g}") for g in GRADE_DEFINITIONS],
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )  # fmt: skip
    serious = models.BooleanField(default=False)
    seriousness_criteria = ArrayField(
        models.CharField(max_length=30, choices=list(SERIOUSNESS_CRITERIA.items())), default=list, blank=True
    )
    expected = models.BooleanField(default=True, help_text="Consistent with the label or the consent form's list.")
    causality = models.CharField("causality (WHO-UMC)", max_length=20, choices=Causality.choices,
                                 default=Causality.POSSIBLE)  # fmt: skip
    action_taken = models.CharField(max_length=20, choices=ActionTaken.choices, default=ActionTaken.NONE)
    rescue_medication = models.ForeignKey(
        "infusions.SessionMedication", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=SideEffectOutcome.choices, default=SideEffectOutcome.UNKNOWN)
    resolved_at = models.DateTimeField(null=True, blank=True)
    narrative = models.TextField(blank=True)
    suspect_drug = models.CharField(
        max_length=300, blank=True, help_text="Ketamine dose, rate and preparation at onset (filled from the session)."
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)

    objects: ClassVar[SideEffectManager] = SideEffectManager()

    class Meta(ClinicalRecord.Meta):
        db_table = "infusions_adverseevent"
        ordering = ["-onset_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-onset_at"], name="ae_patient_onset_idx"),
            # The review queue's order exactly (SideEffectQuerySet.for_queue), over the events not voided: its
            # first page is read off the index and its count is an index-only scan (make bench, issue #8).
            models.Index(
                F("reviewed_at").asc(nulls_first=True),
                F("serious").desc(),
                F("grade").desc(),
                F("onset_at"),
                F("id"),
                name="ae_queue_order_idx",
                condition=Q(voided_at__isnull=True),
            ),
            models.Index(fields=["onset_at"], name="ae_onset_idx"),
        ]
        permissions = [
            ("review_sideeffect", "Can review side effects"),
            ("void_sideeffect", "Can void side effects entered in error"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(serious=False, seriousness_criteria=[]) | Q(serious=True) & ~Q(seriousness_criteria=[]),
                name="ae_serious_iff_criteria",
                violation_error_message="A serious event needs criteria, and criteria need the event marked serious.",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=models.F("onset_at")),
                name="ae_resolved_after_onset",
                violation_error_message="The resolution time is before the onset.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term}{f' ({self.term_detail})' if self.term_detail else ''}, grade {self.grade}"

    def get_absolute_url(self) -> str:
        return reverse("side_effects:side_effect_detail", kwargs={"pk": self.pk})

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None

    @property
    def grade_definition(self) -> str:
        return GRADE_DEFINITIONS[self.grade]

    @property
    def criteria_labels(self) -> list[str]:
        return [SERIOUSNESS_CRITERIA[c] for c in self.seriousness_criteria]

    @property
    def dechallenge(self) -> str:
        """FDA form 3500 section C: did the event abate after the drug was stopped or its dose reduced? "Yes" when
        the action stopped, paused or slowed the infusion and the patient recovered or is recovering; "No" when
        not; "Does not apply" when the infusion was left as it was."""
        if self.action_taken not in DECHALLENGE_ACTIONS:
            return "Does not apply"
        return "Yes" if self.outcome in (SideEffectOutcome.RECOVERED, SideEffectOutcome.RECOVERING) else "No"

    def overdue_reports(self, today: dt.date | None = None) -> list[ExternalReport]:
        today = today or timezone.localdate()
        return [r for r in self.reports.all() if r.is_overdue(today)]


@track_changes()
@moved_from("infusions.ExternalReport")
class ExternalReport(ClinicalRecord):
    """Where an event must be reported, by when (side_effects.rules.report_due), and when it was submitted. A report
    not yet sent is withdrawn (voided, with the reason) when its event is voided."""

    event = models.ForeignKey(SideEffect, on_delete=models.PROTECT, related_name="reports")
    destination = models.CharField(max_length=20, choices=list(DESTINATIONS.items()))
    due_on = models.DateField(null=True, blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    reference = models.CharField(max_length=100, blank=True, help_text="Report or case number given on submission.")

    class Meta(ClinicalRecord.Meta):
        db_table = "infusions_externalreport"
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "destination"], name="externalreport_one_per_dest")]

    def __str__(self) -> str:
        return f"{self.get_destination_display()} due {self.due_on or '—'}"

    def is_overdue(self, today: dt.date) -> bool:
        return self.submitted_on is None and self.due_on is not None and self.due_on < today and not self.is_voided
