"""`oversight nof`: NHS Oversight Framework 2025/26 scored segmentation from published files."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from oversight.exports import neutralise_frame

app = typer.Typer(help="NHS Oversight Framework 2025/26 scored segmentation.", no_args_is_help=True)

#: Columns of the output after the per-trust figures (see docs/nof-segmentation.md).
EXTRA = ["population", "national_population", "cut_points", "cut_point_bounds", "source",
         "published_adjusted", "published_check"]


class OutputFormat(StrEnum):
    csv = "csv"
    json = "json"


@app.command("segment")
def segment_command(
    files: Annotated[list[Path], typer.Argument(
        help="NHS England NOF data files (acute, mental health and community, ambulance) or "
             "league tables.")],
    population: Annotated[list[Path] | None, typer.Option(
        "--population", help="League table whose trusts (without metric rows here) join the "
                             "population with their published average. Repeatable.")] = None,
    quarter: Annotated[
        str | None, typer.Option("--quarter", help='Only this quarter, e.g. "Q2 2025/26".')
    ] = None,
    bounded: Annotated[bool, typer.Option(
        "--bounded", help="Where a quarter's population is incomplete, move a cut point the "
                          "published segments rule out into the interval they allow.")] = False,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.csv,
) -> None:
    """Score, segment and league-rank every trust and quarter in the FILES.

    Cut points per quarter follow the framework's rule (2025/26: quartiles of the average
    metric score over every trust of every type given). A trust in a data file is scored from
    its metric rows (OF0xxx, OF1xxx) and the OF5004/OF5007 flags; a trust only in a league table
    contributes its published average and deficit flag. An incomplete population, and every
    trust whose segment the published ones rule out, is said on standard error.
    """
    from oversight.engine.nof import (
        NofInputError,
        RulesError,
        load_rules,
        population_notes,
        segment_files,
    )

    for path in [*files, *(population or [])]:
        if not path.is_file():
            typer.echo(f"error: {path}: no such file", err=True)
            raise typer.Exit(2)
    try:
        rules = load_rules()
        out = segment_files(files, population or (), quarter=quarter, rules=rules,
                            use_bounds=bounded)
    except (NofInputError, RulesError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    for note in population_notes(out, rules):
        typer.echo(f"note: {note}", err=True)
    first = out.columns[: out.columns.index("population")]
    out = out.sort("quarter", "rank", "trust_code").select(*first, *EXTRA)
    if output_format is OutputFormat.json:
        sys.stdout.write(json.dumps(out.to_dicts(), indent=2) + "\n")
        return
    rows = out.to_dicts()
    for r in rows:
        r["cut_points"] = " ".join(f"{c:.4f}" for c in r["cut_points"])
        r["cut_point_bounds"] = bounds_text(r["cut_point_bounds"])
    schema = {**out.schema, "cut_points": pl.String, "cut_point_bounds": pl.String}
    sys.stdout.write(neutralise_frame(pl.DataFrame(rows, schema=schema, orient="row")).write_csv())


def bounds_text(bounds: list[float | None]) -> str:
    """'2.0600..2.1300 2.3500..2.3600 2.6900..' (cut 1|2, 2|3, 3|4); empty when unbounded."""
    if all(b is None for b in bounds):
        return ""
    ends = ["" if b is None else f"{b:.4f}" for b in bounds]
    return " ".join(f"{ends[k]}..{ends[k + 1]}" for k in (0, 2, 4))
