"""Data ingestion benchmark: 1M observation rows in the Oversight template.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/bench_import.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oversight_bench .venv/bin/python \
        bench/bench_import.py

Builds a fresh schema in DATABASE_URL (it must be a scratch database: tables are flushed),
1,000 organisations x 50 metrics x 20 months = 1,000,000 rows, then times a dry run, the first
import, a re-import (all unchanged) and an import in which 1% of values changed (revisions).
Results are recorded in bench/README.md under "Data ingestion".
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time

N_ORGS, N_METRICS, N_MONTHS = 1_000, 50, 20


def build_file(change_every: int = 0) -> bytes:
    import numpy as np
    import polars as pl

    orgs = [f"B{i:04d}" for i in range(N_ORGS)]
    metrics = [f"BM{i:03d}" for i in range(N_METRICS)]
    starts = [dt.date(2020 + (m // 12), m % 12 + 1, 1) for m in range(N_MONTHS)]
    grid = (pl.DataFrame({"org_code": orgs}).join(pl.DataFrame({"metric_code": metrics}),
                                                  how="cross")
            .join(pl.DataFrame({"period_start": starts}), how="cross"))
    rng = np.random.default_rng(20251124)
    values = np.round(rng.uniform(0, 100, grid.height), 2)
    if change_every:
        values[::change_every] = np.round(values[::change_every] / 2, 2)
    frame = grid.with_columns(
        period_end=pl.col("period_start").dt.month_end(),
        value=pl.Series(values),
    ).select("org_code", "metric_code", "period_start", "period_end", "value")
    return frame.write_csv().encode()


def setup_database() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oversight.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    from oversight.metrics.models import Framework, Metric, Theme
    from oversight.organisations.models import Organisation

    fw = Framework.objects.create(code="bench", name="Bench", year_start=dt.date(2020, 4, 1),
                                  method=Framework.Method.CRITERIA)
    theme = Theme.objects.create(framework=fw, code="bench", name="Bench")
    Metric.objects.bulk_create(
        Metric(framework=fw, theme=theme, code=f"BM{i:03d}", name=f"Bench {i}", unit="%",
               polarity="higher", frequency="monthly", valid_min=0, valid_max=100)
        for i in range(N_METRICS)
    )
    Organisation.objects.bulk_create(
        Organisation(ods_code=f"B{i:04d}", name=f"Bench trust {i}", kind="acute")
        for i in range(N_ORGS)
    )


def timed(label: str, data: bytes, **kwargs) -> float:
    from oversight.metrics.importing import run_import

    start, cpu = time.perf_counter(), time.process_time()
    result = run_import(data, "bench.csv", "template", framework_code="bench", **kwargs)
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{label:<28} {took:6.2f} s wall  {cpu:6.2f} s CPU (this process)  {result.counts()}",
          flush=True)
    return took


def main() -> int:
    setup_database()
    from django.db import connection

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']}), "
          f"load average {os.getloadavg()[0]:.1f}")
    data = build_file()
    print(f"file: {N_ORGS * N_METRICS * N_MONTHS:,} rows, {len(data) / 1e6:.1f} MB")
    timed("dry run (validate + diff)", data, dry_run=True)
    timed("first import", data)
    timed("re-import (all unchanged)", data)
    timed("1% of values revised", build_file(change_every=100))
    return 0


if __name__ == "__main__":
    sys.exit(main())
