"""The signature record: append-only, linked to the signed row, with the hash of what was signed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

if TYPE_CHECKING:
    from clinic.signatures.services import Verification


class SignatureMeaning(models.TextChoices):
    """What the signer means by signing (21 CFR 11.50(a)(3))."""

    AUTHORSHIP = "authorship", "Authorship"
    REVIEW = "review", "Review"
    APPROVAL = "approval", "Approval"
    RESPONSIBILITY = "responsibility", "Responsibility"


def meaning_text(meaning: str, statement: str) -> str:
    """The meaning as the signer reads it: "Approval: I reviewed and approved the infusion record."."""
    return f"{SignatureMeaning(meaning).label}: {statement}"


class ElectronicSignatureQuerySet(models.QuerySet):
    def for_record(self, record: models.Model) -> ElectronicSignatureQuerySet:
        return self.for_records([record])

    def for_records(self, records: list[Any]) -> ElectronicSignatureQuerySet:
        """The signatures of several records (of any kinds) in one query (content types joined, not looked up)."""
        ids_by_model: dict[tuple[str, str], list[int]] = {}
        for record in records:
            ids_by_model.setdefault((record._meta.app_label, record._meta.model_name), []).append(record.pk)
        condition = Q(pk__in=[])
        for (app_label, model_name), ids in ids_by_model.items():
            condition |= Q(content_type__app_label=app_label, content_type__model=model_name, object_id__in=ids)
        return self.filter(condition)


class ElectronicSignature(models.Model):
    """One electronic signature of one record: signer, printed name, UTC time, meaning, and the SHA-256 of the
    canonical JSON of the signed content (21 CFR 11.50, 11.70; security.md H2, H4).

    Written only by ``clinic.signatures.services.signature_create`` after the signer re-entered their password.
    The database refuses UPDATE and DELETE, so a signature can be neither altered nor removed, nor moved to another
    record; ``content`` keeps the signed content as hashed, so a later check can say what changed.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_username = models.CharField(max_length=150, help_text="The signer's user ID at signing time.")
    printed_name = models.CharField(max_length=300, help_text="The signer's full name at signing time (11.50).")
    signed_at = models.DateTimeField(help_text="Stored in UTC.")
    meaning = models.CharField(max_length=20, choices=SignatureMeaning.choices)
    statement = models.CharField(max_length=300, help_text="The words the signer saw and signed.")
    content_schema = models.CharField(max_length=60, help_text="Which definition of the signed content was hashed.")
    content_sha256 = models.CharField("content SHA-256", max_length=64)
    content = models.JSONField(help_text="The signed content, as hashed (canonical JSON values).")
    created_at = models.DateTimeField(db_default=Now(), editable=False)

    objects = ElectronicSignatureQuerySet.as_manager()

    class Meta:
        verbose_name = "electronic signature"
        ordering = ["signed_at", "id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="esignature_record_idx"),
            models.Index(fields=["signer", "-signed_at"], name="esignature_signer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_sha256__regex=r"^[0-9a-f]{64}$"),
                name="esignature_sha256_hex",
                violation_error_message="The content hash must be 64 lower-case hex digits (SHA-256).",
            ),
            models.CheckConstraint(
                condition=~Q(printed_name="") & ~Q(statement=""),
                name="esignature_manifestation_complete",
                violation_error_message="A signature needs the signer's printed name and its meaning.",
            ),
        ]
        triggers = [
            # Signatures are evidence: nobody edits or removes one, not even through raw SQL (11.70).
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.get_meaning_display()} signature by {self.printed_name} at {self.signed_at:%Y-%m-%d %H:%M} UTC"

    def verify(self) -> Verification:
        """Recompute the signed content now and compare its hash with the one signed."""
        from clinic.signatures.services import signatures_verify

        return signatures_verify([self])[0]
