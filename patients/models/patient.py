"""The patient: identity, contact, indication and status."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Exists, F, Func, OuterRef, Q, QuerySet, Value
from django.urls import reverse
from django.utils import timezone

from clinic.audit import track_changes
from clinic.models import ClinicalRecord, VoidableQuerySet
from patients.choices import INDICATION_ICD10, Indication, MigraineTrigger, PatientStatus, Sex
from patients.validators import icd10_validator, validate_birth_date, validate_phone

if TYPE_CHECKING:
    from django.db.models.sql import Query

    from patients.models.readiness import Readiness


class PatientQuerySet(VoidableQuerySet):
    #: Set by ``visible_to`` on the queryset it returns (see there); a clone does not carry it.
    clinic_wide_query: Query | None = None

    def visible_to(self, user: Any) -> PatientQuerySet:
        """The patients ``user`` may see: the whole clinic for roles that read records, nobody otherwise, and of the
        restricted records only those of the user's care teams and active emergency-access grants.

        This is the single place that scopes patient rows (security.md C2, D1); a clinic chain adds its site filter
        here.
        """
        if user.is_authenticated and user.is_active and user.has_perm("patients.view_patient"):
            scoped = self.exclude(pk__in=hidden_from(user))
            # Marks "the whole clinic but the restricted records hidden from the user": the patient-scoped querysets
            # then exclude those few instead of joining every patient. Any later filter makes a new queryset
            # without the mark (so a site filter added here must come before this line or drop the mark).
            scoped.clinic_wide_query = scoped.query
            return scoped
        return self.none()

    def restricted_hidden_from(self, user: Any) -> PatientQuerySet:
        """Restricted patients out of ``user``'s scope (for the "restricted record" entry point of the search)."""
        return self.filter(pk__in=hidden_from(user))


def hidden_from(user: Any) -> QuerySet[Any]:
    """Ids of the restricted patients ``user`` may not open now: neither on the care team nor holding a grant.

    A subquery, so scoping stays one SQL statement: ``NOT (id IN (...))`` over the few restricted rows (a partial
    index finds them), which PostgreSQL hashes once per query; with no restricted patient it costs next to nothing
    at 100,000 patients (make bench, issue #8). The clock is Python's, so a grant's expiry is testable.
    """
    from patients.models.emergency import CareTeamMember, EmergencyAccessGrant

    care_team = CareTeamMember.objects.current().filter(patient=OuterRef("pk"), user=user.pk)
    grants = EmergencyAccessGrant.objects.active().filter(patient=OuterRef("pk"), user=user.pk)
    return Patient.objects.filter(is_restricted=True).exclude(Exists(care_team)).exclude(Exists(grants)).values("pk")


class PatientScopedQuerySet(VoidableQuerySet):
    """Base of the querysets of records that belong to a patient (courses, sessions, side effects...): a user sees
    them only for the patients ``Patient.objects.visible_to`` gives them, so scoping stays in one place."""

    #: An extra permission the user needs to see this kind of record at all (e.g. side effects: not front desk).
    scope_permission: str | None = None

    def visible_to(self, user: Any) -> Self:
        if self.scope_permission and not user.has_perm(self.scope_permission):
            return self.none()
        patients = Patient.objects.visible_to(user)
        if patients.query.is_empty():
            return self.none()
        if getattr(patients, "clinic_wide_query", None) is patients.query:
            # Every patient but the restricted ones hidden from the user: exclude those few (a partial index finds
            # them) rather than ``patient IN (SELECT id FROM patients_patient ...)``, which would filter almost
            # nothing yet make PostgreSQL join all patients into every count; at 100,000 patients that took most of
            # the side-effect queue's time (make bench, issue #8).
            return self.exclude(patient__in=hidden_from(user))
        return self.filter(patient__in=patients)


PatientManager = models.Manager.from_queryset(PatientQuerySet)


@track_changes(exclude=["search_name", "phone_digits"])
class Patient(ClinicalRecord):
    """A person treated at the clinic, identified by a system-assigned medical record number (MRN)."""

    mrn = models.CharField("MRN", max_length=20, unique=True, editable=False)
    given_name = models.CharField("legal given name", max_length=100)
    family_name = models.CharField("legal family name", max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True, help_text="What the patient likes to be called.")
    date_of_birth = models.DateField(validators=[validate_birth_date])
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    phone = models.CharField(max_length=30, validators=[validate_phone])
    email = models.EmailField(blank=True)
    reminders_consent = models.BooleanField(
        "may be sent appointment reminders",
        default=False,
        help_text="The patient agreed to be reminded of appointments by email and text message (no reminder is sent "
        "without it).",
    )
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("address (line 2)", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField("state", max_length=50, blank=True)
    postal_code = models.CharField("ZIP / postal code", max_length=20, blank=True)
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_relationship = models.CharField("relationship", max_length=100, blank=True)
    emergency_contact_phone = models.CharField(max_length=30, blank=True, validators=[validate_phone])
    primary_indication = models.CharField(max_length=30, choices=Indication.choices)
    icd10_code = models.CharField("ICD-10 code", max_length=10, blank=True, validators=[icd10_validator])
    referring_clinician = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=PatientStatus.choices, default=PatientStatus.ACTIVE)
    # A restricted record is out of everyone's scope but its care team's and emergency-access holders' (D1, D2).
    is_restricted = models.BooleanField("restricted record", default=False, editable=False)
    restricted_reason = models.TextField(blank=True, editable=False)
    clinic_notes = models.TextField(blank=True, help_text="Administrative notes (scheduling, preferences).")
    migraine_triggers = models.JSONField(default=list, blank=True)
    # Search columns kept by the database itself (patients/migrations/0004): names folded to lower case without
    # accents, and the phone number's digits; both carry trigram indexes for partial matches.
    search_name = models.GeneratedField(
        expression=Func(F("family_name"), F("given_name"), F("preferred_name"), function="patients_search_name"),
        output_field=models.TextField(),
        db_persist=True,
    )
    phone_digits = models.GeneratedField(
        expression=Func(F("phone"), Value(r"\D"), Value(""), Value("g"), function="regexp_replace"),
        output_field=models.TextField(),
        db_persist=True,
    )

    objects: ClassVar[PatientManager] = PatientManager()

    class Meta(ClinicalRecord.Meta):
        ordering = ["family_name", "given_name", "id"]
        indexes = [
            models.Index(fields=["family_name", "given_name", "id"], name="patient_name_idx"),
            models.Index(fields=["date_of_birth"], name="patient_dob_idx"),
            models.Index(fields=["status", "primary_indication"], name="patient_status_indication_idx"),
            models.Index(fields=["-created_at"], name="patient_created_idx"),
            GinIndex(OpClass(F("search_name"), name="gin_trgm_ops"), name="patient_search_name_trgm"),
            GinIndex(OpClass(F("phone_digits"), name="gin_trgm_ops"), name="patient_phone_digits_trgm"),
            # Scoping reads only the few restricted rows (visible_to).
            models.Index(fields=["id"], condition=Q(is_restricted=True), name="patient_restricted_idx"),
        ]
        permissions = [
            ("view_clinical_background", "Can read medications, history, screening answers and the diary"),
            ("change_clinical_background", "Can edit migraine triggers and other clinical background"),
            ("review_screening", "Can clear or decline a contraindication screening"),
            ("restrict_patient", "Can mark a patient's record restricted and name its care team"),
        ]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name} ({self.mrn})"

    def get_absolute_url(self) -> str:
        return reverse("patients:patient_detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        """An empty ICD-10 code takes the usual code of the indication (patients.choices.INDICATION_ICD10)."""
        if not self.icd10_code and self.primary_indication:
            self.icd10_code = INDICATION_ICD10.get(self.primary_indication, "")
        self.icd10_code = self.icd10_code.strip().upper()

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def short_name(self) -> str:
        """Family name and given initial ("Rivera M."): the schedule's label, short enough for a chair's row."""
        return f"{self.family_name} {self.given_name[:1]}."

    @property
    def display_name(self) -> str:
        """Family, given ("preferred")."""
        preferred = f' "{self.preferred_name}"' if self.preferred_name else ""
        return f"{self.family_name}, {self.given_name}{preferred}"

    def age_on(self, day: dt.date) -> int:
        """Age in whole years on ``day``."""
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    @property
    def is_headache_patient(self) -> bool:
        from patients.choices import HEADACHE_INDICATIONS

        return self.primary_indication in HEADACHE_INDICATIONS

    @property
    def migraine_trigger_labels(self) -> list[str]:
        """The known triggers as staff read them ("Sleep changes"), never their stored codes ("sleep"); a code no
        longer on the list is shown as stored (issue #16 point 7)."""
        labels = dict(MigraineTrigger.choices)
        return [labels.get(code, code) for code in self.migraine_triggers]

    @property
    def is_depression_patient(self) -> bool:
        from patients.choices import DEPRESSION_INDICATIONS

        return self.primary_indication in DEPRESSION_INDICATIONS

    def infusion_readiness(self, on: dt.date | None = None) -> Readiness:
        """Whether an infusion may start on ``on`` (default today): screening cleared and consent valid.

        The gate later issues call before "start infusion" (docs/clinical.md §2.1). Each problem is a sentence that says
        what is missing and what to do.
        """
        from patients.models.readiness import readiness_for

        return readiness_for(self, on or timezone.localdate())
