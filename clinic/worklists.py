"""The Worklist page and the top bar's Worklist entry (issue #18): what waits for the signed-in user, each count
linking to the list of exactly what it counts (clinic.navigation ``waiting_for``).

The top bar asks this page for its entry with htmx once a page has loaded (``hx-trigger="load"``), so the counts'
queries (one per provider, none for a role that does not do that work) are paid by that small request and not by
every page; an htmx GET is not activity, so it never keeps an idle screen from locking (ScreenLockMiddleware).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import TemplateView

from clinic.navigation import waiting_for, waiting_total


class WorklistView(PermissionRequiredMixin, TemplateView):
    """Everything that waits for the user's roles, as counts linking to their lists; to htmx, the top bar entry."""

    permission_required = "clinic.view_dashboard"
    template_name = "clinic/worklist.html"

    def get_template_names(self) -> list[str]:
        if self.request.headers.get("HX-Request"):
            return ["includes/_worklist_nav.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        waiting = waiting_for(self.request.user)
        return super().get_context_data(waiting=waiting, worklist_total=waiting_total(waiting), **kwargs)
