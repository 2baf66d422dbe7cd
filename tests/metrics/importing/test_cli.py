"""`oversight import`, `oversight template` and `oversight export observations`."""

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from oversight.cli.main import app
from oversight.metrics.models import ImportBatch, Observation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
runner = CliRunner()
HEADER = "org_code,metric_code,period_start,period_end,value\n"


def test_import_prints_summary_and_records_the_user(tmp_path, sof, trusts):
    UserFactory(username="analyst")
    path = tmp_path / "june.csv"
    path.write_text(HEADER + "RAA,RTT,2025-06-01,2025-06-30,91\nRBB,RTT,2025-06-01,2025-06-30,-\n")
    result = runner.invoke(app, ["import", str(path), "--format", "template", "--user",
                                 "analyst"])
    assert result.exit_code == 0, result.output
    assert "Rows read" in result.output and "Added" in result.output
    batch = ImportBatch.objects.get()
    assert (batch.created_by.username, batch.added) == ("analyst", 2)
    assert Observation.objects.get(organisation__ods_code="RBB").missing_reason == \
        "suppressed (-)"


def test_rejected_file_prints_every_problem_and_exits_non_zero(tmp_path, sof, trusts):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "RAA,RTT,2025-06-31,2025-06-30,91\nRAA,XYZ,2025-06-01,2025-06-30,9\n")
    result = runner.invoke(app, ["import", str(path), "--format", "template"])
    assert result.exit_code == 1
    assert "cannot read '2025-06-31' as a date" in result.output
    assert "unknown metric 'XYZ'" in result.output
    assert "rejected, nothing written" in result.output
    assert not Observation.objects.exists()


def test_dry_run_writes_nothing(tmp_path, sof, trusts):
    path = tmp_path / "june.csv"
    path.write_text(HEADER + "RAA,RTT,2025-06-01,2025-06-30,91\n")
    result = runner.invoke(app, ["import", str(path), "--format", "template", "--dry-run"])
    assert result.exit_code == 0 and "dry run, nothing written" in result.output
    assert not ImportBatch.objects.exists()


def test_export_traces_each_figure_to_batch_and_row(tmp_path, sof, trusts):
    path = tmp_path / "june.csv"
    path.write_text(HEADER + "RAA,RTT,2025-06-01,2025-06-30,91\nRBB,RTT,2025-06-01,2025-06-30,92\n")
    runner.invoke(app, ["import", str(path), "--format", "template"])
    batch = ImportBatch.objects.get()
    result = runner.invoke(app, ["export", "observations", "--org", "rbb"])
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["org_code"], r["value"], r["batch_id"], r["batch_file"], r["source_row"])
            for r in rows] == [("RBB", "92.0", str(batch.pk), "june.csv", "3")]
    out = tmp_path / "all.json"
    runner.invoke(app, ["export", "observations", "--metric", "RTT", "--format", "json",
                        "--output", str(out)])
    assert [r["source_row"] for r in json.loads(out.read_text())] == [2, 3]


def test_template_command_writes_the_header(tmp_path, sof):
    result = runner.invoke(app, ["template", "--framework", "sof-2021-22"])
    assert result.output.splitlines()[0] == (
        "org_code,metric_code,period_start,period_end,value,numerator,denominator,note")
    out = tmp_path / "t.xlsx"
    assert runner.invoke(app, ["template", "--framework", "sof-2021-22", "--xlsx",
                               "--output", str(out)]).exit_code == 0
    assert out.read_bytes()[:4] == b"PK\x03\x04"
    assert runner.invoke(app, ["template", "--framework", "nope"]).exit_code == 2
