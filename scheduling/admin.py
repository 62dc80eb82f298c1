"""The schedule's reference data in the Django admin: rooms, chairs, opening hours and closure days, kept by the
clinic admin. Bookings are made and changed on the clinic's own pages, through scheduling.services."""

from __future__ import annotations

from django.contrib import admin

from clinic.admin import NoDeleteAdmin, SettingsRowAdmin
from scheduling.models import Chair, Closure, OpeningHours, Room, SchedulingSettings


class ChairInline(admin.TabularInline):
    model = Chair
    fields = ["name", "is_active", "display_order"]
    extra = 0
    can_delete = False


@admin.register(Room)
class RoomAdmin(NoDeleteAdmin):
    list_display = ["name", "display_order"]
    search_fields = ["name"]
    inlines = [ChairInline]


@admin.register(Chair)
class ChairAdmin(NoDeleteAdmin):
    list_display = ["name", "room", "is_active", "display_order"]
    list_filter = ["is_active", "room"]
    list_select_related = ["room"]
    search_fields = ["name", "room__name"]


@admin.register(OpeningHours)
class OpeningHoursAdmin(NoDeleteAdmin):
    list_display = ["weekday", "opens", "closes"]
    search_fields = ["weekday"]


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    """A closure day entered in error can be deleted (the clinic opens after all); its change history stays."""

    list_display = ["date", "reason"]
    search_fields = ["reason"]
    date_hierarchy = "date"


@admin.register(SchedulingSettings)
class SchedulingSettingsAdmin(SettingsRowAdmin):
    """When reminders go out and what they say about the clinic (the clinic admin). The reminders themselves name
    patients' addresses: they are on each patient's page, not here."""

    list_display = ["__str__", "reminder_hours", "reminder_name", "updated_at"]
