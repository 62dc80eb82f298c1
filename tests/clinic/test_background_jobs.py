"""Background jobs (issue #18): a job deferred to the queue in the app's own database is run by the worker; a failing
job is retried with exponential backoff; sealing the audit chain as a job twice has the effect of once; a job that
fails for good is counted for the clinic admin, who sees the jobs read-only in the admin."""

from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.urls import reverse
from procrastinate.contrib.django import app, procrastinate_app
from procrastinate.contrib.django.models import ProcrastinateEvent, ProcrastinateJob
from procrastinate.jobs import Job
from procrastinate.periodic import PeriodicRegistry

from clinic.audit import chain, jobs
from clinic.audit.models import AuditSeal, PatientAccessEvent
from clinic.background.queue import BACKOFF
from tests.clinic.test_audit_chain import access_rows
from tests.conftest import ALLOW_TRUNCATE_SQL

# The worker takes jobs with SELECT … FOR UPDATE on its own connection: the jobs must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

SHIP_LOGGER = "clinic.audit.ship"
JOB_LIST = "admin:procrastinate_procrastinatejob_changelist"
QUEUE_TABLES = "procrastinate_jobs, procrastinate_events, procrastinate_periodic_defers, procrastinate_workers"


@pytest.fixture(autouse=True)
def _empty_queue():
    """The queue's tables belong to no Django model that the test flush empties, so each test empties them."""
    yield
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(ALLOW_TRUNCATE_SQL)
        cursor.execute(f"TRUNCATE {QUEUE_TABLES}")


@pytest.fixture
def run_worker(monkeypatch):
    """Run a worker in this process against the test database until the queue is empty. Without the periodic
    schedule, so what it runs never depends on the minute the test started."""
    monkeypatch.setattr(procrastinate_app.current_app, "periodic_registry", PeriodicRegistry())

    def work() -> None:
        try:
            with app.replace_connector(app.connector.get_worker_connector()):
                app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)
        finally:
            connections.close_all()  # this thread's own connections, so the test database can be dropped

    def run() -> None:
        # In a thread of its own: the worker runs its own event loop (asyncio.run), which cannot start in a thread
        # where one already runs, as it does in an xdist worker that ran a Playwright test before this one.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(work).result()

    return run


def seal_job() -> ProcrastinateJob:
    return ProcrastinateJob.objects.get(pk=jobs.seal_audit.defer(timestamp=0))


def shipped(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == SHIP_LOGGER]


def test_audit_chain_is_sealed_every_five_minutes_by_the_worker():
    periodic = [p for p in app.periodic_registry.periodic_tasks.values() if p.task.name == jobs.seal_audit.name]
    assert [p.cron for p in periodic] == ["*/5 * * * *"]


def test_a_deferred_job_is_run_by_the_worker(run_worker):
    rows = access_rows(3)
    job = seal_job()
    assert job.status == "todo"

    run_worker()

    job.refresh_from_db()
    assert job.status == "succeeded"
    assert not AuditSeal.objects.filter(position__isnull=True).exists()
    sealed = AuditSeal.objects.filter(table_name=PatientAccessEvent._meta.db_table, position__isnull=False)
    assert set(sealed.values_list("row_pk", flat=True)) == {row.pk for row in rows}


def test_sealing_run_twice_links_and_ships_each_row_once(run_worker, caplog):
    caplog.set_level(logging.INFO, logger=SHIP_LOGGER)
    access_rows(3)
    seal_job()
    run_worker()
    position, head = chain.head()
    first = [line for line in shipped(caplog) if line.startswith("audit-link ")]
    caplog.clear()

    seal_job()  # the same job again (the first one is done, so its queueing lock is free)
    run_worker()

    assert chain.head() == (position, head)
    assert len(first) >= 3
    assert shipped(caplog) == [f"audit-head position={position} chain_hash={head}"]
    assert list(ProcrastinateJob.objects.values_list("status", flat=True)) == ["succeeded", "succeeded"]


def test_a_failing_job_is_queued_again_after_a_backoff(run_worker, monkeypatch):
    def database_restarting() -> int:
        raise OperationalError("the database system is starting up")

    monkeypatch.setattr(chain, "seal", database_restarting)
    job = seal_job()

    run_worker()

    job.refresh_from_db()
    assert (job.status, job.attempts) == ("todo", 1)
    failed_at = ProcrastinateEvent.objects.get(job=job, type="deferred_for_retry").at
    assert dt.timedelta(seconds=2) < job.scheduled_at - failed_at < dt.timedelta(seconds=5)  # 3 s, the first wait


def test_the_backoff_triples_each_time_and_gives_up_after_six_retries():
    assert jobs.seal_audit.retry_strategy is BACKOFF
    waits = []
    for attempts in range(8):
        job = Job(queue="default", lock=None, queueing_lock=None, task_name="x", attempts=attempts)
        now = dt.datetime.now(tz=dt.UTC)
        decision = BACKOFF.get_retry_decision(exception=OperationalError(), job=job)
        waits.append(None if decision is None else round((decision.retry_at - now).total_seconds()))
    assert waits == [3, 9, 27, 81, 243, 729, None, None]


def failed_job(run_worker) -> ProcrastinateJob:
    """A job the worker cannot run (its task is gone, as after an upgrade): it fails at once, with no retry."""
    job_id = app.configure_task(name="clinic.audit.jobs.removed_task").defer(record_id=7)
    run_worker()
    job = ProcrastinateJob.objects.get(pk=job_id)
    assert job.status == "failed"
    return job


def waiting(client) -> dict[str, tuple[int, str]]:
    response = client.get(reverse("home"))
    assert response.status_code == HTTPStatus.OK
    return {item["label"]: (item["count"], item["url"]) for item in response.context["waiting"]}


def test_a_job_that_failed_this_week_is_counted_for_the_clinic_admin_only(run_worker, clinic_admin_client, role_client):
    assert waiting(clinic_admin_client)["failed background jobs"] == (0, reverse(JOB_LIST) + "?status__exact=failed")
    failed_job(run_worker)

    assert waiting(clinic_admin_client)["failed background jobs"] == (1, reverse(JOB_LIST) + "?status__exact=failed")
    for role in ("front_desk", "nurse", "clinician"):
        assert "failed background jobs" not in waiting(role_client(role))


def test_a_failure_older_than_a_week_is_no_longer_counted(run_worker, clinic_admin_client):
    job = failed_job(run_worker)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE procrastinate_events SET at = at - interval '8 days' WHERE job_id = %s", [job.pk])

    assert waiting(clinic_admin_client)["failed background jobs"] == (0, reverse(JOB_LIST) + "?status__exact=failed")


def test_clinic_admin_reads_the_job_list_and_a_job_without_changing_anything(run_worker, clinic_admin_client):
    job = failed_job(run_worker)

    response = clinic_admin_client.get(reverse(JOB_LIST))
    assert response.status_code == HTTPStatus.OK
    assert list(response.context["cl"].result_list) == [job]
    assert response.context["action_form"] is None  # no retry, cancel or abort for the clinic admin
    job_page = reverse("admin:procrastinate_procrastinatejob_change", args=[job.pk])
    assert clinic_admin_client.get(job_page).status_code == HTTPStatus.OK
    response = clinic_admin_client.post(reverse("admin:procrastinate_procrastinatejob_delete", args=[job.pk]))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert ProcrastinateJob.objects.filter(pk=job.pk, status="failed").exists()


@pytest.mark.parametrize("role", ["front_desk", "nurse", "clinician"])
def test_other_roles_cannot_open_the_job_list(role_client, role):
    response = role_client(role).get(reverse(JOB_LIST))
    assert response.status_code == HTTPStatus.FOUND
    assert "/admin/login/" in response["Location"]
