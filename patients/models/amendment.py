"""A patient's request to amend their record (security.md H5; HIPAA 164.526; ONC 170.315(d)(4)).

The patient asks in writing for a change to something in their record. The clinic acts on it within 60 days
(164.526(b)(2)): it **accepts** — the correction is appended and linked to the entry it corrects, which itself stays
as it was — or it **denies**, in writing, on one of the grounds 164.526(a)(2) allows, and the patient may then file a
statement of disagreement, which stays with the record (164.526(d)). Request, decision and statement are all shown
on the record's amendment page and printed with it.

Once decided, a request cannot change (the database refuses it); the one later addition is the patient's statement
of disagreement after a denial, written once.
"""

from __future__ import annotations

import datetime as dt

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.audit import track_changes
from clinic.models import TimeStampedModel
from patients.validators import validate_not_future

#: 164.526(b)(2): act on the request no later than 60 days after receiving it (one 30-day extension allowed).
DECISION_DAYS = 60


class AmendmentStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    ACCEPTED = "accepted", "Accepted: amendment appended"
    DENIED = "denied", "Denied"


class DenialBasis(models.TextChoices):
    """The grounds on which a request may be denied (164.526(a)(2))."""

    ACCURATE = "accurate", "The record is accurate and complete"
    NOT_CREATED_HERE = "not_created_here", "Not created by this clinic (the originator can still act on it)"
    NOT_IN_RECORD_SET = "not_in_record_set", "Not part of the patient's designated record set"
    NOT_AVAILABLE = "not_available", "Not available to the patient for inspection (164.524)"


DECIDED_FIELDS = [
    "patient_id", "received_on", "record_concerned", "requested_change", "status", "decided_on", "decided_by_id",
    "amendment_text", "denial_basis", "denial_explanation",
]  # fmt: skip
_changed = " OR ".join(f"NEW.{f} IS DISTINCT FROM OLD.{f}" for f in DECIDED_FIELDS)


@track_changes()
class AmendmentRequest(TimeStampedModel):
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="amendment_requests")
    received_on = models.DateField("request received", validators=[validate_not_future])
    record_concerned = models.CharField(
        "entry concerned", max_length=200, help_text='Which record or entry, e.g. "session of 4 Mar 2026, notes".'
    )
    requested_change = models.TextField("change requested", help_text="What the patient asks to change, and why.")
    status = models.CharField(max_length=10, choices=AmendmentStatus.choices, default=AmendmentStatus.PENDING)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(null=True, blank=True)
    amendment_text = models.TextField("amendment", blank=True, help_text="The correction, as it now stands with "
                                      "the entry.")  # fmt: skip
    denial_basis = models.CharField("grounds for denial", max_length=20, choices=DenialBasis.choices, blank=True)
    denial_explanation = models.TextField(blank=True)
    disagreement_statement = models.TextField("patient's statement of disagreement", blank=True)
    disagreement_received_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["patient", "-received_on"], name="amendment_patient_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=AmendmentStatus.PENDING, decided_on__isnull=True)
                | Q(status=AmendmentStatus.ACCEPTED, decided_on__isnull=False) & ~Q(amendment_text="")
                | Q(status=AmendmentStatus.DENIED, decided_on__isnull=False)
                & ~Q(denial_basis="")
                & ~Q(denial_explanation=""),
                name="amendment_decision_complete",
                violation_error_message="An accepted request needs its amendment; a denied one its grounds.",
            ),
        ]
        permissions = [("decide_amendmentrequest", "Can accept or deny a patient's amendment request")]
        triggers = [
            pgtrigger.Protect(name="no_delete", operation=pgtrigger.Delete),
            # Decided requests are final; only the patient's statement of disagreement is added, once.
            pgtrigger.Protect(
                name="decided_is_final",
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    f"OLD.status <> 'pending' AND ({_changed} OR OLD.disagreement_statement <> '')"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Amendment request of {self.received_on}: {self.get_status_display()}"

    @property
    def due_on(self) -> dt.date:
        return self.received_on + dt.timedelta(days=DECISION_DAYS)

    @property
    def is_overdue(self) -> bool:
        return self.status == AmendmentStatus.PENDING and timezone.localdate() > self.due_on
