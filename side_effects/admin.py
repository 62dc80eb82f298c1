"""Side effects in the Django admin: the pick-list of terms, which a clinic admin extends. Side effects themselves
are recorded, corrected and reviewed on the clinic's own pages."""

from django.contrib import admin

from clinic.admin import NoDeleteAdmin
from side_effects.models import SideEffectTerm


@admin.register(SideEffectTerm)
class SideEffectTermAdmin(NoDeleteAdmin):
    list_display = ["name", "category", "display_order", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["name"]
