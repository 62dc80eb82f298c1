"""Background jobs (issue #18): work that must not run inside a web request, on a queue kept in the app's own
PostgreSQL (procrastinate), so the embedded default database still needs nothing else.

- Each app keeps its jobs in its own ``jobs.py`` (``clinic/audit/jobs.py``, ``clinic/background/jobs.py``), found at
  start-up like ``admin.py`` (``PROCRASTINATE_AUTODISCOVER_MODULE_NAME``), and writes them with ``queue.app`` and
  ``queue.BACKOFF``.
- The worker is ``manage.py procrastinate worker``: ``make run`` and ``make serve`` start it beside the web server,
  production runs it as ``deploy/systemd/clinic-worker.service`` (docs/deploy.md "Background jobs").
- The clinic admin sees the jobs, read-only, in the admin (``admin.py``) and a count of recent failures on the home
  page (``counts.py``).
"""
