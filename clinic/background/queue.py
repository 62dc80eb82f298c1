"""The queue every job is written against: procrastinate's Django app, and the retry rule jobs share.

Every job is **idempotent**: running it twice has the effect of running it once. A worker can die after a job's
work is done but before the job is marked done (power cut, OOM kill); such a stalled job is run again
(``clinic/background/jobs.py`` ``retry_stalled_jobs``), and a failed one is retried with ``BACKOFF``. So a job checks
what is already done before doing it (a reminder looks for its sent message first; sealing links only unlinked rows).

Job arguments are record keys, never names or clinical values: the worker logs each job with its arguments, and the
admin's job list shows them.
"""

from __future__ import annotations

from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

__all__ = ["BACKOFF", "app"]

# Exponential backoff: a failed job runs again after 3 s, then 9 s, 27 s, 81 s, about 4 min and 12 min (3 ** n),
# so a database restart or a mail server's short outage is ridden out. After those six retries (seven runs, about
# 18 minutes) it stays failed and counts on the clinic admin's home page (counts.py).
BACKOFF = RetryStrategy(max_attempts=6, exponential_wait=3)
