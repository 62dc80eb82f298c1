"""The kiosk in the Django admin: its settings (idle time, crisis text), kept by the clinic admin, and the log of
kiosk visits, read only (written by the kiosk's services). The log names the patient by MRN only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from clinic.admin import ReadOnlyAdmin, SettingsRowAdmin
from portal.models import KioskVisit, PortalSettings


@admin.register(KioskVisit)
class KioskVisitAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "device", "patient_mrn", "started_by", "answered", "ended_how", "ended_at"]
    list_filter = ["ended_how", "device"]
    list_select_related = ["patient", "started_by"]
    fields = readonly_fields = ("started_at", "device", "patient_mrn", "started_by", "items", "answered",
                                "ended_at", "ended_how", "ended_by")  # fmt: skip
    date_hierarchy = "started_at"

    @admin.display(description="patient (MRN)")
    def patient_mrn(self, visit: KioskVisit) -> Any:
        return visit.patient.mrn


@admin.register(PortalSettings)
class PortalSettingsAdmin(SettingsRowAdmin):
    list_display = ["__str__", "kiosk_idle_minutes", "updated_at"]
