from __future__ import annotations

from typing import Any

from django.contrib import admin

from clinic.models import ClinicSettings


class NoDeleteAdmin(admin.ModelAdmin):
    """Clinical and reference rows are voided or retired ("is active"), never deleted (PROTECT keys them too)."""

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ClinicSettings)
class ClinicSettingsAdmin(NoDeleteAdmin):
    """The clinic's tunable rules: one row, never deleted."""

    list_display = ["__str__", "screening_validity_months", "updated_at"]

    def has_add_permission(self, request: Any) -> bool:
        return not ClinicSettings.objects.exists()
