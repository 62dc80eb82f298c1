"""What waits for the clinic admin on the dashboard (``clinic.navigation.register``): background jobs that failed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateEvent

from clinic.navigation import CountOf

# A failed job counts for a week after its last failure: long enough to be seen after a weekend, after which it
# stays in the job list (filter "failed") but no longer asks for attention.
FAILED_JOBS_SHOWN_FOR = timedelta(days=7)


def jobs_failed_this_week(_user: Any = None) -> Any:
    """Jobs that failed for good (every retry used) within the last week, one row per job."""
    recent = timezone.now() - FAILED_JOBS_SHOWN_FOR
    failures = ProcrastinateEvent.objects.filter(type="failed", job__status="failed", at__gte=recent)
    return failures.values("job").distinct()


# The link opens the job list filtered to failed jobs (older failures included, newest first).
failed_jobs = CountOf("failed background jobs", "admin:procrastinate_procrastinatejob_changelist",
                      jobs_failed_this_week, permissions=("procrastinate.view_procrastinatejob",), order=95,
                      icon="x-octagon", query="status__exact=failed")  # fmt: skip
