"""How much data and how many requests each SCALE means.

The data model behind the sizes (docs/performance.md): a chain that sees about 27 new patients and 270 sessions a
day. Each size holds the same newest year of data; the larger one adds the years before it (10,000 patients are
one year, 100,000 are ten years). So what grows with the size is the history a clinic keeps, while a day's board, a
90-day safety overview or a year's cohort report look at the same amount of recent activity at both sizes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DAYS_PER_SIZE_UNIT = 365  # the first size's patients are spread over one year; the next size's over the years before


@dataclass(frozen=True)
class Scale:
    name: str
    sizes: tuple[int, ...]  # patients in the database at each measured size, ascending
    requests: int  # timed requests per interactive page and size (plus the warm-up ones)
    report_requests: int  # timed requests per report page and size
    warmup: int
    throughput_seconds: float
    today_patients: int  # patients with a session today (the board), whatever the size
    heavy_patients: int  # patients with HEAVY_SESSIONS sessions each (the history page's worst case)
    # The schedule (issue #18): chairs booked three sittings a weekday (one on Saturday) for five weeks around today,
    # shared round-robin by patients of their own.
    schedule_chairs: int = 20
    schedule_patients: int = 400
    # Per patient, on average (issue #8: 1,000,000 sessions, 50,000 side effects, 300,000 questionnaires per 100,000).
    sessions_per_patient: int = 10
    side_effects_per_patient: float = 0.5
    questionnaires_per_patient: int = 3
    vitals_per_session: int = 8
    heavy_sessions: int = 320
    concurrency: int = 8
    seed: int = 8  # issue #8

    @property
    def label(self) -> str:
        return " and ".join(f"{size:,}" for size in self.sizes) + " patients"


SCALES = {
    "full": Scale("full", sizes=(10_000, 100_000), requests=100, report_requests=50, warmup=5,
                  throughput_seconds=30, today_patients=40, heavy_patients=3),
    "small": Scale("small", sizes=(200, 2_000), requests=10, report_requests=5, warmup=1,
                   throughput_seconds=2, today_patients=12, heavy_patients=1, schedule_chairs=4,
                   schedule_patients=40),
}  # fmt: skip


def current_scale() -> Scale:
    name = os.environ.get("SCALE", "full") or "full"
    if name not in SCALES:
        raise SystemExit(f"SCALE must be one of {', '.join(SCALES)}, not {name!r}.")
    return SCALES[name]
