"""The job list in the admin, read-only for the clinic admin: procrastinate's own list (status, arguments, the last
event and each job's events) without its retry, cancel and abort actions, which only a superuser keeps."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from procrastinate.contrib.django.admin import ProcrastinateJobAdmin
from procrastinate.contrib.django.models import ProcrastinateJob

admin.site.unregister(ProcrastinateJob)


@admin.register(ProcrastinateJob)
class BackgroundJobAdmin(ProcrastinateJobAdmin):
    search_fields = ["task_name"]
    list_select_related = False  # the list shows no related row; each job's events are prefetched
    ordering = ["-id"]  # the latest first

    def get_actions(self, request: Any) -> dict[str, Any]:
        return super().get_actions(request) if request.user.is_superuser else {}
