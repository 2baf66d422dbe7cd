"""Benchmark: recompute SOF 2021/22 proposals for a national set, including database reads.

42 systems (ICBs) and 210 trusts (130 acute, 50 mental health, 15 community, 15 ambulance),
every SOF 2021/22 catalogue metric that applies to each kind, 3 financial years (36 months;
quarterly metrics 12 points, annual 3): every organisation x every quarter (12 quarters).

Database: a throwaway SQLite file under /tmp, or ``--db PATH`` (built on first use, reused
after), or PostgreSQL when ``DATABASE_URL`` is set (use a scratch database of your own: the
benchmark migrates it and builds the data set there if it has no observations).

Times are wall clock and this process's CPU time (user + system; on PostgreSQL the server's
CPU is not included). Best of ``--runs`` for each case:

* all written: every current proposal deleted first (what a changed rules file costs);
* nothing changed: recompute again over unchanged inputs (what a routine run costs).

With ``--demo`` the data set is the demo's instead (``oversight demo``: all 42 ICBs, every trust
kind, 36+ months for the SOF 2021/22, NOF 2022/23 and NOF 2025/26 metrics), and every framework
with rules is timed; "all written" then invalidates the stored digests instead of deleting
(decisions refer to proposals), which is what a changed rules file costs.

Run: .venv/bin/python bench/bench_segmentation.py [--db /tmp/seg.sqlite3] [--runs 5] [--demo]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/oversight_NAME .venv/bin/python bench/...
     [--profile] prints a pyinstrument profile of one run of each case (pyinstrument needed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import tempfile
import time

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--db", help="SQLite file to build or reuse (ignored with DATABASE_URL)")
parser.add_argument("--runs", type=int, default=5)
parser.add_argument("--profile", action="store_true")
parser.add_argument("--demo", action="store_true", help="time the demo data set, every framework")
ARGS = parser.parse_args()

if "DATABASE_URL" not in os.environ:
    DB = ARGS.db or os.path.join(tempfile.mkdtemp(prefix="bench-seg-"), "bench.sqlite3")
    os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oversight.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

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


def timed(run):  # noqa: ANN001, ANN201
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    from oversight.metrics.models import Framework, Observation
    from oversight.segmentation.models import Proposal
    from oversight.segmentation.proposals import recompute_proposals

    call_command("migrate", verbosity=0)
    where = f"{connection.vendor} {connection.settings_dict['NAME']}"
    if Observation.objects.exists():
        print(f"reusing {Observation.objects.count():,} observations ({where})")
    else:
        t = time.perf_counter()
        if ARGS.demo:
            from oversight.demo.load import load_demo

            load_demo()
            n_obs = Observation.objects.count()
        else:
            n_obs = build()
        print(f"built {n_obs:,} observations in {time.perf_counter() - t:.1f} s ({where})")

    if ARGS.demo:
        from oversight.segmentation.proposals import rules_path

        codes = [f.code for f in Framework.objects.order_by("year_start")
                 if rules_path(f.code).exists()]
    else:
        codes = ["sof-2021-22"]

    def forget(code: str) -> None:
        """Make every stored proposal of the framework look changed, so all are written."""
        current = Proposal.objects.filter(framework__code=code, current=True)
        if ARGS.demo:
            current.update(digest="stale")
        else:
            current.delete()

    for code in codes:
        forget(code)
        first = recompute_proposals(code)
        print(f"{code} first run:", first.describe())
        for name in ("all written", "nothing changed"):
            walls, cpus = [], []
            for _ in range(ARGS.runs):
                if name == "all written":
                    forget(code)
                result, wall, cpu = timed(lambda c=code: recompute_proposals(c))
                walls.append(wall)
                cpus.append(cpu)
                expected = result.proposals if name == "all written" else 0
                assert result.written == expected, (name, result.describe())
            print(f"{code} {name}: wall best {min(walls):.3f} s / median "
                  f"{np.median(walls):.3f} s, CPU best {min(cpus):.3f} s ({len(walls)} runs; "
                  f"{result.subjects} subjects, {len(result.quarters)} quarters, "
                  f"{result.proposals} proposals, {result.written} written)")
        if ARGS.profile:
            from pyinstrument import Profiler

            for name in ("all written", "nothing changed"):
                if name == "all written":
                    forget(code)
                profiler = Profiler(interval=0.0005)
                profiler.start()
                recompute_proposals(code)
                profiler.stop()
                print(f"--- profile: {code} {name}")
                print(profiler.output_text(unicode=False, color=False, show_all=False))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
