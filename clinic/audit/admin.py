"""Read-only admin for the access log and authentication events; the lockouts admin with audited unlocking.

The change history is pghistory's own Events admin, which is read-only."""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin

from clinic.audit.lockout import locked_out_attempts
from clinic.audit.models import AuthEvent, PatientAccessEvent
from clinic.audit.receivers import unlocking


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


@admin.register(AuthEvent)
class AuthEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["occurred_at", "kind", "username", "user", "ip_address", "route", "detail"]
    list_filter = ["kind", "occurred_at"]
    search_fields = ["username", "user__username", "ip_address"]
    list_select_related = ["user"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False


# Lockouts: axes' own admin, with deleting an attempt named for what it does (lift the lockout) and audited.
admin.site.unregister(AccessAttempt)


class LockedNowFilter(admin.SimpleListFilter):
    """The "Locked out now" filter: the attempts the dashboard's "accounts locked out" counts (one rule, issue #18)."""

    title = "lockout"
    parameter_name = "locked"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        return [("now", "Locked out now")]

    def queryset(self, request: Any, queryset: Any) -> Any:
        if self.value() == "now":
            return queryset.filter(pk__in=locked_out_attempts().values("pk"))
        return queryset


@admin.register(AccessAttempt)
class LockoutAdmin(AccessAttemptAdmin):
    """Failed sign-in counts and lockouts. Removing a row lifts its lockout; each one is recorded as an AuthEvent
    naming the admin (``clinic.audit.receivers.on_attempt_deleted``)."""

    actions = ["lift_lockout", "cleanup_expired_attempts"]
    list_filter = [LockedNowFilter, *AccessAttemptAdmin.list_filter]

    @admin.action(description="Lift the lockout of the selected sign-ins", permissions=["delete"])
    def lift_lockout(self, request: Any, queryset: Any) -> None:
        count = queryset.count()
        self.delete_queryset(request, queryset)
        self.message_user(request, f"Lifted {count} lockout count(s). Each one is recorded in the audit trail.")

    def delete_model(self, request: Any, obj: Any) -> None:
        with unlocking(user=request.user, via="the admin"):
            super().delete_model(request, obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        with unlocking(user=request.user, via="the admin"):
            super().delete_queryset(request, queryset)
