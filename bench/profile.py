"""Profile the benchmark's pages in-process, against a kept benchmark database (issue #8).

``python -m bench.profile [PAGE ...] [--requests N] [--pyinstrument]`` with ``BENCH_DATABASE`` (default
``clinic_bench``) on ``DATABASE_URL``'s server or the embedded one. For each page (keys as in bench/pages.py:
search, patient, history, chart, board, queue, safety, cohort, floor) it prints the median and 95th percentile of
``--requests`` requests made with Django's test client as a signed-in clinician, the median CPU time of this
process (the Python side: views, templates, the database driver), the SQL statements and the time spent waiting
for them, and the slowest statement; with ``--pyinstrument``, a call-stack profile of one more request.

Timing in-process leaves out gunicorn and the network, and a shared machine's load weighs less on a median of
server-side times than on an HTTP p95, and hardly at all on CPU time: they are the measures to compare a change
before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import statistics
import sys
import time
from operator import itemgetter
from typing import Any
from urllib.parse import urlencode

from bench import database
from bench.measure import percentile

PAGES = ["search", "patient", "history", "chart", "board", "queue", "week", "day", "safety", "cohort", "floor"]


# The worklists of bench/pages.py WORKLISTS (read there once Django is set up).
WORKLIST_KEYS = ["to_sign", "to_book", "wl_missed", "wl_questionnaires", "wl_check_in", "wl_chairs", "wl_vitals",
                 "wl_to_complete", "wl_screenings", "wl_consents", "wl_alerts", "wl_side_effects", "wl_reports",
                 "wl_counts", "worklist"]  # fmt: skip


class SqlTimer:
    """A ``connection.execute_wrapper`` that keeps each statement's time."""

    def __init__(self) -> None:
        self.times: list[tuple[float, str]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.times.append(((time.perf_counter() - started) * 1000, sql))


def setup() -> None:
    name = database.check_name(os.environ.get("BENCH_DATABASE") or "clinic_bench")
    server = database.current_server()
    os.environ.update(
        DATABASE_URL=server.url(name), DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="testserver", DJANGO_SECURE_SSL_REDIRECT="0", CLINIC_BENCHMARK="1",
        DJANGO_SETTINGS_MODULE="clinic.settings",
    )  # fmt: skip
    import django

    django.setup()


def paths() -> dict[str, list[str]]:
    """Each page's paths, found in the database as bench/pages.py picks them: the patient with the most sessions,
    the sessions in the chair today, 20 ordinary patients."""
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from infusions.models import InfusionSession
    from patients.models import Patient

    heavy = Patient.objects.annotate(n=Count("infusion_sessions")).order_by("-n").values_list("pk", flat=True)[0]
    chair = InfusionSession.objects.filter(
        status__in=["infusing", "observing"], scheduled_for__date=timezone.localdate()
    ).values_list("pk", flat=True)
    patients = Patient.objects.filter(mrn__startswith="B").order_by("pk").values_list("pk", flat=True)[100:120]
    today = timezone.localdate()
    year = urlencode({"start": (today - dt.timedelta(days=365)).isoformat(), "end": today.isoformat()})
    from bench.pages import WORKLISTS

    ahead = today + dt.timedelta(days=7)  # a week fully booked
    weekday = next(today + dt.timedelta(days=n) for n in range(1, 4) if (today + dt.timedelta(days=n)).weekday() < 5)
    return {
        "week": [f"{reverse('scheduling:schedule_week')}?date={ahead}"],
        "day": [f"{reverse('scheduling:schedule_day')}?date={weekday}"],
        **{key: [reverse(name)] for key, _, name in WORKLISTS},
        "search": [reverse("patients:patient_list")],
        "patient": [reverse("patients:patient_detail", args=[pk]) for pk in patients],
        "history": [reverse("infusions:patient_history", args=[heavy])],
        "chart": [reverse("infusions:session_chart", args=[pk]) for pk in chair],
        "board": [reverse("infusions:today_board")],
        "queue": [reverse("side_effects:side_effect_queue")],
        "safety": [reverse("side_effects:safety_overview")],
        "cohort": [f"{reverse('infusions:cohort_report')}?{year}"],
        "floor": [reverse("bench_floor", urlconf="bench.urls")],
    }


def term() -> str:
    """A partial family name as bench/pages.py picks one, from the first ordinary patients."""
    from bench.generate import Context
    from bench.pages import search_term
    from patients.models import Patient

    ctx = Context.__new__(Context)  # only ``picks`` is read
    ctx.picks = {
        "patients": list(
            Patient.objects.filter(mrn__startswith="B").order_by("pk").values_list("pk", flat=True)[60:110]
        )
    }
    return search_term(ctx)


def client(term: str) -> Any:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.login import login_session, session_set
    from patients.views import SEARCH_SESSION_KEY

    user = get_user_model().objects.get(username="bench_clinician01")
    cookie = login_session(user)
    session_set(cookie, SEARCH_SESSION_KEY, term)
    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = cookie
    return browser


def profile_page(browser: Any, key: str, page_paths: list[str], requests: int, *, stack: bool) -> None:
    from django.db import connection

    for path in page_paths[:2]:  # warm-up
        browser.get(path)
    slowest: tuple[float, str]
    times, cpu, sql_ms, counts, slowest = [], [], [], [], (0.0, "")
    for n in range(requests):
        path = page_paths[n % len(page_paths)]
        timer = SqlTimer()
        started, cpu_started = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(timer):
            response = browser.get(path)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{key}: GET {path} answered {response.status_code}")
        sql_ms.append(sum(t for t, _ in timer.times))
        counts.append(len(timer.times))
        slowest = max(slowest, *timer.times, key=itemgetter(0))
    print(f"{key:8} p50 {statistics.median(times):7.1f} ms  p95 {percentile(times, 0.95):7.1f} ms  "
          f"Python CPU {statistics.median(cpu):6.1f} ms  SQL {statistics.median(sql_ms):6.1f} ms in {max(counts)} "
          f"queries; slowest {slowest[0]:.1f} ms: "
          f"{' '.join(slowest[1].split())[:160]}")  # fmt: skip
    if stack:
        from pyinstrument import Profiler

        with Profiler(interval=0.0005) as profiler:
            browser.get(page_paths[0])
        print(profiler.output_text(unicode=True, color=False, show_all=False))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", help=f"any of {', '.join(PAGES)} (default: all)")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--pyinstrument", action="store_true", help="print a call-stack profile of each page")
    parser.add_argument("--term", help="the search term kept in the session (default: as make bench picks one)")
    args = parser.parse_args()
    unknown = set(args.pages) - set(PAGES) - set(WORKLIST_KEYS)
    if unknown:
        parser.error(f"unknown pages {sorted(unknown)}; choose from {', '.join(PAGES)}")
    setup()
    all_paths = paths()
    browser = client(args.term or term())
    for key in args.pages or PAGES:
        profile_page(browser, key, all_paths[key], args.requests, stack=args.pyinstrument)
    return 0


if __name__ == "__main__":
    sys.exit(main())
