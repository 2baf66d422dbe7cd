"""`oversight spc`: Making Data Count SPC (XmR) of every series in a long CSV."""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO

import typer

from oversight.exports import neutralise_frame

if TYPE_CHECKING:
    import numpy as np
    import polars as pl
    from numpy.typing import NDArray


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


class LineNumbers:
    """Where each data row of a CSV starts (header = line 1), as the standard ``csv`` module
    counts lines, so that blank lines and quoted fields holding newlines are accounted for.
    polars reports neither, so the file is read a second time, only when needed: to find blank
    lines or to report an error."""

    def __init__(self, path: Path, records: int) -> None:
        self.path = path
        self.records = records  # rows polars read, blank lines included
        self._starts: NDArray[np.int64] | None = None
        self._blank: NDArray[np.bool_] | None = None
        self._kept: NDArray[np.intp] | None = None

    def _scan(self) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
        import numpy as np

        if self._starts is None or self._blank is None:
            starts: list[int] = []
            blank: list[bool] = []
            with self.path.open(newline="", encoding="utf-8-sig", errors="replace") as fh:
                reader = csv.reader(fh)
                next(reader, None)  # header
                previous = reader.line_num
                for record in reader:
                    starts.append(previous + 1)
                    blank.append(not record)
                    previous = reader.line_num
            if len(starts) != self.records:
                raise InputError(
                    f"{self.path}: cannot read CSV: {self.records} rows read but "
                    f"{len(starts)} records found line by line; check the quoting"
                )
            self._starts = np.asarray(starts, dtype=np.int64)
            self._blank = np.asarray(blank, dtype=bool)
        return self._starts, self._blank

    def blank_lines(self) -> NDArray[np.bool_]:
        """Which rows polars read are blank lines."""
        return self._scan()[1]

    def keep(self, kept: NDArray[np.bool_]) -> None:
        """Data rows are now the ``kept`` rows only (blank lines dropped)."""
        import numpy as np

        self._kept = np.flatnonzero(kept)

    def of(self, row: int) -> int:
        """The line on which data row ``row`` starts."""
        starts = self._scan()[0]
        return int(starts[row if self._kept is None else self._kept[row]])


@dataclass(frozen=True)
class InputTable:
    """A validated input CSV, one entry per data row (blank lines skipped): series codes (int,
    in sorted label order), sorted labels (polars: strings are slow in numpy), dates
    (datetime64[D]) and values (float64)."""

    codes: NDArray[np.int64]
    labels: pl.Series
    dates: NDArray[np.datetime64]
    values: NDArray[np.float64]
    lines: LineNumbers


def read_table(path: Path, series_col: str, date_col: str, value_col: str) -> InputTable:
    """The CSV's series, dates and values, validated: :class:`InputError` names the line and
    the reason of the first bad row."""
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
    lines = LineNumbers(path, df.height)
    # a blank line reads as a row of nulls, like a row of empty fields (",,"): tell them apart
    empty = series.is_null() & raw_dates.is_null() & raw_values.is_null()
    if empty.any():
        kept = ~(empty.to_numpy() & lines.blank_lines())
        lines.keep(kept)
        mask = pl.Series(kept)
        series, dates, values = series.filter(mask), dates.filter(mask), values.filter(mask)
        raw_dates, raw_values = raw_dates.filter(mask), raw_values.filter(mask)

    _check(series.is_null(), series, "missing series", lines)
    _check(dates.is_null(), raw_dates, "unparsable date", lines)
    finite = values.is_finite().fill_null(False)
    _check(~finite, raw_values, "unparsable or non-finite value", lines)
    return InputTable(
        codes=series.rank("dense").to_numpy().astype(np.int64) - 1,
        labels=series.unique().sort(),
        dates=dates.to_numpy().astype("datetime64[D]"),
        values=np.ascontiguousarray(values.to_numpy(), dtype=np.float64),
        lines=lines,
    )


def _check(bad: pl.Series, raw: pl.Series, reason: str, lines: LineNumbers) -> None:
    if bad.any():
        row = int(bad.arg_true()[0])
        shown = "(empty)" if raw[row] is None else repr(str(raw[row]))
        raise InputError(f"{lines.path}: line {lines.of(row)}: {reason} {shown}")


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
        table = read_table(input_csv, series_col, date_col, value_col)
        rebase_dates = None
        if rebase:
            try:
                rebase_dates = np.asarray(rebase, dtype="datetime64[D]")
            except ValueError as exc:
                raise InputError(f"--rebase: unparsable date ({exc})") from exc
        result = compute(
            table.codes,
            table.dates,
            table.values,
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
        try:
            where = f"line {table.lines.of(exc.row)}: " if exc.row is not None else ""
        except InputError as unmatched:
            raise _fail(str(unmatched)) from exc
        reason = exc.reason
        if reason.startswith("duplicate") and exc.row is not None:
            label = table.labels[int(table.codes[exc.row])]
            reason = f"duplicate series/date {label!r} {table.dates[exc.row]}"
        raise _fail(f"{input_csv}: {where}{reason}") from exc
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    for message in result.warnings:
        typer.echo(f"warning: {message}", err=True)

    frame = (
        _summary_frame(result, summarise(result), table.labels)
        if summary
        else _points_frame(result, table.labels)
    )
    if output is None:
        sys.stdout.flush()
        _write_frame(frame, output_format, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        try:
            with output.open("wb") as fh:
                _write_frame(frame, output_format, fh)
        except OSError as exc:
            raise _fail(f"{output}: cannot write: {exc.strerror or exc}") from exc

    if plot is not None:
        try:
            _write_plots(result, plot, table.labels)
        except OSError as exc:
            raise _fail(f"{plot}: cannot write charts: {exc.strerror or exc}") from exc


def _write_frame(frame: pl.DataFrame, output_format: OutputFormat, out: BinaryIO) -> None:
    """CSV, or JSON (an array of objects and a newline), written by polars straight into
    ``out``: building the text as a Python string first doubled the time of a large JSON."""
    if output_format is OutputFormat.json:
        frame.write_json(out)
        out.write(b"\n")
    else:
        neutralise_frame(frame).write_csv(out)


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
