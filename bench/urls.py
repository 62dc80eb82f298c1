"""The URL conf in benchmark mode (``CLINIC_BENCHMARK=1``, set only by ``make bench``): the app's own URLs plus the
benchmark's floor page. Outside benchmark mode ``clinic.urls`` is the URL conf and the floor does not exist."""

from django.urls import path

from bench.views import BenchmarkFloorView
from clinic.urls import handler403, handler404, handler500
from clinic.urls import urlpatterns as app_urlpatterns

urlpatterns = [
    path("bench/floor/", BenchmarkFloorView.as_view(), name="bench_floor"),
    *app_urlpatterns,
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
