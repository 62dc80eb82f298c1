from __future__ import annotations

from typing import Any

from django.contrib import admin

from clinic.audit.services import patient_access_log
from patients.models import Patient


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["mrn", "family_name", "given_name", "date_of_birth", "status", "voided_at"]
    list_filter = ["status"]
    search_fields = ["mrn", "family_name", "given_name"]
    list_select_related = True
    readonly_fields = ["mrn", "created_at", "updated_at", "voided_at", "void_reason"]
    show_full_result_count = False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def change_view(self, request: Any, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        """Opening a patient in the admin is a read of the record like any other (security.md F3)."""
        response = super().change_view(request, object_id, form_url, extra_context)
        patient = self.get_object(request, object_id)
        if patient is not None and response.status_code == 200:
            patient_access_log(request=request, patient=patient, category="admin")
        return response
