"""The Django admin behind the same sign-in as the rest of the app: password, then the second factor.

The admin's own login form would take a password alone, so it is replaced by a redirect to the clinic's sign-in,
and the admin additionally refuses any session that has not passed the second factor (security.md A5).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme


class ClinicAdminSite(admin.AdminSite):
    site_header = "Clinic administration"
    site_title = "Clinic administration"
    index_title = "Users, roles, reference data and audit"

    def has_permission(self, request: Any) -> bool:
        return super().has_permission(request) and request.user.is_verified()

    @method_decorator(login_not_required)
    def login(self, request: Any, extra_context: Any = None) -> Any:
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("admin:index")
        return redirect_to_login(target, reverse("login"))
