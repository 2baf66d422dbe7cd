"""`oversight nof segment` end to end against NHS England's published Q1/Q2 figures."""

from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from oversight.cli.main import app

NOF_FILE = "nof-2025-26/mh-community-trust-data-q1-q2.csv"
HEADER = (
    "quarter,trust_code,trust_name,average_score,unadjusted_segment,financial_override,"
    "adjusted_segment,final_segment,rank"
)
runner = CliRunner()


@pytest.fixture(scope="module")
def nof_path(shared_data: Path) -> Path:
    return shared_data / NOF_FILE


def published_summary(path: Path) -> pl.DataFrame:
    df = pl.read_csv(path, infer_schema_length=0)
    wide = df.filter(pl.col("Metric_ID").str.starts_with("OF50")).pivot(
        on="Metric_ID", index=["Quarter", "Trust_code"], values="Value"
    )
    rank = df.filter(pl.col("Metric_ID") == "OF5000").select("Quarter", "Trust_code", "Rank")
    return wide.join(rank, on=["Quarter", "Trust_code"]).select(
        quarter="Quarter",
        trust_code="Trust_code",
        pub_avg=pl.col("OF5002").cast(pl.Float64),
        pub_seg=pl.col("OF5003").cast(pl.Float64).cast(pl.Int64),
        pub_final=pl.col("OF5005").cast(pl.Float64).cast(pl.Int64),
        pub_rank=pl.col("Rank").cast(pl.Float64).cast(pl.Int64),
    )


def test_csv_contract_and_agreement(nof_path: Path) -> None:
    result = runner.invoke(app, ["nof", "segment", str(nof_path)])
    assert result.exit_code == 0, result.output
    header = result.stdout.splitlines()[0]
    assert header.startswith(HEADER + ",domain_")
    out = pl.read_csv(io.StringIO(result.stdout))
    assert out.height == 122
    j = out.join(published_summary(nof_path), on=["quarter", "trust_code"])
    assert j.height == 122
    assert ((j["average_score"] - j["pub_avg"]).abs() <= 0.01 + 1e-9).all()
    assert (j["average_score"] == j["pub_avg"]).sum() == 119
    assert (j["unadjusted_segment"] == j["pub_seg"]).sum() == 115
    assert (j["final_segment"] == j["pub_final"]).sum() == 116
    assert (j["rank"] == j["pub_rank"]).sum() == 120


def test_ignores_published_summary_rows(nof_path: Path, tmp_path: Path) -> None:
    """Scrambling every OF4xxx/OF5000/OF5002/OF5003/OF5005 value changes no computed figure:
    the published segments only bound the cut points and check the result (later columns)."""
    df = pl.read_csv(nof_path, infer_schema_length=0)
    summary = pl.col("Metric_ID").str.contains("^OF4") | pl.col("Metric_ID").is_in(
        ["OF5000", "OF5002", "OF5003", "OF5005"]
    )
    scrambled = tmp_path / "scrambled.csv"
    df.with_columns(Value=pl.when(summary).then(pl.lit("9.99")).otherwise("Value")).write_csv(
        scrambled
    )
    a = runner.invoke(app, ["nof", "segment", str(nof_path), "--quarter", "Q2 2025/26"])
    b = runner.invoke(app, ["nof", "segment", str(scrambled), "--quarter", "Q2 2025/26"])
    assert a.exit_code == b.exit_code == 0
    computed = slice(0, a.stdout.splitlines()[0].split(",").index("cut_point_bounds"))
    ours = pl.read_csv(io.StringIO(a.stdout))
    scrambled_out = pl.read_csv(io.StringIO(b.stdout))
    assert ours[:, computed].equals(scrambled_out[:, computed])
    assert ours["published_adjusted"].null_count() == 0
    assert scrambled_out["published_adjusted"].null_count() == 61  # 9.99 is no segment
    assert set(ours["quarter"]) == {"Q2 2025/26"}


def test_json_format(nof_path: Path) -> None:
    result = runner.invoke(
        app, ["nof", "segment", str(nof_path), "--quarter", "Q1 2025/26", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 61
    assert list(rows[0])[:9] == HEADER.split(",")
    assert rows[0]["rank"] == 1


def test_missing_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Quarter,Trust_code,Metric_ID\nQ1 2025/26,RAT,OF1005\n")
    result = runner.invoke(app, ["nof", "segment", str(bad)])
    assert result.exit_code != 0
    assert str(bad) in result.stderr and "row 1" in result.stderr
    assert "missing column(s) Trust_type, Trust_name, Value" in result.stderr


def test_unparsable_number(nof_path: Path, tmp_path: Path) -> None:
    lines = nof_path.read_text().splitlines()
    fields = lines[5].rsplit(",", 5)
    fields[1] = "twelve"  # the Value column (6th from the end)
    lines[5] = ",".join(fields)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["nof", "segment", str(bad)])
    assert result.exit_code != 0
    assert f"{bad}: row 6: column Value: cannot parse 'twelve'" in result.stderr


def test_unknown_quarter(nof_path: Path) -> None:
    result = runner.invoke(app, ["nof", "segment", str(nof_path), "--quarter", "Q9 2099/00"])
    assert result.exit_code != 0 and "no rows for quarter 'Q9 2099/00'" in result.stderr


LEAGUE_Q3 = "nof-2025-26/all-trust-types-league-q3-partial.csv"


def test_population_columns_and_incomplete_notes(nof_path: Path) -> None:
    """The 61 trusts of one type are 61 of the 205 the 2025/26 cut points are taken over: the
    output says so per row, standard error per quarter, and names each published segment the
    quartiles miss with its cut point."""
    result = runner.invoke(app, ["nof", "segment", str(nof_path), "--quarter", "Q2 2025/26"])
    assert result.exit_code == 0, result.output
    out = pl.read_csv(io.StringIO(result.stdout))
    assert out.columns[-7:] == ["population", "national_population", "cut_points",
                                "cut_point_bounds", "source", "published_adjusted",
                                "published_check"]
    assert set(out["population"]) == {61} and set(out["national_population"]) == {205}
    notes = [n for n in result.stderr.splitlines() if n.startswith("note: ")]
    assert notes[0].startswith("note: Q2 2025/26: population incomplete: cut points from 61 "
                               "of 205 trusts (Mental health and community trust 61 of 61)")
    assert [n.split(" (")[0][6:] for n in notes[1:]] == [
        "Q2 2025/26 RDR", "Q2 2025/26 RNU", "Q2 2025/26 RX4", "Q2 2025/26 RY5"]
    assert out.filter(pl.col("published_check").is_not_null()).height == 4


def test_league_table_as_population(nof_path: Path, shared_data: Path) -> None:
    """Q3 league table of every trust type: acute adjusted segments as NHS England published
    them (deficit override applied), whether given as FILE or with --population."""
    league = shared_data / LEAGUE_Q3
    a = runner.invoke(app, ["nof", "segment", str(league)])
    b = runner.invoke(app, ["nof", "segment", str(nof_path), "--population", str(league),
                            "--quarter", "Q3 2025/26"])
    assert a.exit_code == b.exit_code == 0, a.output + b.output
    assert a.stdout == b.stdout  # the Q1/Q2 data file holds no Q3 trust
    out = pl.read_csv(io.StringIO(a.stdout))
    published = pl.read_csv(league, infer_schema_length=0).select(
        trust_code="Trust_code", trust_type="Trust_type", segment=pl.col("Segment").cast(pl.Int64))
    j = out.join(published, on="trust_code")
    assert j.height == 150 and set(out["source"]) == {"league table"}
    acute = j.filter(pl.col("trust_type") == "Acute trust")
    assert (acute["adjusted_segment"] == acute["segment"]).all()
    assert set(out["cut_points"]) == {"2.0725 2.3500 2.7050"}
    assert set(out["cut_point_bounds"]) == {"2.0600..2.1300 2.3500..2.3600 2.6900..2.7100"}
    assert "note: Q3 2025/26 RAT (North East London NHS Foundation Trust): published adjusted " \
           "segment 3 needs the financial override" in a.stderr


def test_missing_population_file(nof_path: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["nof", "segment", str(nof_path), "--population",
                                 str(tmp_path / "absent.csv")])
    assert result.exit_code == 2 and "absent.csv: no such file" in result.stderr
