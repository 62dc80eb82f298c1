"""``make loadtest`` (``python -m loadtest``): the load test of issue #10, start to finish.

1. A scratch database on the test server (``deploycheck_load_<pid>``), copied from the migrated template, with the
   demo data, 20 nurses each with an infusing session, 5 clinicians.
2. The production setup on loopback (tests/deploy/stack.py): nginx with TLS in front of LOADTEST_INSTANCES gunicorn
   instances (default 2) of LOADTEST_WORKERS workers each (default 3).
3. locust, headless, for LOADTEST_SECONDS (default 120): 20 nurses charting and 5 clinicians reading.
4. Every write acknowledged with a redirect is looked up in the database: it must be there exactly once.

Prints throughput, latency percentiles and errors, writes var/loadtest/result.json (LOADTEST_OUT: another folder),
and exits non-zero on any server error, failed request, lost or duplicated write, or a restricted record that was
not refused.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")  # this process only reads the database settings
django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402

from tests.deploy.stack import Stack  # noqa: E402
from tests.deploy.support import BASE_DIR, PYTHON, database_url, manage, scratch_database, server  # noqa: E402

SECONDS = int(os.environ.get("LOADTEST_SECONDS", "120"))
INSTANCES = int(os.environ.get("LOADTEST_INSTANCES", "2"))
WORKERS = int(os.environ.get("LOADTEST_WORKERS", "3"))
OUT = Path(os.environ.get("LOADTEST_OUT") or BASE_DIR / "var" / "loadtest")
CPU: dict[str, float] = {}  # cores used on average during the run, per part of the setup


def prepare(name: str) -> Path:
    url, plan = database_url(name), OUT / "plan.json"
    manage("seed_demo", url=url)  # on a copy of the migrated template (clinic/schema_template.py)
    manage("shell", "-c", f"from loadtest.seed import run; run({str(plan)!r}, 20, 5)", url=url)
    return plan


def cpu_seconds(pids: list[int]) -> float:
    """CPU time used so far by these processes and all their children (live ones, and reaped ones)."""
    import psutil

    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            root = psutil.Process(pid)
            for process in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    times = process.cpu_times()
                    total += times.user + times.system + times.children_user + times.children_system
    return total


def postmaster_pid() -> int | None:
    """The embedded PostgreSQL server's pid when the load database is on it (its CPU is then measured too)."""
    from clinic.database import EMBEDDED_PGDATA

    pidfile = EMBEDDED_PGDATA / "postmaster.pid"
    if os.environ.get("DATABASE_URL") or not pidfile.exists():
        return None
    return int(pidfile.read_text().split()[0])


def run_locust(stack: Stack, plan: Path, acks: Path) -> Path:
    prefix = OUT / "stats"
    env = {**os.environ, "LOADTEST_PLAN": str(plan), "LOADTEST_ACKS": str(acks)}
    command = [str(Path(PYTHON).parent / "locust"), "-f", str(BASE_DIR / "loadtest/locustfile.py"), "--headless",
               "--users", "25", "--spawn-rate", "25", "--run-time", f"{SECONDS}s", "--stop-timeout", "15",
               "--host", stack.base_url, "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"]  # fmt: skip
    groups = {"gunicorn": [app.process.pid for app in stack.apps], "nginx": [stack.nginx.pid],
              "postgresql": [pid] if (pid := postmaster_pid()) else []}  # fmt: skip
    before = {name: cpu_seconds(pids) for name, pids in groups.items()}
    load_before, started = os.getloadavg()[0], time.monotonic()
    locust = subprocess.Popen(command, cwd=BASE_DIR, env=env)  # the verdict is ours, from the numbers below
    groups["locust"] = [locust.pid]
    before["locust"] = 0.0
    peak = {name: 0.0 for name in groups}
    while locust.poll() is None:  # reaped children vanish from the tree: keep the highest reading
        peak = {name: max(peak[name], cpu_seconds(pids)) for name, pids in groups.items()}
        time.sleep(2)
    wall = time.monotonic() - started
    CPU.update({name: round((peak[name] - before[name]) / wall, 2) for name in groups})
    CPU["load_average_1min_before"] = round(load_before, 2)
    return Path(f"{prefix}_stats.csv")


def read_stats(path: Path) -> dict:
    rows = {row["Name"]: row for row in csv.DictReader(path.open())}
    total = rows["Aggregated"]
    pick = {"requests": "Request Count", "failures": "Failure Count", "rps": "Requests/s", "p50_ms": "50%",
            "p95_ms": "95%", "p99_ms": "99%", "max_ms": "Max Response Time"}  # fmt: skip
    result = {key: float(total[col]) for key, col in pick.items()}
    result["by_name"] = {name: {key: float(row[col]) for key, col in pick.items()} for name, row in rows.items()
                         if name != "Aggregated"}  # fmt: skip
    return result


def check_writes(name: str, acks: Path) -> dict:
    """Every acknowledged write is in the database exactly once; also count saved writes nobody was told about."""
    records = [json.loads(line) for line in acks.read_text().splitlines()]
    found: dict[str, int] = {}
    with psycopg.connect(**{**server(), "dbname": name}) as conn:
        for record in records:
            if record["kind"] == "vitals":
                query = ("SELECT count(*) FROM infusions_vitalsign WHERE session_id = %s "
                         "AND taken_at = (%s::timestamp AT TIME ZONE %s)")  # fmt: skip
                args = [record["session"], record["taken_at"], settings.TIME_ZONE]  # the form is read in this zone
            elif record["kind"] == "medication":
                query, args = "SELECT count(*) FROM infusions_sessionmedication WHERE reason = %s", [record["marker"]]
            else:
                query, args = "SELECT count(*) FROM infusions_adverseevent WHERE narrative = %s", [record["marker"]]
            found[record["token"]] = conn.execute(query, args).fetchone()[0]
        total_saved = sum(
            conn.execute(q).fetchone()[0]
            for q in (
                "SELECT count(*) FROM infusions_vitalsign v JOIN accounts_user u ON u.id = v.created_by_id "
                "WHERE u.username LIKE 'loadnurse%%' AND NOT v.is_baseline",  # the seed's sets are baselines
                "SELECT count(*) FROM infusions_sessionmedication WHERE reason LIKE 'load %%'",
                "SELECT count(*) FROM infusions_adverseevent WHERE narrative LIKE 'load %%'",
            )
        )
    return {
        "acknowledged": len(records),
        "sent_twice": sum(1 for r in records if r["sent"] > 1),
        "lost": sum(1 for n in found.values() if n == 0),
        "duplicated": sum(1 for n in found.values() if n > 1),
        "saved_in_db": total_saved,
        "by_kind": {
            kind: sum(1 for r in records if r["kind"] == kind) for kind in ("vitals", "medication", "side_effect")
        },
    }


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    acks = OUT / "acks.jsonl"
    acks.write_text("")
    started = time.monotonic()
    with scratch_database("load", migrated=True) as name:
        plan = prepare(name)
        print(f"Prepared {name} in {time.monotonic() - started:.0f}s; load for {SECONDS}s against {INSTANCES} "
              f"instance(s) x {WORKERS} workers behind nginx...", flush=True)  # fmt: skip
        workdir = OUT / "stack"
        with Stack(database_url=database_url(name), workdir=workdir, instances=INSTANCES, workers=WORKERS) as stack:
            stats = read_stats(run_locust(stack, plan, acks))
            server_errors = sum(1 for _, _, status, _ in stack.upstream_log() if status >= 500)
        writes = check_writes(name, acks)
    refused = stats["by_name"].get("restricted record (refused)", {}).get("requests", 0)
    result = {"seconds": SECONDS, "instances": INSTANCES, "workers_per_instance": WORKERS, **stats,
              "refused_reads": refused, "server_errors": server_errors, "writes": writes,
              "cpu_cores_used": CPU}  # fmt: skip
    (OUT / "result.json").write_text(json.dumps(result, indent=2))
    print(f"\nRequests {stats['requests']:.0f} in {SECONDS}s: {stats['rps']:.1f}/s; "
          f"latency p50 {stats['p50_ms']:.0f} ms, "
          f"p95 {stats['p95_ms']:.0f} ms, p99 {stats['p99_ms']:.0f} ms; failures {stats['failures']:.0f}; "
          f"server errors (5xx at nginx) {server_errors}")  # fmt: skip
    for name, row in sorted(stats["by_name"].items()):
        print(f"  {name:28} {row['requests']:6.0f} req  p50 {row['p50_ms']:5.0f} ms  p95 {row['p95_ms']:5.0f} ms  "
              f"failures {row['failures']:.0f}")  # fmt: skip
    print(f"Writes acknowledged {writes['acknowledged']} ({writes['by_kind']}), {writes['sent_twice']} sent twice; "
          f"lost {writes['lost']}, duplicated {writes['duplicated']}; load rows in the database "
          f"{writes['saved_in_db']}")  # fmt: skip
    print(f"CPU cores used on average: {CPU} (the machine has {os.cpu_count()})")
    print(f"Refused reads of a restricted record out of scope (404 expected): {refused:.0f}")
    ok = (stats["failures"] == 0 and server_errors == 0 and writes["lost"] == 0 and writes["duplicated"] == 0
          and writes["acknowledged"] > 0 and refused > 0)  # fmt: skip
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
