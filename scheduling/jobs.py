"""The schedule's background job (found by procrastinate at start-up, clinic/background): appointment reminders."""

from __future__ import annotations

import logging

from clinic.background.queue import BACKOFF, app
from scheduling import reminders

logger = logging.getLogger(__name__)


# lock: one run at a time, whichever worker; queueing_lock: one run waiting is enough. A run records each reminder
# before sending it, so a second run, or a retry after a crash, sends nothing twice (scheduling/reminders.py).
@app.periodic(cron="*/5 * * * *")
@app.task(lock="reminders", queueing_lock="send_reminders", retry=BACKOFF)
def send_reminders(timestamp: int) -> None:
    """Every five minutes: the appointment reminders now due (only a count goes to the journal)."""
    logger.info("Sent %d appointment reminders.", reminders.send_due())
