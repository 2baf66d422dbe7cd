"""`oversight development import|export` and the development API."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from typer.testing import CliRunner

from oversight.cli.main import app
from oversight.development.models import Action, Checkpoint, Plan
from tests.factories import ActionFactory, CheckpointFactory, DevelopmentAssessmentFactory

runner = CliRunner()
HEADER = "theme,workstream,owner,action,deadline_text,status\n"


def run(*args: str):
    return runner.invoke(app, ["development", *args])


def test_import_starts_a_plan_then_dry_run_then_export(world, tmp_path) -> None:
    good = tmp_path / "plan.csv"
    good.write_text(HEADER + "1,Digital,SP/AR,Refresh digital strategy,Q2 2021/22,A\n")
    refused = run("import", str(good), "--system", "QUE")
    assert refused.exit_code == 2 and "give --title and --dated" in refused.output
    done = run(
        "import", str(good), "--system", "QUE", "--title", "C&P plan", "--dated", "2021-03-31"
    )
    assert done.exit_code == 0, done.output
    plan = Plan.objects.get(system=world.system)
    assert plan.published_on == dt.date(2021, 3, 31) and Action.objects.count() == 1
    more = tmp_path / "more.csv"
    more.write_text(HEADER + "1,Digital,SP/AR,Implementation planning,Q3 2021/22,\n")
    dry = run("import", str(more), "--dry-run")
    assert dry.exit_code == 0 and "dry run, nothing written" in dry.output
    assert Action.objects.count() == 1
    exported = run("export")
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert rows == [
        {
            "theme": "System and digital transformation",
            "workstream": "Digital",
            "owner": "SP/AR",
            "action": "Refresh digital strategy",
            "deadline_text": "Q2 2021/22",
            "due_date": "2021-09-30",
            "status": "A",
        }
    ]
    as_json = json.loads(run("export", "--format", "json").stdout)
    assert as_json == rows
    target = tmp_path / "out.xlsx"
    assert run("export", "--format", "xlsx", "--output", str(target)).exit_code == 0
    assert target.read_bytes()[:2] == b"PK"


def test_import_rejects_naming_row_and_column(world, tmp_path) -> None:
    from oversight.development.plans import create_plan

    create_plan(world.system, "Plan", dt.date(2021, 3, 31))
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "1,Digital,SP/AR,Refresh digital strategy,when ready,A\n")
    result = run("import", str(bad))
    assert result.exit_code == 1
    assert "rejected, nothing written" in result.output and "deadline_text" in result.output
    assert "when ready" in result.output and not Action.objects.exists()


def test_api_reads_within_scope(client, world, demo_plan) -> None:
    client.force_login(world.icb)
    plans_seen = client.get("/api/development/plans").json()
    assert [p["system_code"] for p in plans_seen] == ["QUE"]
    plan = client.get(f"/api/development/plans/{demo_plan.pk}").json()
    assert len(plan["workstreams"]) == 28
    assert sum(len(w["actions"]) for w in plan["workstreams"]) == 101
    data = next(w for w in plan["workstreams"] if w["name"] == "Data and information")
    assert data["owners"] == ["SG", "REGION", "LK", "KC"]
    june = next(
        a for w in plan["workstreams"] for a in w["actions"] if a["deadline_text"] == "June 2021/22"
    )
    assert june["due_date"] == "2021-06-30"
    checkpoints = client.get(f"/api/development/plans/{demo_plan.pk}/checkpoints").json()
    assert [c["quarter"] for c in checkpoints][0] == "Q1 2021/22"
    q2 = Checkpoint.objects.get(plan=demo_plan, quarter="Q2 2021/22")
    detail = client.get(f"/api/development/plans/{demo_plan.pk}/checkpoints/{q2.pk}").json()
    assert sum(detail["counts"].values()) == 101 and len(detail["assessments"]) == 129
    maturity = client.get(f"/api/development/plans/{demo_plan.pk}/maturity").json()
    assert [d["change"] for d in maturity] == ["up", "up", "up", "same", "up"]
    client.force_login(world.other_icb)
    assert client.get("/api/development/plans").json() == []
    assert client.get(f"/api/development/plans/{demo_plan.pk}").status_code == 404


def test_api_is_in_the_schema_and_needs_sign_in(client, db) -> None:
    assert client.get("/api/development/plans").status_code == 401
    from oversight.api import api

    paths = api.get_openapi_schema()["paths"]
    assert "/api/development/plans/{plan_id}" in paths
    assert "/api/development/plans/{plan_id}/maturity" in paths


@pytest.mark.django_db
def test_factories_build_every_model() -> None:
    from tests import factories as f

    assessment = DevelopmentAssessmentFactory()
    assert assessment.action.workstream.plan == assessment.checkpoint.plan
    for make in (
        f.PlanFactory,
        f.ThemeGroupFactory,
        f.DevelopmentThemeFactory,
        f.OwnerFactory,
        f.WorkstreamFactory,
        ActionFactory,
        f.ActionOwnerFactory,
        CheckpointFactory,
        f.MaturityDomainFactory,
        f.MaturityScoreFactory,
        f.OperatingArrangementFactory,
        f.GapAreaFactory,
        f.RecommendationFactory,
        f.PriorityFactory,
        f.CoverageRowFactory,
        f.AskFactory,
        f.RiskStatementFactory,
    ):
        assert make().pk
