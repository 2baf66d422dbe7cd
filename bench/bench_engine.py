"""Engine benchmark at national scale: SPC + national ranking on one 1.2M-point table.

Run: ``.venv/bin/python bench/bench_engine.py [--repeat N]``

The table is 250 organisations x 80 metrics x 60 months in the order a data load produces it
(organisation, metric, then month). SPC runs per series (organisation x metric) with all rules,
point types and both icons (``compute`` + ``summarise``); ranking runs per metric x month across
the 250 organisations (rank, quartile, median, lower/upper quartile) on the same rows, with each
metric's own polarity. Issue 7 target: SPC + ranking in under 0.1 s on one core, peak memory
under 300 MB.

Reports wall and CPU time (``time.process_time``) best of N, since the machine is shared; peak
memory as tracemalloc's traced peak of one combined run and the process's max RSS.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

from oversight.engine.ranking import rank_arrays
from oversight.engine.spc import compute, summarise

ORGS, METRICS, MONTHS = 250, 80, 60


def national_table(
    orgs: int = ORGS, metrics: int = METRICS, months: int = MONTHS
) -> dict[str, np.ndarray]:
    """Random-walk values at 2 dp (realistic ties), rows ordered organisation, metric, month."""
    rng = np.random.default_rng(7)
    n_series = orgs * metrics
    series = np.repeat(np.arange(n_series, dtype=np.int64), months)
    first = np.datetime64("2021-04", "M")
    month = np.arange(first, first + np.timedelta64(months, "M")).astype("datetime64[D]")
    dates = np.tile(month, n_series)
    level = rng.normal(50, 10, n_series).repeat(months)
    walk = rng.normal(0, 0.4, (n_series, months)).cumsum(axis=1).ravel()
    values = np.round(level + walk + rng.normal(0, 2, series.size), 2)
    higher_is_better = rng.random(metrics) < 0.5
    metric = np.tile(np.repeat(np.arange(metrics), months), orgs)
    month_ix = np.tile(np.arange(months), n_series)
    return {
        "series": series,
        "date": dates,
        "value": values,
        "group": metric * months + month_ix,  # metric x month: the ranking peer group
        "higher_is_better": higher_is_better[metric],
    }


def spc(t: dict[str, np.ndarray]) -> Any:
    r = compute(t["series"], t["date"], t["value"], direction="increase", target=50.0)
    return r, summarise(r)


def ranking(t: dict[str, np.ndarray]) -> Any:
    return rank_arrays(t["group"], t["value"], t["higher_is_better"])


def both(t: dict[str, np.ndarray]) -> Any:
    return spc(t), ranking(t)


def both_per_point(t: dict[str, np.ndarray]) -> Any:
    """As :func:`both`, also reading every per-point array that is built on first access (mean
    and limits per point; group size, median and quartiles per row)."""
    (r, s), k = both(t)
    return (r.mean, r.lpl, r.upl, r.nlpl, r.nupl, r.order), (
        k.n, k.median, k.lower_quartile, k.upper_quartile
    )


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, float]:
    """Best wall, median wall and best CPU time (seconds) of ``repeat`` warm runs."""
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return min(wall), statistics.median(wall), min(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    t = national_table()
    n = t["value"].size
    both(t)  # warm-up: imports, first-touch page faults
    print(f"## Engine: {ORGS} x {METRICS} x {MONTHS} = {n:,} points")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; best of {args.repeat}")
    print()
    print("| part | CPU best | wall best | wall median |")
    print("|---|---|---|---|")
    parts = (
        ("SPC (compute + summarise)", spc),
        ("ranking", ranking),
        ("SPC + ranking", both),
        ("SPC + ranking, per-point arrays read too", both_per_point),
    )
    for name, fn in parts:
        best, median, cpu = timed(lambda fn=fn: fn(t), args.repeat)
        print(f"| {name} | {cpu * 1000:.0f} ms | {best * 1000:.0f} ms | {median * 1000:.0f} ms |")
    tracemalloc.start()
    result = both(t)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    print()
    print(f"- peak traced memory of one SPC + ranking run: {peak / 2**20:.0f} MB")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"- process max RSS (interpreter, input table, results): {rss:.0f} MB")


if __name__ == "__main__":
    main()
