"""Patient records in the Django admin: searchable, never deleted, every opened record logged."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from clinic.admin import NoDeleteAdmin, PatientLinkedAdmin, ReadOnlyAdmin, SettingsRowAdmin
from clinic.audit.services import patient_access_log
from patients.models import (
    Allergy,
    AmendmentRequest,
    BodyMeasurement,
    CareTeamMember,
    Consent,
    ContraindicationItem,
    Disclosure,
    EmergencyAccessGrant,
    HeadacheDiaryEntry,
    Medication,
    Patient,
    PatientSettings,
    PriorTreatment,
    Screening,
)


@admin.register(Patient)
class PatientAdmin(NoDeleteAdmin):
    list_display = ["mrn", "family_name", "given_name", "date_of_birth", "primary_indication", "status", "voided_at"]
    list_filter = ["status", "primary_indication"]
    search_fields = ["mrn", "family_name", "given_name"]
    list_select_related = True
    readonly_fields = ["mrn", "created_at", "updated_at", "voided_at", "void_reason"]
    exclude = ["migraine_triggers"]
    show_full_result_count = False

    def change_view(self, request: Any, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        """Opening a patient in the admin is a read of the record like any other (security.md F3)."""
        response = super().change_view(request, object_id, form_url, extra_context)
        patient = self.get_object(request, object_id)
        if patient is not None and response.status_code == 200:
            patient_access_log(request=request, patient=patient, category="admin")
        return response


@admin.register(ContraindicationItem)
class ContraindicationItemAdmin(NoDeleteAdmin):
    """The screening checklist. Retire an item with "is active" rather than deleting it."""

    list_display = ["label", "level", "display_order", "is_active"]
    list_editable = ["display_order", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["label", "code"]


class PatientChildAdmin(NoDeleteAdmin):
    """Read-mostly views of a patient's records for administrators; staff edit them in the app."""

    list_select_related = ["patient"]
    autocomplete_fields = ["patient"]
    search_fields = ["patient__mrn"]
    show_full_result_count = False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: Any) -> bool:
        return False


for model, columns in [
    (Allergy, ["patient", "substance", "severity", "voided_at"]),
    (Medication, ["patient", "name", "medication_class", "start_date", "stop_date", "voided_at"]),
    (PriorTreatment, ["patient", "treatment", "kind", "adequate_trial", "outcome", "voided_at"]),
    (BodyMeasurement, ["patient", "measured_on", "weight_kg", "height_cm", "voided_at"]),
    (HeadacheDiaryEntry, ["patient", "entry_date", "had_headache", "worst_pain", "voided_at"]),
    (Consent, ["patient", "consent_type", "form_version", "signed_on", "expires_on", "voided_at"]),
    (Screening, ["patient", "screened_on", "status", "reviewed_by", "expires_on", "voided_at"]),
]:
    admin.site.register(model, type(f"{model.__name__}Admin", (PatientChildAdmin,), {"list_display": columns}))


@admin.register(Disclosure)
class DisclosureAdmin(PatientLinkedAdmin, ReadOnlyAdmin):
    """The accounting of disclosures (security.md H6): append-only, written through the app; shown here read-only."""

    list_display = ["disclosed_on", "patient", "recipient", "purpose", "source", "recorded_by"]
    list_filter = ["purpose", "source"]
    list_select_related = ["patient", "recorded_by"]
    date_hierarchy = "disclosed_on"
    show_full_result_count = False


@admin.register(AmendmentRequest)
class AmendmentRequestAdmin(PatientLinkedAdmin, ReadOnlyAdmin):
    """Patients' amendment requests (security.md H5): decided in the app, shown here read-only."""

    list_display = ["received_on", "patient", "status", "decided_on", "decided_by"]
    list_filter = ["status", "denial_basis"]
    list_select_related = ["patient", "decided_by"]
    show_full_result_count = False


@admin.register(EmergencyAccessGrant)
class EmergencyAccessGrantAdmin(PatientLinkedAdmin, ReadOnlyAdmin):
    """Emergency accesses, read-only: they are taken and reviewed in the app (security.md D2)."""

    list_display = ["started_at", "user", "patient", "reason_code", "expires_at", "review_outcome", "reviewed_by"]
    list_filter = ["review_outcome", "reason_code"]
    search_fields = ["patient__mrn", "user__username"]
    list_select_related = ["user", "patient", "reviewed_by"]
    autocomplete_fields = ["patient"]
    show_full_result_count = False


@admin.register(CareTeamMember)
class CareTeamMemberAdmin(PatientLinkedAdmin, ReadOnlyAdmin):
    """Care teams of restricted records, read-only: clinicians set them on the record's restriction page."""

    list_display = ["patient", "user", "added_by", "created_at", "removed_at"]
    search_fields = ["patient__mrn", "user__username"]
    list_select_related = ["patient", "user", "added_by"]
    autocomplete_fields = ["patient"]
    show_full_result_count = False


@admin.register(PatientSettings)
class PatientSettingsAdmin(SettingsRowAdmin):
    list_display = [
        "__str__",
        "screening_validity_months",
        "emergency_access_minutes",
        "diary_min_coverage_percent",
        "updated_at",
    ]
