"""Timing pages over HTTP: sequential requests for latency, concurrent clients for throughput.

Each request is timed from sending it to having read the whole body, on a new connection (gunicorn's sync workers
close each one, as they do behind nginx). The sizes are timed together, each on its own server and database, in the
same rounds (``time_pages``) and in alternating turns (``throughput``), so that the growth between them is the
data's and not a change in the machine's load between two measurements. Every answer must be 200: a redirect to the
login page or an error page would be fast and wrong, so the run stops instead.
"""

from __future__ import annotations

import http.client
import math
import os
import statistics
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from bench.middleware import QUERY_COUNT_HEADER


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


@dataclass
class Target:
    """One size's app server and what is timed on it: the same page keys at every size."""

    patients: int
    port: int
    pages: list[Page]
    concurrent: Page
    cookies: list[str]  # one signed-in session per concurrent client


class LoadSampler:
    """The machine's 1-minute load average, read once per round while timing: a shared machine's other work shows
    here, and since the sizes are timed in the same rounds it weighs on both alike."""

    def __init__(self) -> None:
        self.before = os.getloadavg()[0]
        self.samples: list[float] = []

    def sample(self) -> None:
        self.samples.append(os.getloadavg()[0])

    def summary(self) -> dict[str, Any]:
        during = self.samples or [self.before]
        return {"before": round(self.before, 2), "min": round(min(during), 2),
                "median": round(statistics.median(during), 2), "max": round(max(during), 2),
                "after": round(os.getloadavg()[0], 2), "cores": os.cpu_count()}  # fmt: skip


def time_pages(
    targets: list[Target], *, requests: dict[str, int], warmup: int, load: LoadSampler | None = None
) -> list[dict[str, dict[str, Any]]]:
    """Time every page at every size, interleaved: ``warmup`` untimed requests each, then rounds in which each page
    is requested once at each size, until each has its ``requests[page.key]`` timed ones. Interleaving spreads any
    change in the machine's load (other processes on a shared machine) over all pages and both sizes, so the ratios
    to the floor and the growth between the sizes stay fair; the order of the sizes alternates from round to round
    so that neither is always the one requested just after the other."""
    for target in targets:
        for page in target.pages:
            for n in range(warmup):
                path = page.paths[n % len(page.paths)]
                check(page, fetch(target.port, path, page.cookie), path)
    samples: list[dict[str, list[Sample]]] = [{page.key: [] for page in t.pages} for t in targets]
    for n in range(max(requests.values())):
        if load:
            load.sample()
        order = list(enumerate(targets)) if n % 2 == 0 else list(reversed(list(enumerate(targets))))
        for position in range(len(targets[0].pages)):
            for index, target in order:
                page = target.pages[position]
                if n >= requests[page.key]:
                    continue
                path = page.paths[n % len(page.paths)]
                sample = fetch(target.port, path, page.cookie)
                check(page, sample, path)
                samples[index][page.key].append(sample)
    return [
        {
            page.key: {"label": page.label, "kind": page.kind, "note": page.note, **page.extra,
                       **summary(samples[index][page.key])}
            for page in target.pages
        }
        for index, target in enumerate(targets)
    ]  # fmt: skip


def _clients(page: Page, port: int, cookies: list[str], seconds: float) -> tuple[list[Sample], float]:
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
    return samples, elapsed


def throughput(targets: list[Target], seconds: float, *, slices: int = 2) -> list[dict[str, Any]]:
    """The concurrent clients at each size for ``seconds`` in all, in ``slices`` turns per size taken in an
    A B B A order (for two sizes), so that a change in the machine's load during the measurement weighs on both."""
    turns: list[int] = []
    for n in range(slices):
        indexes = list(range(len(targets)))
        turns += indexes if n % 2 == 0 else indexes[::-1]
    collected: list[list[Sample]] = [[] for _ in targets]
    elapsed = [0.0 for _ in targets]
    for index in turns:
        target = targets[index]
        samples, spent = _clients(target.concurrent, target.port, target.cookies, seconds / slices)
        collected[index] += samples
        elapsed[index] += spent
    results = []
    for index, target in enumerate(targets):
        times = [s.ms for s in collected[index]]
        results.append({
            "label": target.concurrent.label, "clients": len(target.cookies), "seconds": round(elapsed[index], 1),
            "requests": len(times), "per_second": round(len(times) / elapsed[index], 1),
            "p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1),
        })  # fmt: skip
    return results
