"""What waits for the clinic admin on the dashboard (``clinic.navigation.register``): background jobs that failed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from clinic.navigation import WaitingCount

# A failed job counts for a week after its last failure: long enough to be seen after a weekend, after which it
# stays in the job list (filter "failed") but no longer asks for attention.
FAILED_JOBS_SHOWN_FOR = timedelta(days=7)


def failed_jobs(user: Any) -> list[WaitingCount] | None:
    """Jobs that failed for good (every retry used) within the last week."""
    if not (user.is_staff and user.has_perm("procrastinate.view_procrastinatejob")):
        return None
    from procrastinate.contrib.django.models import ProcrastinateEvent

    count = (
        ProcrastinateEvent.objects.filter(
            type="failed", job__status="failed", at__gte=timezone.now() - FAILED_JOBS_SHOWN_FOR
        )
        .values("job")
        .distinct()
        .count()
    )
    # The link opens the job list filtered to failed jobs (older failures included, newest first).
    return [WaitingCount("failed background jobs", count, "admin:procrastinate_procrastinatejob_changelist",
                         order=95, icon="x-octagon", query="status__exact=failed")]  # fmt: skip
