"""The queue's own housekeeping, run by the worker on a schedule (each app's jobs are in its own ``jobs.py``)."""

from __future__ import annotations

from procrastinate import JobContext

from clinic.background.queue import app

# A job still "doing" on a worker silent for this long was cut off (the worker was killed): it is run again, which
# is safe because every job is idempotent (queue.py). Workers beat every 10 s (procrastinate's default).
STALLED_AFTER_SECONDS = 60
# Finished jobs kept for the admin's list; failed ones are kept until someone looks (counts.py counts recent ones).
KEEP_SUCCEEDED_HOURS = 7 * 24


@app.periodic(cron="*/10 * * * *")
@app.task(queueing_lock="retry_stalled_jobs", pass_context=True)
async def retry_stalled_jobs(context: JobContext, timestamp: int) -> int:
    """Put back in the queue the jobs of workers that died in the middle of them; return how many."""
    stalled = list(await context.app.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_SECONDS))
    for job in stalled:
        await context.app.job_manager.retry_job(job)
    return len(stalled)


@app.periodic(cron="40 3 * * *")
@app.task(queueing_lock="remove_old_jobs", pass_context=True)
async def remove_old_jobs(context: JobContext, timestamp: int) -> None:
    """Delete the jobs that succeeded more than a week ago (and their events); failed jobs stay."""
    await context.app.job_manager.delete_old_jobs(nb_hours=KEEP_SUCCEEDED_HOURS)
