"""SPC benchmarks (not timed tests): `.venv/bin/python bench/bench_spc.py [--skip-cli]`.

1. Engine at national scale: 250 organisations x 80 metrics x 60 months (1.2M points), all rules
   and both icons; time (cold first call, then best and median of 9) and peak memory.
2. `oversight spc` on a 1M-point CSV, end to end in a fresh process (CSV, JSON, --summary).
3. Side by side on the 140 real type-1 A&E series with the PyPI packages that claim the Making
   Data Count method (`abspc`, `pyqicharts`; install them in the venv for this only): time and
   agreement with the NHSRplotthedots reference.
"""

from __future__ import annotations

import argparse
import csv
import math
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from oversight.engine.spc import compute, summarise

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def national(orgs: int = 250, metrics: int = 80, months: int = 60) -> None:
    rng = np.random.default_rng(7)
    n_series = orgs * metrics
    ids = np.repeat(np.arange(n_series, dtype=np.int64), months)
    dates = np.tile(
        np.arange(
            "2021-04", np.datetime64("2021-04") + np.timedelta64(months, "M"), dtype="datetime64[M]"
        ).astype("datetime64[D]"),
        n_series,
    )
    level = rng.normal(50, 10, n_series).repeat(months)
    walk = rng.normal(0, 0.4, (n_series, months)).cumsum(axis=1).ravel()
    values = np.round(level + walk + rng.normal(0, 2, ids.size), 2)

    def run() -> tuple[Any, Any]:
        r = compute(ids, dates, values, direction="increase", target=50.0)
        return r, summarise(r)

    t0 = time.perf_counter()
    r, s = run()
    cold = time.perf_counter() - t0
    times, cpu = [], []
    for _ in range(9):
        t0, c0 = time.perf_counter(), time.process_time()
        run()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    del r, s
    tracemalloc.start()
    r, s = run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    special = float(np.mean(r.special_cause_type != 0))
    print(f"## Engine: {orgs} x {metrics} x {months} = {ids.size:,} points, {n_series:,} series")
    print(f"- first call (cold, page faults on fresh memory): {cold * 1000:.0f} ms")
    print(
        f"- warm: best {min(times) * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms"
    )
    print(f"- warm CPU time (process_time): best {min(cpu) * 1000:.0f} ms")
    print(f"- peak traced memory of one compute + summarise: {peak / 2**20:.0f} MB")
    print(f"- process max RSS so far: {rss_mb():.0f} MB")
    print(f"- special-cause points: {special:.1%}")
    print()


def cli(points: int = 1_000_000) -> None:
    import polars as pl

    rng = np.random.default_rng(3)
    months = 60
    n_series = points // months
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "big.csv"
        pl.DataFrame(
            {
                "series": np.repeat([f"org{i:05d}" for i in range(n_series)], months),
                "date": np.tile(
                    np.arange("2020-01", "2025-01", dtype="datetime64[M]").astype("datetime64[D]"),
                    n_series,
                ),
                "value": rng.normal(size=n_series * months),
            }
        ).write_csv(src)
        exe = str(Path(sys.executable).with_name("oversight"))
        print(
            f"## `oversight spc` end to end, {n_series * months:,}-point CSV "
            f"({src.stat().st_size / 2**20:.0f} MB)"
        )
        for label, extra in (
            ("CSV points", []),
            ("JSON points", ["--format", "json"]),
            ("--summary", ["--summary"]),
        ):
            times, cpu = [], []
            for _ in range(5):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t0 = time.perf_counter()
                subprocess.run(
                    [exe, "spc", str(src), "-o", str(Path(tmp) / "out"), *extra],
                    check=True,
                    capture_output=True,
                )
                times.append(time.perf_counter() - t0)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            print(
                f"- {label}: wall best {min(times):.2f} s, median {statistics.median(times):.2f} s;"
                f" CPU (user+sys) best {min(cpu):.2f} s"
            )
        print()


def ae_series() -> tuple[list[str], list[str], list[float]]:
    orgs, periods, values = [], [], []
    with (SHARED / "nhsr" / "ae_attendances.csv").open() as fh:
        for row in csv.DictReader(fh):
            if row["type"] == "1":
                orgs.append(row["org_code"])
                periods.append(row["period"])
                values.append(1 - int(row["breaches"]) / int(row["attendances"]))
    return orgs, periods, values


def reference() -> tuple[dict[tuple[str, str], dict[str, str]], dict[str, str]]:
    ref_dir = SHARED / "spc-reference"
    with (ref_dir / "reference_ae_type1_performance_points.csv").open() as fh:
        points = {(r["org_code"], r["period"]): r for r in csv.DictReader(fh)}
    with (ref_dir / "reference_ae_type1_performance_icons.csv").open() as fh:
        icons = {
            r["f"]: r["icon"].split("/")[1].removesuffix(".svg")
            for r in csv.DictReader(fh)
            if r["variant"] == "default" and r["type"] == "variation"
        }
    return points, icons


def agreement(
    name: str,
    seconds: float,
    rows: list[tuple[str, str, float, float, float, str]],
    variation: dict[str, str],
    points: dict[tuple[str, str], dict[str, str]],
    icons: dict[str, str],
) -> str:
    """Markdown row: time, share of points with identical limits, point types, variation icons."""
    limits = types = 0
    for org, period, mean, lpl, upl, pt in rows:
        ref = points[(org, period)]
        limits += all(
            math.isclose(a, float(ref[c]), rel_tol=1e-9)
            for a, c in ((mean, "mean"), (lpl, "lpl"), (upl, "upl"))
        )
        types += pt == ref["point_type"]
    n = len(points)
    icon_ok = sum(variation.get(org) == icon for org, icon in icons.items())
    return (
        f"| {name} | {seconds * 1000:.1f} ms | {limits / n:.1%} | {types / n:.1%} "
        f"| {icon_ok}/{len(icons)} |"
    )


def compare() -> None:
    orgs, periods, values = ae_series()
    points, icons = reference()
    print("## A&E type-1 performance, 140 series, 4,932 points (direction increase, target 0.95)")
    print()
    print(
        "| package | time | mean & limits identical (rel 1e-9) | point type identical "
        "| variation icon identical |"
    )
    print("|---|---|---|---|---|")

    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        r = compute(orgs, periods, values, direction="increase", target=0.95)
        s = summarise(r)
        times.append(time.perf_counter() - t0)
    rows = list(
        zip(
            r.series_names.tolist(),
            [str(d) for d in r.date],
            r.mean,
            r.lpl,
            r.upl,
            r.point_type_names.tolist(),
            strict=True,
        )
    )
    variation = dict(zip(s.series.tolist(), s.variation_names, strict=True))
    print(agreement("oversight.engine.spc", min(times), rows, variation, points, icons))

    groups: list[tuple[str, Any]] | None = None
    warnings.simplefilter("ignore")
    for name, fn in (("abspc", _abspc), ("pyqicharts", _pyqicharts)):
        try:
            __import__(name)
        except ImportError as exc:
            print(f"| {name} | not installed ({exc}) | | | |")
            continue
        if groups is None:  # both packages take pandas frames (and depend on pandas)
            import pandas as pd

            frame = pd.DataFrame(
                {"org": orgs, "period": pd.to_datetime(periods), "value": values}
            ).sort_values(["org", "period"])
            groups = [(org, g.reset_index(drop=True)) for org, g in frame.groupby("org")]
        t0 = time.perf_counter()
        rows, variation = fn(groups)
        elapsed = time.perf_counter() - t0
        print(agreement(name, elapsed, rows, variation, points, icons))
    print()


def _abspc(groups: list[tuple[str, Any]]) -> tuple[list[Any], dict[str, str]]:
    import abspc

    colour = {"#005EB8": "special_cause_improvement", "#ED8B00": "special_cause_concern"}
    rows, variation = [], {}
    for org, g in groups:
        d = g[["value"]].copy()
        res = abspc.calculate_control_limits(d, "XmR")
        res = abspc.detect_special_causes(res)
        cols = abspc.determine_point_colours(res, improvement_direction="high", target=0.95)
        variation[org] = abspc.determine_variation_type(res, improvement_direction="high")
        for k in range(len(g)):
            rows.append(
                (
                    org,
                    str(g["period"][k].date()),
                    float(res["mean"][k]),
                    float(res["lcl"][k]),
                    float(res["ucl"][k]),
                    colour.get(cols[k].upper(), "common_cause"),
                )
            )
    return rows, variation


def _pyqicharts(groups: list[tuple[str, Any]]) -> tuple[list[Any], dict[str, str]]:
    import pyqicharts

    kind = {"improvement": "special_cause_improvement", "concern": "special_cause_concern"}
    rows, variation = [], {}
    for org, g in groups:
        t = pyqicharts.qic_table(
            g,
            x="period",
            y="value",
            chart="i",
            improvement="high is good",
            shift_points=7,
            trend_points=7,
            target=0.95,
            exclude_mr_outliers=True,
        )
        types = [kind.get(str(v), "common_cause") for v in t["special_cause_type"]]
        for k in range(len(t)):
            rows.append(
                (
                    org,
                    str(g["period"][k].date()),
                    float(t["centre"][k]),
                    float(t["lcl"][k]),
                    float(t["ucl"][k]),
                    types[k],
                )
            )
        last = types[-1]
        variation[org] = (
            "improvement_high"
            if last == "special_cause_improvement"
            else "concern_low"
            if last == "special_cause_concern"
            else "common_cause"
        )
    return rows, variation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-cli", action="store_true")
    args = parser.parse_args()
    national()
    if not args.skip_cli:
        cli()
    if (SHARED / "spc-reference").is_dir():
        compare()
    else:
        print(f"(comparison skipped: {SHARED / 'spc-reference'} not found)")


if __name__ == "__main__":
    main()
