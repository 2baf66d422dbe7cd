"""`oversight nof`: NHS Oversight Framework 2025/26 scored segmentation from published files."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from oversight.exports import neutralise_frame

app = typer.Typer(help="NHS Oversight Framework 2025/26 scored segmentation.", no_args_is_help=True)


class OutputFormat(StrEnum):
    csv = "csv"
    json = "json"


@app.command("segment")
def segment_command(
    file: Annotated[Path, typer.Argument(help="CSV in NHS England's published NOF layout.")],
    quarter: Annotated[
        str | None, typer.Option("--quarter", help='Only this quarter, e.g. "Q2 2025/26".')
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.csv,
) -> None:
    """Score, segment and league-rank every trust and quarter in FILE.

    Uses metric value and score rows (OF0xxx, OF1xxx) and the OF5004 financial override and
    OF5007 Recovery Support Programme flags; published domain and summary rows are ignored.
    """
    from oversight.engine.nof import NofInputError, RulesError, segment_file

    if not file.is_file():
        typer.echo(f"error: {file}: no such file", err=True)
        raise typer.Exit(2)
    try:
        out = segment_file(file, quarter=quarter)
    except (NofInputError, RulesError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    columns = [
        c
        for c in out.columns
        if c not in ("peer_group", "average_unrounded", "n_metrics", "recovery_support")
    ]
    out = out.select(columns)
    if output_format is OutputFormat.json:
        sys.stdout.write(json.dumps(out.to_dicts(), indent=2) + "\n")
    else:
        sys.stdout.write(neutralise_frame(out).write_csv())
