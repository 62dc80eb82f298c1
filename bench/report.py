"""The results: the machine, the data, each page at each size, the ratios, the growth and the targets of issue #8,
as JSON and as a Markdown table (``var/bench/<scale>.json`` and ``.md``); a full run also puts the table in
docs/performance.md between the ``bench:begin`` and ``bench:end`` markers.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

import django

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DOC = BASE_DIR / "docs" / "performance.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"

# Issue #8's targets, at the largest size.
INTERACTIVE_P95_MS = 100
REPORT_P95_MS = 1000
MAX_GROWTH = 1.5


def machine() -> dict[str, Any]:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []:
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_gb = None
    if Path("/proc/meminfo").exists():
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory_gb = round(kb / 1024 / 1024, 1)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True,
                            check=False).stdout.strip()  # fmt: skip
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=BASE_DIR,
                           capture_output=True, text=True, check=False).stdout.strip()  # fmt: skip
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": memory_gb, "os": platform.platform(terse=True),
            "python": platform.python_version(), "django": django.get_version(),
            "commit": commit + ("+changes" if dirty else "")}  # fmt: skip


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def analyse(results: dict[str, Any]) -> None:
    """Add the ratios to the floor and to the admin, the growth between the sizes and the target verdicts."""
    sizes = results["sizes"]
    for size in sizes:
        pages = size["pages"]
        floor = pages["floor"]["p50_ms"]
        for page in pages.values():
            page["x_floor"] = ratio(page["p50_ms"], floor)
        size["search_vs_admin"] = ratio(pages["search"]["p50_ms"], pages["admin"]["p50_ms"])
    first, last = sizes[0]["pages"], sizes[-1]["pages"]
    results["growth"] = {key: ratio(last[key]["p50_ms"], first[key]["p50_ms"]) for key in last}
    targets = []
    for key, page in last.items():
        if page["kind"] == "reference":
            continue
        limit = INTERACTIVE_P95_MS if page["kind"] == "interactive" else REPORT_P95_MS
        targets.append({"target": f"{page['label']}: p95 under {limit} ms", "value": f"{page['p95_ms']} ms",
                        "met": page["p95_ms"] < limit})  # fmt: skip
        counts = [size["pages"][key]["queries"] for size in sizes]
        targets.append({"target": f"{page['label']}: same query count at every size",
                        "value": " / ".join(map(str, counts)), "met": len(set(counts)) == 1})  # fmt: skip
        if page["kind"] == "interactive":
            growth = results["growth"][key]
            targets.append({"target": f"{page['label']}: growth under {MAX_GROWTH}x", "value": f"{growth}x",
                            "met": growth is not None and growth < MAX_GROWTH})  # fmt: skip
    for size in sizes:
        targets.append({"target": f"Search at or below the admin's time ({size['patients']:,} patients)",
                        "value": f"{size['search_vs_admin']}x", "met": size["search_vs_admin"] <= 1})  # fmt: skip
    results["targets"] = targets


def _load(load: dict[str, Any]) -> str:
    return (f"median {load['median']:g} (from {load['min']:g} to {load['max']:g}) on {load['cores']} cores, "
            f"{load['before']:g} before")  # fmt: skip


def _ms(page: dict[str, Any]) -> str:
    return f"{page['p50_ms']:g} / {page['p95_ms']:g}"


def markdown(results: dict[str, Any]) -> str:
    m, sizes = results["machine"], results["sizes"]
    first, last = sizes[0], sizes[-1]
    n0, n1 = f"{first['patients']:,}", f"{last['patients']:,}"
    rows = last["rows_total"]
    lines = [
        f"Run of {results['finished_at'][:16].replace('T', ' ')} UTC, `SCALE={results['scale']}`, commit "
        f"`{m['commit']}`. Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM, {m['os']}; "
        f"{results['database']['version']} ({results['database']['where']}), Python {m['python']}, "
        f"Django {m['django']}; gunicorn with {last['workers']} sync workers per size, DEBUG off. The sizes were "
        f"timed together, in interleaved rounds ({results['timing']['seconds']} s); the machine's load average "
        f"(1 min) meanwhile: {_load(results['timing']['load_1min'])}.",
        "",
        f"Data at {n1} patients: " + ", ".join(f"{count:,} {label}" for label, count in rows.items()) + ". "
        "Generated with COPY in "
        + ", ".join(f"{s['generation']['seconds']['total_s']:g} s ({s['patients']:,})" for s in sizes)
        + ".",
        "",
        f"| Page | Kind | p50 / p95 ms at {n0} | p50 / p95 ms at {n1} | Growth | SQL queries | KB | × floor |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, page in last["pages"].items():
        before = first["pages"][key]
        label = page["label"] + (f" ({page['note']})" if page.get("note") else "")
        queries = (
            f"{before['queries']} / {page['queries']}" if before["queries"] != page["queries"] else str(page["queries"])
        )
        lines.append(
            f"| {label} | {page['kind']} | {_ms(before)} | {_ms(page)} | {results['growth'][key]}x | {queries} | "
            f"{page['bytes'] / 1024:.0f} | {page['x_floor']}x |"
        )
    t0, t1 = first["throughput"], last["throughput"]
    lines += [
        "",
        f"Patient page with {t1['clients']} concurrent clients: {t0['per_second']:g} requests/s at {n0} "
        f"(p50 {t0['p50_ms']:g} ms, p95 {t0['p95_ms']:g} ms), {t1['per_second']:g} requests/s at {n1} "
        f"(p50 {t1['p50_ms']:g} ms, p95 {t1['p95_ms']:g} ms).",
        f"Search time over the admin's: {first['search_vs_admin']}x at {n0}, {last['search_vs_admin']}x at {n1}.",
        "",
        "Targets (issue #8, at the largest size): "
        + "; ".join(f"{'met' if t['met'] else 'MISSED'}: {t['target']} ({t['value']})" for t in results["targets"]
                    if not t["met"]) if any(not t["met"] for t in results["targets"]) else
        "Targets (issue #8, at the largest size): all met (interactive p95 under 100 ms, reports under 1 s, the "
        "same query count at both sizes, growth under 1.5x, search at or below the admin).",
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def write(results: dict[str, Any], out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / f"{results['scale']}.json", out / f"{results['scale']}.md"
    json_path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    md_path.write_text(markdown(results))
    return json_path, md_path


def update_results_doc(table: str, doc: Path = RESULTS_DOC) -> bool:
    """Replace the benchmark table of docs/performance.md (between the markers) with ``table``; False if there are
    no markers."""
    text = doc.read_text()
    if BEGIN not in text or END not in text:
        return False
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    doc.write_text(f"{head}{BEGIN}\n{table}{END}{tail}")
    return True
