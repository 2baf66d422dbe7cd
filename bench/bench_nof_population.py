"""Benchmark: NOF 2025/26 pooled segmentation of a full quarter (205 trusts, every metric).

Synthetic data of national size in NHS England's published layout: 134 acute, 61 mental health
and community and 10 ambulance trusts, one quarter, a value row for every metric the rules score
from values, a score row for the published-only metrics, and the OF5004/OF5007 flags. Times the
whole command path (read the CSV, score, pool, segment, rank), the in-memory engine, and the
bounded variant, with CPU time and the machine's load average (2 shared cores).

Run: PYTHONPATH=src .venv/bin/python bench/bench_nof_population.py
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from oversight.engine import nof

TYPES = {"Acute trust": 134, "Mental health and community trust": 61, "Ambulance trust": 10}
QUARTER = "Q3 2025/26"


def synthetic_quarter(rules: nof.NofRules, rng: np.random.Generator) -> pl.DataFrame:
    rows: list[dict[str, object]] = []
    n = 0
    for trust_type, count in TYPES.items():
        for _ in range(count):
            n += 1
            code = f"X{n:03d}"
            base = {"Quarter": QUARTER, "Trust_type": trust_type, "Trust_code": code,
                    "Trust_name": f"Synthetic trust {n}"}
            for mid, rule in rules.metrics.items():
                if rule.value_metric:
                    value = (rng.normal(0, 1.5) if rule.method == "bands"
                             else rng.normal(50, 15))
                    rows.append({**base, "Metric_ID": rule.value_metric,
                                 "Value": round(float(value), 2)})
                elif rule.method == "published":
                    rows.append({**base, "Metric_ID": mid, "Value": float(rng.integers(1, 5))})
            rows.append({**base, "Metric_ID": rules.override_flag,
                         "Value": float(rng.random() < 0.4)})
            rows.append({**base, "Metric_ID": rules.recovery_flag,
                         "Value": float(rng.random() < 0.03)})
    return pl.DataFrame(rows)


def timed(fn, repeat: int = 7) -> tuple[float, float]:
    """Best wall and best CPU time (seconds) of ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus)


def main() -> None:
    rules = nof.load_rules()
    frame = synthetic_quarter(rules, np.random.default_rng(19))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "national-q3.csv"
        frame.write_csv(path)
        out = nof.segment_files([path], rules=rules)
        assert out.height == 205 and set(out["population"]) == {205}
        assert set(out["national_population"]) == {205}
        print(f"NOF pooled segmentation, {QUARTER}: {out.height} trusts, "
              f"{frame.height:,} input rows, cut points "
              + " / ".join(f"{c:.4f}" for c in out["cut_points"][0]))
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        wall, cpu = timed(lambda: nof.segment_files([path], rules=rules))
        print(f"  file to segments (read, score, pool, rank): {wall * 1000:6.1f} ms wall, "
              f"{cpu * 1000:6.1f} ms CPU")
        long = nof.read_published(path)
        inputs = long.filter(pl.col("metric_id").str.contains(nof.INPUT_METRIC.pattern))
        flags = long.filter(pl.col("metric_id").is_in([rules.override_flag,
                                                       rules.recovery_flag]))
        wall, cpu = timed(lambda: nof.compute_scores(inputs, rules))
        print(f"  metric scores only                        : {wall * 1000:6.1f} ms wall, "
              f"{cpu * 1000:6.1f} ms CPU")
        scores = nof.compute_scores(inputs, rules)
        wall, cpu = timed(lambda: nof.segment(scores, rules, flags=flags))
        print(f"  pooled segments from scores               : {wall * 1000:6.1f} ms wall, "
              f"{cpu * 1000:6.1f} ms CPU")
        half = frame.filter(pl.col("Trust_code") <= "X150")
        half_path = Path(tmp) / "partial.csv"
        half.write_csv(half_path)
        wall, cpu = timed(lambda: nof.segment_files([half_path], rules=rules, use_bounds=True))
        print(f"  150 of 205, incomplete, bounded           : {wall * 1000:6.1f} ms wall, "
              f"{cpu * 1000:6.1f} ms CPU")
        print(f"load average after : {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
