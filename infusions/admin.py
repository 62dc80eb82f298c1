"""Infusions in the Django admin: the reference data a clinic admin tunes, and read-only clinical rows."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from clinic.admin import NoDeleteAdmin, SettingsRowAdmin
from infusions.models import (
    DrugPreparation,
    InfusionSession,
    InfusionSettings,
    Protocol,
    TreatmentCourse,
    VitalThresholdSettings,
)


@admin.register(Protocol)
class ProtocolAdmin(NoDeleteAdmin):
    list_display = ["name", "dosing_mode", "default_dose", "usual_min", "usual_max", "hard_max", "is_active"]
    list_filter = ["dosing_mode", "is_active"]
    search_fields = ["name"]


@admin.register(DrugPreparation)
class DrugPreparationAdmin(NoDeleteAdmin):
    list_display = ["name", "vial_mg_ml", "final_mg_ml", "is_active"]
    list_filter = ["vial_mg_ml", "is_active"]
    search_fields = ["name"]


@admin.register(VitalThresholdSettings)
class VitalThresholdSettingsAdmin(NoDeleteAdmin):
    list_display = ["__str__", "systolic_high", "diastolic_high", "spo2_low", "heart_rate_high"]

    def has_add_permission(self, request: Any) -> bool:
        return not VitalThresholdSettings.objects.exists()


class ReadOnlyClinicalAdmin(NoDeleteAdmin):
    """Courses and sessions change only through the app's services (state machine, dose checks, signing)."""

    list_select_related = ["patient"]
    autocomplete_fields = ["patient"]
    search_fields = ["patient__mrn"]
    show_full_result_count = False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(TreatmentCourse)
class TreatmentCourseAdmin(ReadOnlyClinicalAdmin):
    list_display = ["patient", "protocol", "status", "started_on", "planned_sessions"]
    list_filter = ["status", "protocol"]


@admin.register(InfusionSession)
class InfusionSessionAdmin(ReadOnlyClinicalAdmin):
    list_display = ["patient", "scheduled_for", "chair", "status", "total_mg", "signed_at"]
    list_filter = ["status"]
    date_hierarchy = "scheduled_for"


@admin.register(InfusionSettings)
class InfusionSettingsAdmin(SettingsRowAdmin):
    list_display = ["__str__", "nurses_may_sign_sessions", "updated_at"]
