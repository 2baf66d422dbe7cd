"""No export carries a formula into a spreadsheet (OWASP CSV injection): text led by = + - @ tab
or CR gets an apostrophe, in the observations export, the NOF segment output and the SPC output;
numbers, negative ones included, are left alone."""

from __future__ import annotations

import csv
import io

import polars as pl
import pytest
from typer.testing import CliRunner

from oversight.cli.main import app
from oversight.exports import neutralise, neutralise_frame

runner = CliRunner()
ATTACK = "=cmd|' /C calc'!A0"


@pytest.mark.parametrize(("cell", "shown"), [
    (ATTACK, "'" + ATTACK), ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("Addenbrooke's", "Addenbrooke's"), ("", ""),
    (-5.0, -5.0), (None, None), ("a=b", "a=b"),
])
def test_formula_led_text_is_neutralised_and_the_rest_kept(cell, shown):
    assert neutralise(cell) == shown
    frame = neutralise_frame(pl.DataFrame({"c": [cell]}))
    assert frame["c"].to_list() == [shown]


@pytest.mark.django_db
def test_a_note_comes_back_from_the_observations_export_as_text(tmp_path):
    from oversight.metrics.importing import run_import
    from tests.factories import FrameworkFactory, MetricFactory, OrganisationFactory, ThemeFactory

    theme = ThemeFactory(framework=FrameworkFactory(code="sof-2021-22", method="criteria"))
    MetricFactory(theme=theme, code="RTT", unit="%", valid_min=0, valid_max=100)
    OrganisationFactory(ods_code="RAA")
    text = ("org_code,metric_code,period_start,period_end,value,note\n"
            f"RAA,RTT,2025-06-01,2025-06-30,0,\"{ATTACK}\"\n")
    run_import(text.encode(), "n.csv", "template")
    result = runner.invoke(app, ["export", "observations"])
    [row] = list(csv.DictReader(io.StringIO(result.output)))
    assert row["note"] == "'" + ATTACK
    assert row["value"] == "0.0"


def test_an_organisation_name_from_a_nof_file_is_neutralised(shared_data, tmp_path):
    source = pl.read_csv(shared_data / "nof-2025-26/mh-community-trust-data-q1-q2.csv",
                         infer_schema_length=0)
    first = source["Trust_code"][0]
    hostile = source.with_columns(
        pl.when(pl.col("Trust_code") == first).then(pl.lit("=HYPERLINK(\"http://x\")"))
        .otherwise(pl.col("Trust_name")).alias("Trust_name"))
    path = tmp_path / "nof.csv"
    hostile.write_csv(path)
    result = runner.invoke(app, ["nof", "segment", str(path)])
    assert result.exit_code == 0, result.output
    names = pl.read_csv(io.StringIO(result.stdout))["trust_name"].to_list()
    assert "'=HYPERLINK(\"http://x\")" in names
    assert not any(n.startswith("=") for n in names)


def test_a_series_name_in_the_spc_output_is_neutralised(tmp_path):
    path = tmp_path / "in.csv"
    rows = "\n".join(f"@evil,2025-{m:02d}-01,{m}" for m in range(1, 13))
    path.write_text("series,date,value\n" + rows + "\n")
    result = runner.invoke(app, ["spc", str(path)])
    assert result.exit_code == 0, result.output
    series = {r["series"] for r in csv.DictReader(io.StringIO(result.stdout))}
    assert series == {"'@evil"}
