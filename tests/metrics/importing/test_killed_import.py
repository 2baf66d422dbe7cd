"""An import killed midway (SIGKILL, separate process) leaves nothing partial behind."""

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

ORGS, METRICS, MONTHS = 200, 20, 100  # 400,000 rows: several write chunks
OVERSIGHT = str(Path(sys.executable).with_name("oversight"))

SEED = """
import datetime as dt, django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "oversight.settings"
django.setup()
from oversight.metrics.models import Framework, Metric, Theme
from oversight.organisations.models import Organisation
fw = Framework.objects.create(code="kill-test", name="Kill test", year_start=dt.date(2020, 4, 1),
                              method="criteria")
theme = Theme.objects.create(framework=fw, code="t", name="T")
Metric.objects.bulk_create(Metric(framework=fw, theme=theme, code=f"K{i:02d}", name="k",
                                  polarity="higher", frequency="monthly") for i in range({m}))
Organisation.objects.bulk_create(Organisation(ods_code=f"K{i:03d}", name="k", kind="acute")
                                 for i in range({o}))
"""


def seed_script() -> str:
    return SEED.replace("{m}", str(METRICS)).replace("{o}", str(ORGS))


def big_file(path: Path) -> Path:
    starts = [dt.date(2010 + m // 12, m % 12 + 1, 1) for m in range(MONTHS)]
    frame = (pl.DataFrame({"org_code": [f"K{i:03d}" for i in range(ORGS)]})
             .join(pl.DataFrame({"metric_code": [f"K{i:02d}" for i in range(METRICS)]}),
                   how="cross")
             .join(pl.DataFrame({"period_start": starts}), how="cross")
             .with_columns(period_end=pl.col("period_start").dt.month_end(), value=pl.lit(1.5)))
    frame.write_csv(path)
    return path


def import_and_kill(file: Path, env: dict[str, str]) -> str:
    """Start `oversight import`, SIGKILL it as soon as it reports writing; return its output."""
    proc = subprocess.Popen(
        [OVERSIGHT, "import", str(file), "--format", "template", "--framework", "kill-test"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.startswith("Writing"):
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=120)
    out = proc.stdout.read()
    assert proc.returncode == -signal.SIGKILL, "".join(seen) + out
    assert "Batch" not in out, "the import finished before it could be killed"
    return out


def child_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["DATABASE_URL"] = database_url
    env["COLUMNS"] = "200"
    return env


@pytest.mark.slow
def test_killed_import_leaves_sqlite_file_untouched(tmp_path):
    db = tmp_path / "kill.sqlite3"
    env = child_env(f"sqlite:///{db}")
    subprocess.run([str(Path(sys.executable).with_name("django-admin")), "migrate", "-v0",
                    "--settings", "oversight.settings"], env=env, check=True)
    subprocess.run([sys.executable, "-c", seed_script()], env=env, check=True)
    import_and_kill(big_file(tmp_path / "big.csv"), env)
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        counts = [con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in ("metrics_observation", "metrics_importbatch",
                            "metrics_observationrevision")]
    assert counts == [0, 0, 0]


@pytest.mark.slow
def test_killed_import_leaves_postgresql_untouched(transactional_db, tmp_path):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("runs when the suite runs on PostgreSQL (DATABASE_URL=postgres://...)")
    from oversight.metrics.models import ImportBatch, Observation

    settings = connection.settings_dict
    url = (f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST']}:"
           f"{settings['PORT'] or 5432}/{settings['NAME']}")
    env = child_env(url)
    subprocess.run([sys.executable, "-c", seed_script()], env=env, check=True)
    import_and_kill(big_file(tmp_path / "big.csv"), env)
    assert Observation.objects.count() == 0
    assert ImportBatch.objects.count() == 0
