"""Timing pages over HTTP: sequential requests for latency, concurrent clients for throughput.

Each request is timed from sending it to having read the whole body, on a new connection (gunicorn's sync workers
close each one, as they do behind nginx). Every answer must be 200: a redirect to the login page or an error page
would be fast and wrong, so the run stops instead.
"""

from __future__ import annotations

import http.client
import math
import statistics
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from clinic.benchmark import QUERY_COUNT_HEADER


class PageError(RuntimeError):
    pass


@dataclass(frozen=True)
class Sample:
    ms: float
    status: int
    queries: int
    size: int


@dataclass
class Page:
    """One page to time: the paths it cycles through (e.g. several patients) and the session it uses."""

    key: str
    label: str
    kind: str  # "interactive", "report" or "reference"
    paths: list[str]
    cookie: str
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def fetch(port: int, path: str, cookie: str) -> Sample:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
    started = time.perf_counter()
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    ms = (time.perf_counter() - started) * 1000
    return Sample(ms, response.status, int(response.getheader(QUERY_COUNT_HEADER) or -1), len(body))


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (the value below which ``share`` of the samples lie)."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def summary(samples: list[Sample]) -> dict[str, Any]:
    times = [s.ms for s in samples]
    queries = sorted({s.queries for s in samples})
    return {
        "requests": len(samples),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1),
        "queries": queries[-1],
        "queries_range": [queries[0], queries[-1]],
        "bytes": round(statistics.median(s.size for s in samples)),
    }


def check(page: Page, sample: Sample, path: str) -> None:
    if sample.status != 200:
        raise PageError(f"{page.label}: GET {path} answered {sample.status}, not 200")


def time_pages(pages: list[Page], port: int, *, requests: dict[str, int], warmup: int) -> dict[str, dict[str, Any]]:
    """Time every page: ``warmup`` untimed requests each, then rounds of one request per page until each has its
    ``requests[page.key]`` timed ones. Interleaving the pages spreads any change in the machine's load (other
    processes on a shared machine) over all of them, so their ratios to the floor stay fair."""
    for page in pages:
        for n in range(warmup):
            path = page.paths[n % len(page.paths)]
            check(page, fetch(port, path, page.cookie), path)
    samples: dict[str, list[Sample]] = {page.key: [] for page in pages}
    for n in range(max(requests.values())):
        for page in pages:
            if n >= requests[page.key]:
                continue
            path = page.paths[n % len(page.paths)]
            sample = fetch(port, path, page.cookie)
            check(page, sample, path)
            samples[page.key].append(sample)
    return {
        page.key: {
            "label": page.label,
            "kind": page.kind,
            "note": page.note,
            **page.extra,
            **summary(samples[page.key]),
        }
        for page in pages
    }


def throughput(page: Page, port: int, cookies: list[str], seconds: float) -> dict[str, Any]:
    """``len(cookies)`` clients, each with its own session, requesting the page back to back for ``seconds``."""
    samples: list[Sample] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(index: int, cookie: str) -> None:
        n = index
        while time.perf_counter() < deadline:
            path = page.paths[n % len(page.paths)]
            n += len(cookies)
            try:
                sample = fetch(port, path, cookie)
                check(page, sample, path)
            except Exception as exc:
                with lock:
                    errors.append(str(exc))
                return
            with lock:
                samples.append(sample)

    threads = [threading.Thread(target=client, args=(i, cookie)) for i, cookie in enumerate(cookies)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise PageError(f"throughput of {page.label}: {errors[0]}")
    times = [s.ms for s in samples]
    return {
        "label": page.label,
        "clients": len(cookies),
        "seconds": round(elapsed, 1),
        "requests": len(samples),
        "per_second": round(len(samples) / elapsed, 1),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
    }
