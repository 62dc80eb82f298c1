from __future__ import annotations

from typing import Any

from django.contrib import admin

from clinic.audit.models import AccessAction
from clinic.audit.services import patient_access_log, patient_access_log_many


class NoDeleteAdmin(admin.ModelAdmin):
    """Clinical and reference rows are voided or retired ("is active"), never deleted (PROTECT keys them too)."""

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(NoDeleteAdmin):
    """Rows written only through the app's services (append-only ledgers, evidence): shown, never added or changed
    in the admin."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class PatientLinkedAdmin(admin.ModelAdmin):
    """Rows that name a patient: every patient the list or a row's page shows is access-logged, one row per patient
    (security.md F1, F3). ``patient_field`` is the row's foreign key to the patient (it may be empty)."""

    patient_field = "patient"
    access_category = "admin"

    def changelist_view(self, request: Any, extra_context: Any = None) -> Any:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl") if response.status_code == 200 else None
        if changelist is not None:
            patients = [getattr(row, self.patient_field) for row in changelist.result_list]
            patient_access_log_many(request=request, patients=[p for p in patients if p is not None],
                                    category=self.access_category, action=AccessAction.VIEW)  # fmt: skip
        return response

    def change_view(self, request: Any, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        response = super().change_view(request, object_id, form_url, extra_context)
        row = self.get_object(request, object_id) if response.status_code == 200 else None
        patient = getattr(row, self.patient_field) if row is not None else None
        if patient is not None:
            patient_access_log(request=request, patient=patient, category=self.access_category)
        return response


class SettingsRowAdmin(NoDeleteAdmin):
    """An app's tunable rules (``clinic.models.SettingsRow``): one row, made after every migrate, edited, never
    added or deleted here."""

    def has_add_permission(self, request: Any) -> bool:
        return False
