"""The benchmark's floor page (issue #8), served only in benchmark mode through ``bench.urls``."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache


@method_decorator(never_cache, name="dispatch")
class BenchmarkFloorView(PermissionRequiredMixin, View):
    """The cheapest page a signed-in user can get from this stack: session, user, permission check and one query.
    The pages the benchmark times are compared with it."""

    permission_required = "clinic.view_dashboard"

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.CLINIC_BENCHMARK:  # bench.urls is the URL conf only in benchmark mode; this is belt and braces
            raise Http404
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return HttpResponse("ok", content_type="text/plain")
