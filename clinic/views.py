"""Site-wide pages: the home dashboard, the health check and the error pages."""

from __future__ import annotations

import sys
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from clinic.database import DB_UNAVAILABLE
from clinic.navigation import shortcuts_for, waiting_for, waiting_total

# Connection refused or lost, server shutting down, statement timeout: the request can simply be sent again.


class HomeView(PermissionRequiredMixin, TemplateView):
    """What a member of staff sees after signing in: what waits for their role (counts, each linking to its list)
    and their role's shortcuts."""

    permission_required = "clinic.view_dashboard"
    template_name = "clinic/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["shortcuts"] = shortcuts_for(self.request.user)
        context["waiting"] = waiting_for(self.request.user)
        context["worklist_total"] = waiting_total(context["waiting"])  # the top bar's Worklist entry, no query more
        return context


@login_not_required
@never_cache
@transaction.non_atomic_requests  # ATOMIC_REQUESTS would fail before the view could answer 503
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 otherwise. No login; says nothing about patients."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> Any:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> Any:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> Any:
    """A 500 page rendered without the request context, so a broken database cannot break it too.

    When the error is the database being out of reach (restarting, failing over) or a query cancelled by the
    statement timeout, the answer is 503 with Retry-After: nothing in that request was saved, and trying again in a
    moment is the right thing to do (docs/deploy.md "Faults").
    """
    error = sys.exc_info()[1]
    if isinstance(error, DB_UNAVAILABLE):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "10"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
