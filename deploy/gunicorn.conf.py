"""gunicorn settings for the clinic (docs/deploy.md). Every value can be overridden by the environment.

Sync workers behind nginx: nginx buffers slow clients and request bodies, so a worker is only busy while Django
works. The database does the waiting, so two to three workers per core keep the CPU busy.
"""

from __future__ import annotations

import logging
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "sync"
# A request still running after `timeout` seconds has its worker killed and replaced (the client gets 502 from
# nginx, nothing is committed). The database statement timeout ends a stuck query earlier, with the friendly 503.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))  # SIGTERM/HUP: finish requests in flight
keepalive = 5
# Recycle workers now and then, staggered, so slow leaks never build up.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Trust X-Forwarded-Proto only from nginx on this host.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
# No query strings in the log: the path never carries patient data (STYLE.md 3), a query string might.
access_log_format = '%({x-real-ip}i)s %(m)s "%(U)s" %(s)s %(B)s %(M)sms pid=%(p)s'
proc_name = os.environ.get("GUNICORN_PROC_NAME", "clinic")

# Queries are cancelled before gunicorn's timeout, so a stuck request ends with the 503 page, not a killed worker.
os.environ.setdefault("DJANGO_DB_STATEMENT_TIMEOUT_MS", str(max(timeout - 10, 1) * 1000))


def worker_abort(worker) -> None:
    """Called in a worker killed for exceeding ``timeout``: leave one line in the log saying so."""
    logging.getLogger("gunicorn.error").warning("worker %s exceeded the %ss timeout and was stopped", worker.pid,
                                                 timeout)  # fmt: skip


def post_fork(server, worker) -> None:
    """Name each worker's database connections after it (pg_stat_activity.application_name: clinic/<pid>), so a
    stuck query can be traced to the worker running it."""
    os.environ["PGAPPNAME"] = f"{proc_name}/{worker.pid}"


def post_worker_init(worker) -> None:
    """Connect once before the first request. django.contrib.postgres looks up the hstore and citext type ids on a
    process's first connection (two queries, kept for the process's life); doing it here keeps them off the first
    patient's request and off the benchmark's per-page query counts (docs/plans/issue-15.md, Progress)."""
    from django.db import DatabaseError, connection

    try:
        connection.ensure_connection()
    except DatabaseError:  # the database is down: the first request answers 503 as before
        logging.getLogger("gunicorn.error").warning("worker %s started without a database connection", worker.pid)
    finally:
        connection.close()
