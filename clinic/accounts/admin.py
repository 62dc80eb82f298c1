"""Staff accounts in the admin: never deleted (deactivate instead), roles chosen from the groups."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from clinic.accounts import mfa
from clinic.accounts.events import security_event
from clinic.accounts.models import User


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "is_active", "is_staff", "is_wall_board", "last_login"]
    list_filter = ["is_active", "is_staff", "is_wall_board", "groups"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Wall board", {"fields": ["is_wall_board"], "description": "For a screen on the wall, not a person."}),
    )
    search_fields = ["username", "first_name", "last_name", "email"]
    list_select_related = True
    readonly_fields = ["last_login", "date_joined"]
    actions = ["reset_authenticator"]

    @admin.action(description="Reset the authenticator (lost phone): they set up a new one at next sign-in")
    def reset_authenticator(self, request: Any, queryset: Any) -> None:
        for user in queryset:
            mfa.reset(user=user)
            security_event("mfa_reset", request=request, user=request.user, detail=f"for user {user.pk}")
        self.message_user(request, f"Authenticator reset for {queryset.count()} account(s).")

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        """Only a superuser grants superuser status or permissions outside the roles (no self-escalation)."""
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions"]
        return fields
