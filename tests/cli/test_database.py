"""`oversight migrate` against a real database file named by DATABASE_URL."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

OVERSIGHT = Path(sys.executable).with_name("oversight")


def test_help_lists_the_commands():
    result = subprocess.run([OVERSIGHT, "--help"], capture_output=True, text=True, check=True)
    for command in ("migrate", "demo", "serve", "load-catalogue"):
        assert command in result.stdout


def test_migrate_creates_the_schema_and_loads_the_catalogue(tmp_path):
    database = tmp_path / "fresh.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "OVERSIGHT_VAR_DIR": str(tmp_path),
    }
    for _ in range(2):  # running it again upgrades nothing and loads the same catalogue
        result = subprocess.run([OVERSIGHT, "migrate"], capture_output=True, text=True, env=env)
        assert result.returncode == 0, result.stderr
    with sqlite3.connect(database) as connection:
        frameworks = connection.execute("SELECT code FROM metrics_framework").fetchall()
        metrics = connection.execute("SELECT COUNT(*) FROM metrics_metric").fetchone()[0]
        throttle = connection.execute("SELECT COUNT(*) FROM oversight_throttle").fetchone()[0]
    assert ("sof-2021-22",) in frameworks
    assert throttle == 0  # the shared sign-in throttle's table exists
    assert metrics > 0


def test_a_bad_catalogue_file_stops_migrate_with_file_line_and_reason(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from oversight.cli.main import app

    folder = tmp_path / "sof-2021-22"
    folder.mkdir()
    (folder / "catalogue.yaml").write_text(
        "framework:\n  code: sof-2021-22\n  name: x\n  year_start: 2021-04-01\n"
        "  method: guesswork\nthemes: []\n"
    )
    monkeypatch.setattr("oversight.metrics.catalogue.framework_dirs", lambda: [folder])
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = CliRunner().invoke(app, ["load-catalogue"])
    assert result.exit_code == 1
    assert "catalogue.yaml:" in result.output
    assert "Traceback" not in result.output


@pytest.mark.database
def test_migrate_creates_a_missing_postgresql_database():
    import uuid

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("runs when the suite runs on PostgreSQL (DATABASE_URL=postgres://...)")
    import psycopg

    base, _, _ = url.rpartition("/")
    name = f"oversight_created_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": f"{base}/{name}"}
    try:
        result = subprocess.run([OVERSIGHT, "migrate"], capture_output=True, text=True, env=env)
        assert result.returncode == 0, result.stderr
        assert f"Created PostgreSQL database {name}" in result.stderr.replace("\n", " ")
        with psycopg.connect(f"{base}/{name}") as connection:
            count = connection.execute("SELECT COUNT(*) FROM metrics_framework").fetchone()[0]
        assert count >= 3
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_demo_serves_with_gunicorn_after_loading(tmp_path, monkeypatch):
    """`oversight demo` (what `make demo` runs) hands over to gunicorn with real arguments."""
    from typer.testing import CliRunner

    from oversight.cli import database
    from oversight.cli.main import app

    calls = {}
    monkeypatch.setattr(database, "migrate", lambda: None)
    monkeypatch.setattr(
        "oversight.demo.load_demo",
        lambda progress: type("S", (), {"describe": lambda self: "loaded"})(),
    )
    monkeypatch.setattr(database.os, "execv", lambda path, args: calls.update(args=args))
    monkeypatch.setattr(
        database.subprocess, "Popen", lambda args, **kw: calls.update(escalation=args)
    )
    monkeypatch.delenv("OVERSIGHT_ESCALATE", raising=False)
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: None)
    result = CliRunner().invoke(app, ["demo", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "oversight-demo" in result.output
    args = calls["args"]
    assert args[args.index("--bind") + 1] == "127.0.0.1:8123"
    assert args[args.index("--workers") + 1] == "2"
    # overdue SOAG actions are escalated hourly while the site is served
    assert calls["escalation"][0].endswith("oversight")
    assert calls["escalation"][1:] == ["support", "escalate-overdue", "--every", "3600"]


def test_serve_leaves_escalation_to_cron_when_asked(monkeypatch):
    from typer.testing import CliRunner

    from oversight.cli import database
    from oversight.cli.main import app

    calls = {}
    monkeypatch.setattr(database.os, "execv", lambda path, args: calls.update(args=args))
    monkeypatch.setattr(
        database.subprocess, "Popen", lambda args, **kw: calls.update(escalation=args)
    )
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: None)
    monkeypatch.setenv("OVERSIGHT_ESCALATE", "0")
    result = CliRunner().invoke(app, ["serve", "--port", "8124"])
    assert result.exit_code == 0, result.output
    assert "args" in calls and "escalation" not in calls
