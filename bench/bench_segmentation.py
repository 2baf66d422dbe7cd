"""Benchmark: recompute SOF 2021/22 proposals for a national set, including database reads.

42 systems (ICBs) and 210 trusts (130 acute, 50 mental health, 15 community, 15 ambulance),
every SOF 2021/22 catalogue metric that applies to each kind, 3 financial years (36 months;
quarterly metrics 12 points, annual 3): every organisation x every quarter (12 quarters).
Uses a throwaway SQLite database under /tmp.

Run: .venv/bin/python bench/bench_segmentation.py
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import tempfile
import time

DB = os.path.join(tempfile.mkdtemp(prefix="bench-seg-"), "bench.sqlite3")
os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oversight.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.core.management import call_command  # noqa: E402

KINDS = {"acute": 130, "mental_health": 50, "community": 15, "ambulance": 15}
N_SYSTEMS = 42


def month_ends() -> list[dt.date]:
    out = []
    for i in range(36):  # Apr 2021 .. Mar 2024
        y, m = 2021 + (3 + i) // 12, (3 + i) % 12 + 1
        out.append(dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1))
    return out


def build() -> int:
    from oversight.metrics.catalogue import load_all
    from oversight.metrics.models import ImportBatch, Metric, Observation
    from oversight.organisations.models import Organisation, Region, System

    call_command("migrate", verbosity=0)
    load_all()
    rng = np.random.default_rng(0)
    region = Region.objects.create(code="Y61", name="East of England")
    systems = System.objects.bulk_create(
        [System(code=f"Q{i:02d}", name=f"System {i}", region=region) for i in range(N_SYSTEMS)])
    orgs = [Organisation(ods_code=s.code, name=f"ICB {s.code}", kind="icb", host_system=s,
                         region=region) for s in systems]
    n = 0
    for kind, count in KINDS.items():
        for _ in range(count):
            orgs.append(Organisation(ods_code=f"R{n:04d}", name=f"Trust {n}", kind=kind,
                                     host_system=systems[n % N_SYSTEMS], region=region))
            n += 1
    orgs = Organisation.objects.bulk_create(orgs)
    batch = ImportBatch.objects.create(file_name="bench", checksum="0" * 64, format="bench")
    ends = month_ends()
    rows = []
    for metric in Metric.objects.filter(framework__code="sof-2021-22"):
        step = {"monthly": 1, "weekly": 1, "quarterly": 3}.get(metric.frequency, 12)
        periods = ends[step - 1::step]
        for org in orgs:
            if org.kind not in metric.org_kinds:
                continue
            level = rng.normal(50, 10)
            values = level + rng.normal(0, 3, len(periods))
            for end, value in zip(periods, values, strict=True):
                rows.append(Observation(
                    metric=metric, organisation=org, period_start=end.replace(day=1),
                    period_end=end, period_label=end.strftime("%b-%y"),
                    value=round(float(value), 2), batch=batch))
    Observation.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def main() -> None:
    from oversight.segmentation.models import Proposal
    from oversight.segmentation.proposals import recompute_proposals

    t = time.perf_counter()
    n_obs = build()
    print(f"built {n_obs:,} observations in {time.perf_counter() - t:.1f} s ({DB})")
    first = recompute_proposals("sof-2021-22")
    print("first run (writes every proposal):", first.describe())
    times = []
    for _ in range(3):
        # force a full rewrite each time: what a changed rules file or data load costs
        Proposal.objects.all().delete()
        times.append(recompute_proposals("sof-2021-22").seconds)
    unchanged = recompute_proposals("sof-2021-22")
    print(f"recompute, all proposals written: best {min(times):.3f} s of {len(times)}")
    print(f"recompute, nothing changed: {unchanged.seconds:.3f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
