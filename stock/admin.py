"""The stock ledger in the Django admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from clinic.admin import NoDeleteAdmin, PatientLinkedAdmin, ReadOnlyAdmin, SettingsRowAdmin
from stock.models import Form106Filing, StockCount, StockMovement, StockProduct, StockReceipt, StockSettings, Vial
from stock.quantities import fmt

# The ketamine stock ledger (issue #9). The clinic admin manages the products; receipts, vials, ledger entries, counts
# and Form 106 filings are written only by the app's services (append-only, refused UPDATE and DELETE by the
# database), so the admin shows them read-only.


@admin.register(StockProduct)
class StockProductAdmin(NoDeleteAdmin):
    list_display = ["name", "ndc", "concentration_mg_ml", "volume_ml", "schedule", "beyond_use_hours", "is_active"]
    list_filter = ["is_active", "concentration_mg_ml"]
    search_fields = ["name", "ndc"]

    def get_readonly_fields(self, request: Any, obj: StockProduct | None = None) -> Any:
        """Once vials of a product exist, the ledger's milligrams were computed from its strength: it stays fixed.
        A product with another strength is a new product."""
        if obj is not None and obj.vials.exists():
            return ["concentration_mg_ml", "volume_ml", "schedule"]
        return []


@admin.register(StockReceipt)
class StockReceiptAdmin(ReadOnlyAdmin):
    list_display = [
        "received_on", "product", "lot_number", "expires_on", "vial_count", "supplier_name", "supplier_dea_number",
        "received_by",
    ]  # fmt: skip
    list_filter = ["product"]
    list_select_related = ["product", "received_by"]
    search_fields = ["lot_number", "supplier_name", "supplier_dea_number", "invoice_number"]
    date_hierarchy = "received_on"


@admin.register(Vial)
class VialAdmin(ReadOnlyAdmin):
    list_display = ["label", "product", "lot", "status", "remaining", "opened_at", "beyond_use_at"]
    list_filter = ["status", "product"]
    list_select_related = ["product", "receipt"]
    search_fields = ["label", "receipt__lot_number"]

    @admin.display(description="lot", ordering="receipt__lot_number")
    def lot(self, vial: Vial) -> str:
        return vial.receipt.lot_number

    @admin.display(description="left (mg)", ordering="remaining_mg")
    def remaining(self, vial: Vial) -> str:
        return fmt(vial.remaining_mg)


@admin.register(StockMovement)
class StockMovementAdmin(PatientLinkedAdmin, ReadOnlyAdmin):
    """Ledger entries; those of a session name its patient (MRN only in the list), and every one shown is logged."""

    access_category = "stock_ledger"
    list_display = ["id", "occurred_at", "kind", "vial", "quantity", "patient_mrn", "by", "witness"]
    list_filter = ["kind", "product"]
    list_select_related = ["vial", "patient", "by", "witness"]
    search_fields = ["vial__label", "patient__mrn"]
    autocomplete_fields = ["patient"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False

    @admin.display(description="mg", ordering="quantity_mg")
    def quantity(self, movement: StockMovement) -> str:
        return fmt(movement.quantity_mg)

    @admin.display(description="patient", ordering="patient__mrn")
    def patient_mrn(self, movement: StockMovement) -> str:
        return movement.patient.mrn if movement.patient else "—"


@admin.register(StockCount)
class StockCountAdmin(ReadOnlyAdmin):
    list_display = ["counted_at", "product", "kind", "sealed_vials", "open_volume_ml", "variance_mg", "counted_by",
                    "witness"]  # fmt: skip
    list_filter = ["kind", "product"]
    list_select_related = ["product", "counted_by", "witness"]
    search_fields = ["product__name", "variance_reason"]
    date_hierarchy = "counted_at"


@admin.register(Form106Filing)
class Form106FilingAdmin(ReadOnlyAdmin):
    list_display = ["filed_on", "reference", "loss", "filed_by", "recorded_by", "recorded_at"]
    list_select_related = ["loss", "filed_by", "recorded_by"]
    search_fields = ["reference"]


@admin.register(StockSettings)
class StockSettingsAdmin(SettingsRowAdmin):
    list_display = [
        "__str__",
        "start_needs_draw",
        "waste_needs_witness_password",
        "stock_count_interval_days",
        "updated_at",
    ]
