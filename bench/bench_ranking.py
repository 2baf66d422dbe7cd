"""Benchmark: national ranking at 250 orgs x 80 metrics x 60 months, and NOF segmentation.

Run: .venv/bin/python bench/bench_ranking.py
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import numpy as np

from oversight.engine.ranking import rank_arrays

ORGS, METRICS, MONTHS = 250, 80, 60
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
NOF_FILE = SHARED / "nof-2025-26" / "mh-community-trust-data-q1-q2.csv"


def best_of(fn, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    rng = np.random.default_rng(0)
    n = ORGS * METRICS * MONTHS
    values = rng.normal(50, 10, n).round(2)  # 2 dp values: realistic ties
    hib = np.repeat(rng.random(METRICS) < 0.5, MONTHS)  # polarity per metric
    # group = metric x month; rows arrive grouped (ranking layout) ...
    gid_grouped = np.repeat(np.arange(METRICS * MONTHS), ORGS)
    hib_grouped = np.repeat(hib, ORGS)
    # ... or in the SPC layout (org, metric, month), which needs a regroup first
    org, met, mon = np.meshgrid(np.arange(ORGS), np.arange(METRICS), np.arange(MONTHS),
                                indexing="ij")
    gid_series = (met * MONTHS + mon).reshape(-1)
    hib_series = hib[gid_series]
    rank_arrays(gid_grouped, values, hib_grouped)  # warm-up
    t1 = best_of(lambda: rank_arrays(gid_grouped, values, hib_grouped))
    t2 = best_of(lambda: rank_arrays(gid_series, values, hib_series))
    t3 = best_of(lambda: rank_arrays(gid_grouped, values, True))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"ranking {n:,} points in {METRICS * MONTHS:,} groups of {ORGS}")
    print(f"  grouped rows, per-metric polarity : {t1 * 1000:6.1f} ms")
    print(f"  grouped rows, one polarity        : {t3 * 1000:6.1f} ms")
    print(f"  SPC-ordered rows (regroup first)  : {t2 * 1000:6.1f} ms")
    print(f"  peak RSS so far                   : {peak:6.0f} MB")
    if NOF_FILE.is_file():
        from oversight.engine.nof import load_rules, segment_file

        rules = load_rules()
        t4 = best_of(lambda: segment_file(NOF_FILE, rules=rules), repeat=5)
        print(f"NOF segmentation of the published file (4,502 rows, 122 trust-quarters): "
              f"{t4 * 1000:.1f} ms")


if __name__ == "__main__":
    main()
