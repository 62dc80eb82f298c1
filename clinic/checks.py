"""System checks of the project's own settings (run by ``manage.py check``; ``--deploy`` adds the deploy ones)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def benchmark_mode_off(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Benchmark mode adds a query-count header and the floor page: for ``make bench`` only, never in production."""
    if not settings.CLINIC_BENCHMARK:
        return []
    return [
        Warning(
            "CLINIC_BENCHMARK is on: responses carry a query-count header and /bench/floor/ answers.",
            hint="Unset CLINIC_BENCHMARK; only `make bench` sets it, for its own server.",
            id="clinic.W001",
        )
    ]
