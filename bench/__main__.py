"""``make bench`` / ``python -m bench``: see bench/__init__.py. Environment:

- ``SCALE``: ``full`` (default: 10,000 and 100,000 patients) or ``small`` (200 and 2,000; about a minute).
- ``BENCH_DATABASE``: the database to (re)create, default ``clinic_bench`` / ``clinic_bench_small``; its name must
  contain "bench". It ends with the largest size; the smaller size is kept as ``<name>_<patients>`` (e.g.
  ``clinic_bench_10000``). Both are kept afterwards for profiling (``BENCH_DROP=1`` drops them).
- ``BENCH_OUT``: where the results go (default ``var/bench``). ``BENCH_WORKERS``: gunicorn workers.
- ``DATABASE_URL``: the server to use (its own database is never touched); unset: the embedded server.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any

from bench import database
from bench.scales import current_scale

BASE_DIR = Path(__file__).resolve().parent.parent
ROW_LABELS = {
    "patients_patient": "patients", "infusions_treatmentcourse": "courses", "infusions_infusionsession": "sessions",
    "infusions_vitalsign": "sets of vitals", "infusions_ratechange": "rate changes",
    "infusions_sessionmedication": "medications given", "infusions_adverseevent": "side effects",
    "patients_questionnaireresponse": "questionnaires", "patients_screeninganswer": "screening answers",
    "scheduling_booking": "bookings",
}  # fmt: skip


def log(message: str) -> None:
    print(f"[bench {dt.datetime.now(dt.UTC):%H:%M:%S}] {message}", flush=True)


def setup(scale_name: str) -> tuple[database.Server, str, str, str]:
    """Create the benchmark database and point this process's Django at it; return (server, name, secret, where)."""
    default = "clinic_bench" if scale_name == "full" else f"clinic_bench_{scale_name}"
    name = database.check_name(os.environ.get("BENCH_DATABASE") or default)
    where = "the server of DATABASE_URL" if os.environ.get("DATABASE_URL", "").strip() else "embedded server"
    server = database.current_server()
    database.recreate(server, name)
    secret = secrets.token_urlsafe(50)
    os.environ.update(
        DATABASE_URL=server.url(name), DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secret,
        DJANGO_ALLOWED_HOSTS="127.0.0.1", DJANGO_SETTINGS_MODULE="clinic.settings",
    )  # fmt: skip
    import django

    django.setup()
    return server, name, secret, where


def staff() -> tuple[list[int], list[int], Any, Any]:
    """Nurses and clinicians to author the data (no password: they cannot sign in), and the two who are timed:
    a clinician (every main page) and a superuser for the admin's search."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from clinic.accounts import roles

    user_model = get_user_model()

    def make(prefix: str, role: str, count: int) -> list[Any]:
        group = Group.objects.get(name=role)
        users = []
        for n in range(1, count + 1):
            user = user_model.objects.create_user(f"bench_{prefix}{n:02d}", first_name="Bench",
                                                  last_name=f"{prefix.title()} {n}")  # fmt: skip
            user.groups.add(group)
            users.append(user)
        return users

    nurses, clinicians = make("nurse", roles.NURSE, 20), make("clinician", roles.CLINICIAN, 5)
    admin = user_model.objects.create_superuser("bench_admin", email="", password=None)
    return [u.pk for u in nurses], [u.pk for u in clinicians], clinicians[0], admin


def measure_sizes(ctx: Any, sizes: list[dict[str, Any]], *, server: database.Server, user: Any, admin: Any,
                  secret: str, out: Path) -> dict[str, Any]:  # fmt: skip
    """Serve each size's database with its own gunicorn and time them together: the pages in interleaved rounds,
    then the patient page's throughput in alternating turns (bench/measure.py)."""
    from bench.login import login_session
    from bench.measure import LoadSampler, Target, throughput, time_pages
    from bench.pages import pages
    from bench.server import AppServer

    scale = ctx.scale
    with contextlib.ExitStack() as stack:
        targets = []
        for size in sizes:
            with database.using(size["database"]):  # sessions and search counts live in each size's database
                timed, concurrent = pages(ctx, user=user, admin=admin)
                cookies = [login_session(user) for _ in range(scale.concurrency)]
            app = stack.enter_context(AppServer(database_url=server.url(size["database"]), secret_key=secret,
                                                log=out / f"gunicorn-{size['patients']}.log"))  # fmt: skip
            targets.append(Target(size["patients"], app.port, timed, concurrent, cookies))
            size["workers"] = app.workers()
        requests = {p.key: scale.report_requests if p.kind == "report" else scale.requests for p in targets[0].pages}
        load = LoadSampler()
        started = time.monotonic()
        timed_pages = time_pages(targets, requests=requests, warmup=scale.warmup, load=load)
        load.sample()
        rates = throughput(targets, scale.throughput_seconds)
        seconds = round(time.monotonic() - started)
    for size, measured, rate in zip(sizes, timed_pages, rates, strict=True):
        size.update(pages=measured, throughput=rate)
    return {"interleaved": True, "seconds": seconds, "load_1min": load.summary()}


def main() -> int:
    scale = current_scale()
    out = Path(os.environ.get("BENCH_OUT") or BASE_DIR / "var" / "bench")
    started = time.monotonic()
    log(f"SCALE={scale.name}: {scale.label}")
    server, name, secret, where = setup(scale.name)
    from django.core.management import call_command
    from django.db import connection

    from bench import report
    from bench.generate import Context, generate
    from bench.measure import PageError
    from bench.pages import search_term

    log(f"database {name} on {server.host}:{server.port}: migrating")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    nurses, clinicians, user, admin = staff()
    ctx = Context(scale=scale, nurses=nurses, clinicians=clinicians)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    results: dict[str, Any] = {
        "scale": scale.name, "started_at": dt.datetime.now(dt.UTC).isoformat(), "machine": report.machine(),
        "database": {"name": name, "version": f"PostgreSQL {version}", "where": where},
        "sizes": [],
    }  # fmt: skip
    rows: dict[str, int] = {}
    already = 0
    made = [name]
    try:
        for index, patients in enumerate(scale.sizes):
            log(f"size {patients:,}: generating {patients - already:,} patients with COPY")
            generation = generate(ctx, index, already)
            already = patients
            for table, count in generation["rows"].items():
                rows[table] = rows.get(table, 0) + count
            log(f"size {patients:,}: {generation['rows_total']:,} rows in {generation['seconds']['total_s']} s "
                f"({generation['seconds']})")  # fmt: skip
            if index == 0:
                ctx.picks["term"] = search_term(ctx)
            size: dict[str, Any] = {"patients": patients, "database": name, "generation": generation,
                    "rows_total": {ROW_LABELS[t]: n for t, n in rows.items() if t in ROW_LABELS}}  # fmt: skip
            if index < len(scale.sizes) - 1:  # keep this size as a copy; the next size's rows go into ``name``
                size["database"] = f"{name}_{patients}"
                connection.close()
                size["generation"]["seconds"]["clone_s"] = round(database.clone(server, name, size["database"]), 1)
                made.append(size["database"])
                log(f"size {patients:,}: copied to database {size['database']} in "
                    f"{size['generation']['seconds']['clone_s']} s")  # fmt: skip
            results["sizes"].append(size)
        log(f"timing the pages over HTTP at {scale.label}, interleaved")
        results["timing"] = measure_sizes(ctx, results["sizes"], server=server, user=user, admin=admin,
                                          secret=secret, out=out)  # fmt: skip
        for size in results["sizes"]:
            log(f"size {size['patients']:,}:")
            for page in size["pages"].values():
                log(f"  {page['label']:42} p50 {page['p50_ms']:7.1f} ms  p95 {page['p95_ms']:7.1f} ms  "
                    f"{page['queries']:3d} queries  {page['bytes'] / 1024:6.0f} KB")  # fmt: skip
            rate = size["throughput"]
            log(f"  patient page, {rate['clients']} clients: {rate['per_second']} requests/s "
                f"(p50 {rate['p50_ms']} ms, p95 {rate['p95_ms']} ms)")  # fmt: skip
        log(f"load average (1 min) while timing: {results['timing']['load_1min']}")
    except PageError as exc:
        log(f"FAILED: {exc}")
        return 1
    finally:
        connection.close()
        if os.environ.get("BENCH_DROP") == "1":
            for made_name in made:
                database.drop(server, made_name)
    results["finished_at"] = dt.datetime.now(dt.UTC).isoformat()
    results["seconds"] = round(time.monotonic() - started)
    report.analyse(results)
    json_path, md_path = report.write(results, out)
    table = md_path.read_text()
    print("\n" + table)
    if scale.name == "full" and report.update_results_doc(table):
        log("docs/performance.md: benchmark table updated")
    log(f"done in {results['seconds']} s: {json_path}, {md_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
