"""Read-only admin for the access log. The change history is pghistory's own Events admin, which is read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from clinic.audit.models import PatientAccessEvent


class ReadOnlyAdminMixin:
    """Audit rows are evidence: nobody adds, changes or deletes them, not even a superuser."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(PatientAccessEvent)
class PatientAccessEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["occurred_at", "user", "patient", "category", "action", "ip_address"]
    list_filter = ["action", "category", "occurred_at"]
    search_fields = ["user__username", "patient__mrn"]
    list_select_related = ["user", "patient"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False
