"""`oversight spc`: Making Data Count SPC (XmR) of every series in a long CSV."""

from __future__ import annotations

import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    import polars as pl


class OutputFormat(StrEnum):
    csv = "csv"
    json = "json"


class Direction(StrEnum):
    increase = "increase"
    decrease = "decrease"
    neutral = "neutral"


class InputError(Exception):
    """Bad input file, with the CSV line number (header = line 1) when it is one row."""


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def read_table(
    path: Path, series_col: str, date_col: str, value_col: str
) -> tuple[Any, Any, Any, Any]:
    """Series codes (int, in sorted label order), sorted labels (polars), dates (datetime64[D])
    and values (float64) of a CSV, validated. Labels stay in polars: strings are slow in numpy."""
    import numpy as np
    import polars as pl

    try:
        header = pl.read_csv(path, n_rows=0, infer_schema=False).columns
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError(f"{path}: cannot read CSV: {exc}") from exc
    missing = [c for c in (series_col, date_col, value_col) if c not in header]
    if missing:
        raise InputError(
            f"{path}: missing column(s) {', '.join(missing)} (columns: {', '.join(header)})"
        )
    columns = [series_col, date_col, value_col]
    try:
        # fast path: let the reader parse dates and numbers
        df = pl.read_csv(
            path,
            columns=columns,
            schema_overrides={series_col: pl.String, date_col: pl.Date, value_col: pl.Float64},
            infer_schema=False,
        )
        dates, values = df.get_column(date_col), df.get_column(value_col)
        raw_dates, raw_values = dates, values
    except pl.exceptions.PolarsError:
        # something did not parse: read text, to report the row and the reason
        try:
            df = pl.read_csv(
                path,
                columns=columns,
                schema_overrides={c: pl.String for c in columns},
                infer_schema=False,
            )
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise InputError(f"{path}: cannot read CSV: {exc}") from exc
        raw_dates = df.get_column(date_col)
        dates = raw_dates.str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
        if dates.null_count():
            dates = dates.fill_null(raw_dates.str.strip_chars().str.to_date(strict=False))
        raw_values = df.get_column(value_col)
        values = raw_values.str.strip_chars().cast(pl.Float64, strict=False)
    except OSError as exc:
        raise InputError(f"{path}: cannot read CSV: {exc}") from exc

    series = df.get_column(series_col)

    _check(series.is_null(), series, "missing series", path)
    _check(dates.is_null(), raw_dates, "unparsable date", path)
    finite = values.is_finite().fill_null(False)
    _check(~finite, raw_values, "unparsable or non-finite value", path)
    labels = series.unique().sort()
    codes = series.rank("dense").to_numpy().astype(np.int64) - 1
    return (
        codes,
        labels,
        dates.to_numpy().astype("datetime64[D]"),
        np.ascontiguousarray(values.to_numpy(), dtype=np.float64),
    )


def _check(bad: pl.Series, raw: pl.Series, reason: str, path: Path) -> None:
    if bad.any():
        row = int(bad.arg_true()[0])
        shown = "(empty)" if raw[row] is None else repr(str(raw[row]))
        raise InputError(f"{path}: line {row + 2}: {reason} {shown}")


def _safe_name(label: str, used: set[str]) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", label).strip("._") or "series"
    base, k = name, 1
    while name in used:
        k += 1
        name = f"{base}_{k}"
    used.add(name)
    return name


def spc(
    input_csv: Annotated[
        Path, typer.Argument(metavar="INPUT.csv", help="CSV with columns series,date,value.")
    ],
    series_col: Annotated[str, typer.Option("--series-col", help="Series column.")] = "series",
    date_col: Annotated[str, typer.Option("--date-col", help="Date column (YYYY-MM-DD).")] = "date",
    value_col: Annotated[str, typer.Option("--value-col", help="Value column.")] = "value",
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.csv,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    direction: Annotated[
        Direction, typer.Option("--direction", help="Improvement direction.")
    ] = Direction.increase,
    target: Annotated[
        float | None, typer.Option("--target", help="Target, for the assurance icon.")
    ] = None,
    rebase: Annotated[
        list[str] | None,
        typer.Option("--rebase", help="Recalculate limits from this date (repeatable)."),
    ] = None,
    fix_after: Annotated[
        int | None, typer.Option("--fix-after", help="Fix limits after N points (N >= 12).")
    ] = None,
    screen_outliers: Annotated[
        bool,
        typer.Option(
            "--screen-outliers/--no-screen-outliers", help="Screen moving-range outliers."
        ),
    ] = True,
    run_length: Annotated[
        int, typer.Option("--run-length", help="Points on one side of the mean for a run.")
    ] = 7,
    trend_length: Annotated[
        int, typer.Option("--trend-length", help="Points rising or falling for a trend.")
    ] = 7,
    summary: Annotated[
        bool, typer.Option("--summary", help="One row per series: icons and latest limits.")
    ] = False,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write one SVG chart per series into DIR.")
    ] = None,
) -> None:
    """Making Data Count SPC (XmR chart, special-cause rules, icons) for every series in
    INPUT.csv, identical to NHSRplotthedots 0.2.2. See docs/spc.md."""
    import numpy as np

    from oversight.engine.spc import SpcInputError, compute, summarise

    if not input_csv.is_file():
        raise _fail(f"{input_csv}: no such file", 2)
    try:
        codes, labels, dates, values = read_table(input_csv, series_col, date_col, value_col)
        rebase_dates = None
        if rebase:
            try:
                rebase_dates = np.asarray(rebase, dtype="datetime64[D]")
            except ValueError as exc:
                raise InputError(f"--rebase: unparsable date ({exc})") from exc
        result = compute(
            codes,
            dates,
            values,
            direction=direction.value,
            target=target,
            rebase=rebase_dates,
            fix_after_n_points=fix_after,
            screen_outliers=screen_outliers,
            run_length=run_length,
            trend_length=trend_length,
        )
    except InputError as exc:
        raise _fail(str(exc)) from exc
    except SpcInputError as exc:
        where = f"line {exc.row + 2}: " if exc.row is not None else ""
        reason = exc.reason
        if reason.startswith("duplicate") and exc.row is not None:
            reason = f"duplicate series/date {labels[int(codes[exc.row])]!r} {dates[exc.row]}"
        raise _fail(f"{input_csv}: {where}{reason}") from exc
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    for message in result.warnings:
        typer.echo(f"warning: {message}", err=True)

    table = (
        _summary_frame(result, summarise(result), labels)
        if summary
        else _points_frame(result, labels)
    )
    text = table.write_json() + "\n" if output_format is OutputFormat.json else table.write_csv()
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text)

    if plot is not None:
        _write_plots(result, plot, labels)


def _points_frame(result: Any, labels: pl.Series) -> pl.DataFrame:
    import polars as pl

    from oversight.engine.spc import POINT_TYPES

    return pl.DataFrame(
        {
            "series": labels.gather(result.series_labels[result.series]),
            "date": result.date,
            "value": result.value,
            "rebase_group": result.rebase_group,
            "mean": result.mean,
            "lpl": result.lpl,
            "upl": result.upl,
            "point_type": pl.Series(POINT_TYPES).gather(result.point_type),
        }
    ).with_columns(
        pl.col("date").cast(pl.Date),
        pl.col("lpl").fill_nan(None),
        pl.col("upl").fill_nan(None),
    )


def _summary_frame(result: Any, s: Any, labels: pl.Series) -> pl.DataFrame:
    import polars as pl

    return pl.DataFrame(
        {
            "series": labels.gather(result.series_labels),
            "variation": s.variation_names,
            "assurance": s.assurance_names,
            "n_points": s.n_points,
            "mean": s.mean,
            "lpl": s.lpl,
            "upl": s.upl,
        },
        schema_overrides={"assurance": pl.String},
    ).with_columns(pl.col("lpl").fill_nan(None), pl.col("upl").fill_nan(None))


def _write_plots(result: Any, folder: Path, labels: pl.Series) -> None:
    from oversight.engine.spc import series_svg, summarise

    folder.mkdir(parents=True, exist_ok=True)
    s = summarise(result)
    used: set[str] = set()
    for code in result.series_labels:
        label = str(labels[int(code)])
        svg = series_svg(result, code, s, title=label)
        (folder / f"{_safe_name(label, used)}.svg").write_text(svg)
