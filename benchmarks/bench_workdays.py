"""Working-day deadline arithmetic: every case clock goes through it."""

from __future__ import annotations

import datetime
import random
import time


def run() -> None:
    from zhifa.workdays import calendar

    rng = random.Random(7)
    starts = [
        datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randrange(0, 600)) for _ in range(20_000)
    ]
    calendar.add_working_days(starts[0], 1)  # warm the per-year cache
    began = time.perf_counter()
    for start in starts:
        calendar.add_working_days(start, 20)
    elapsed = time.perf_counter() - began
    print(f"working_day_deadlines_per_s: {len(starts) / elapsed:,.0f} per s (target ≥ 50,000)")
