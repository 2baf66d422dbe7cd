"""/health/ answers JSON naming the database, migrations and caches, 503 when any fails."""

from __future__ import annotations

import pytest

from oversight import health

pytestmark = pytest.mark.django_db


def test_healthy_service(client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["migrations"] == {"ok": True, "detail": "up to date"}
    assert body["cache"] == {"ok": True, "detail": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_pending_migrations_are_unhealthy(client, monkeypatch):
    monkeypatch.setattr(health, "migrations", lambda: health.Check(
        "migrations", False, "1 not applied (metrics.0099_x); run `oversight migrate`"))
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"
    assert "metrics.0099_x" in response.json()["migrations"]["detail"]


def test_an_unreachable_database_is_unhealthy_and_said(client, monkeypatch):
    monkeypatch.setattr(health, "database", lambda: health.Check(
        "database", False, "cannot reach the postgresql database oversight: refused"))
    body = client.get("/health/").json()
    assert body["database"]["detail"].startswith("cannot reach")
    assert body["migrations"]["detail"] == "not checked: no database"


def test_a_cache_that_loses_what_it_is_given_is_unhealthy(client, monkeypatch):
    from django.core.cache import caches

    monkeypatch.setattr(type(caches["default"]), "get", lambda self, key, default=None: None)
    response = client.get("/health/")
    assert response.status_code == 503
    assert "default: a value written is not read back" in response.json()["cache"]["detail"]


def test_the_escalation_loop_reports_a_lasting_error_once(monkeypatch):
    """The hourly child says a failure once, not every hour, and says when it works again."""
    from typer.testing import CliRunner

    from oversight.cli import support as cli
    from oversight.cli.main import app

    outcomes = iter([RuntimeError("database down")] * 3 + [None] + [RuntimeError("x")])

    def escalate(as_of, grace, quiet=False):
        outcome = next(outcomes)
        if outcome:
            raise outcome

    parents = iter([100] + [100] * 5 * 12 + [1])
    monkeypatch.setattr(cli, "_escalate", escalate)
    monkeypatch.setattr(cli.os, "getppid", lambda: next(parents, 1))
    monkeypatch.setattr(cli.time, "sleep", lambda s: None)
    result = CliRunner().invoke(app, ["support", "escalate-overdue", "--every", "60"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert text.count("failed: database down") == 1
    assert text.count("works again") == 1
    assert text.count("failed: x") == 1
