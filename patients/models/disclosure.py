"""Disclosures of a patient's record to people outside the clinic (security.md H6; HIPAA 164.528; ONC 170.315(d)(11)).

A patient may ask for an accounting of who outside the clinic received their information in the last six years
(164.528(a)): when, to whom (name and, if known, address), what was disclosed and why (164.528(b)(2)). Each
disclosure is one append-only row: the database refuses UPDATE and DELETE, so the accounting cannot be rewritten;
an entry recorded in error is answered by a further entry saying so.

Rows come from two places: staff record a release by hand (a court order, records sent at the patient's written
request), and every side-effect report marked sent to the FDA, the REMS programme, an IRB, a sponsor or the
manufacturer writes one (the side-effect app calls ``patients.services.disclosure_record``).
"""

from __future__ import annotations

import datetime as dt

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models.functions import Now

from clinic.audit import track_changes
from clinic.dates import add_months
from patients.validators import validate_not_future

#: 164.528(a)(1): the accounting covers the six years before the request.
ACCOUNTING_YEARS = 6


class DisclosurePurpose(models.TextChoices):
    """Why the information left the clinic (the HIPAA permission that allowed it)."""

    PUBLIC_HEALTH = "public_health", "Public health or FDA safety reporting (164.512(b))"
    RESEARCH = "research", "Research: IRB or study sponsor (164.512(i))"
    REQUIRED_BY_LAW = "law", "Required by law, court order or subpoena (164.512(a), (e), (f))"
    AUTHORIZED = "authorized", "At the patient's written request or authorization (164.508, 164.524)"
    OTHER = "other", "Other (say which in the description)"


class DisclosureSource(models.TextChoices):
    MANUAL = "manual", "Recorded by staff"
    SIDE_EFFECT_REPORT = "side_effect_report", "Side-effect report sent"


class DisclosureQuerySet(models.QuerySet):
    def for_accounting(self, *, today: dt.date) -> DisclosureQuerySet:
        """The rows an accounting lists: the last six years, newest first (164.528(a)(1))."""
        since = add_months(today, -12 * ACCOUNTING_YEARS)
        return self.filter(disclosed_on__gte=since).select_related("recorded_by").order_by("-disclosed_on", "-id")


@track_changes()
class Disclosure(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="disclosures")
    disclosed_on = models.DateField("date disclosed", validators=[validate_not_future])
    recipient = models.CharField(
        max_length=300, help_text="Name of the person or body that received it, and their address if known."
    )
    purpose = models.CharField(max_length=20, choices=DisclosurePurpose.choices)
    description = models.TextField("what was disclosed", help_text="Which records or information, e.g. "
                                   "\"infusion records January–March 2026\".")  # fmt: skip
    reference = models.CharField(max_length=100, blank=True, help_text="Case, request or report number, if any.")
    source = models.CharField(max_length=20, choices=DisclosureSource.choices, default=DisclosureSource.MANUAL,
                              editable=False)  # fmt: skip
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    editable=False)  # fmt: skip
    recorded_at = models.DateTimeField(db_default=Now(), editable=False)

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        ordering = ["-disclosed_on", "-id"]
        indexes = [models.Index(fields=["patient", "-disclosed_on"], name="disclosure_patient_date_idx")]
        triggers = [pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.disclosed_on}: to {self.recipient}"
