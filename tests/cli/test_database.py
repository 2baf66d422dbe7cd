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
        throttle = connection.execute("SELECT COUNT(*) FROM access_signincount").fetchone()[0]
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
    monkeypatch.setattr(database, "startup_problems", lambda: [])
    monkeypatch.setattr(
        "oversight.demo.load_demo",
        lambda progress: type("S", (), {"describe": lambda self: "loaded"})(),
    )
    monkeypatch.setattr(database.os, "execv", lambda path, args: calls.update(args=args))
    children: list[list[str]] = []
    monkeypatch.setattr(database.subprocess, "Popen", lambda args, **kw: children.append(args))
    monkeypatch.delenv("OVERSIGHT_ESCALATE", raising=False)
    monkeypatch.delenv("OVERSIGHT_WORKER", raising=False)
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: None)
    result = CliRunner().invoke(app, ["demo", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "oversight-demo" in result.output
    args = calls["args"]
    assert args[args.index("--bind") + 1] == "127.0.0.1:8123"
    assert args[args.index("--workers") + 1] == "2"
    # overdue SOAG actions are escalated hourly, and a worker runs background jobs, while the
    # site is served
    assert all(child[0].endswith("oversight") for child in children)
    assert [child[1:] for child in children] == [
        ["support", "escalate-overdue", "--every", "3600"], ["worker", "--with-server"]]


@pytest.mark.parametrize(("switch", "left_out"), [
    ("OVERSIGHT_ESCALATE", ["support", "escalate-overdue", "--every", "3600"]),
    ("OVERSIGHT_WORKER", ["worker", "--with-server"]),
])
def test_serve_leaves_a_child_to_its_own_service_when_asked(monkeypatch, switch, left_out):
    """Escalation to cron, background jobs to workers run as their own service."""
    from typer.testing import CliRunner

    from oversight.cli import database
    from oversight.cli.main import app

    calls = {}
    children: list[list[str]] = []
    monkeypatch.setattr(database.os, "execv", lambda path, args: calls.update(args=args))
    monkeypatch.setattr(database.subprocess, "Popen", lambda args, **kw: children.append(args))
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: None)
    monkeypatch.setattr(database, "startup_problems", lambda: [])
    monkeypatch.delenv("OVERSIGHT_ESCALATE", raising=False)
    monkeypatch.delenv("OVERSIGHT_WORKER", raising=False)
    monkeypatch.setenv(switch, "0")
    result = CliRunner().invoke(app, ["serve", "--port", "8124"])
    assert result.exit_code == 0, result.output
    assert "args" in calls and len(children) == 1 and left_out not in [c[1:] for c in children]


@pytest.mark.parametrize(("proxy", "trusted"), [(None, ""), ("1", "127.0.0.1,::1"),
                                                 ("0", "")])
def test_gunicorn_trusts_forwarded_headers_only_behind_a_declared_proxy(proxy, trusted):
    """Without SECURE_PROXY nobody's X-Forwarded-Proto is believed (gunicorn's default trusts
    localhost, so plain HTTP passed for HTTPS and was sent HSTS)."""
    from oversight.cli.database import gunicorn_arguments

    args = gunicorn_arguments("127.0.0.1", 8000, 2, {} if proxy is None else
                              {"SECURE_PROXY": proxy})
    assert args[args.index("--forwarded-allow-ips") + 1] == trusted


def test_serve_says_what_is_wrong_with_the_database_and_does_not_start(tmp_path):
    """A real start against a PostgreSQL port nobody listens on: a plain message, exit 1."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"DATABASE_URL": "postgres://nobody@127.0.0.1:9/none", "OVERSIGHT_ESCALATE": "0",
            "OVERSIGHT_VAR_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "oversight.cli.main", "serve", "--port", "8125"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert "cannot start: cannot reach the postgresql database none" in " ".join(
        out.stderr.split())
    assert "DATABASE_URL" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.django_db
def test_serve_refuses_a_database_with_migrations_not_applied(monkeypatch):
    from typer.testing import CliRunner

    from oversight import health
    from oversight.cli import database
    from oversight.cli.main import app

    monkeypatch.setattr(health, "migrations", lambda: health.Check(
        "migrations", False, "1 not applied (metrics.0099_x); run `oversight migrate`"))
    monkeypatch.setattr(database.os, "execv", lambda *a: pytest.fail("gunicorn started"))
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 1
    assert "migrations: 1 not applied (metrics.0099_x)" in result.output
