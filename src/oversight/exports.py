"""Cells leaving Oversight for a spreadsheet carry no formula (OWASP's CSV injection advice).

A text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel and LibreOffice as a formula (``=cmd|' /C calc'!A0`` runs a program), whether it came in a
note, an organisation name from a NOF file or a series name. Every CSV and XLSX export passes
its text through here: such a cell gets a leading apostrophe, which spreadsheets show as text
and which a reader of the CSV can strip. Numbers are left alone (-5 is a number, not a formula).

``table_bytes`` is the one writer of tabular exports (CSV, XLSX, JSON) and ``as_written`` reads a
neutralised cell back, so an exported file imports back unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import polars as pl

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` as a spreadsheet will read it as text: text led by a formula character gets
    an apostrophe; anything else is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def neutralise_row(row: dict[str, Any]) -> dict[str, Any]:
    return {key: neutralise(value) for key, value in row.items()}


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column of ``frame`` neutralised, vectorised."""
    texts = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not texts:
        return frame
    led = pl.col(texts).str.contains(r"^[=+\-@\t\r]")
    return frame.with_columns(
        pl.when(led).then(pl.lit("'") + pl.col(texts)).otherwise(pl.col(texts)).name.keep()
    )


def as_written(text: str) -> str:
    """A cell read back from one of our exports: the apostrophe ``neutralise`` put before a
    formula character is dropped again."""
    if text.startswith("'") and text[1:2] and text[1:2].startswith(FORMULA_LEADS):
        return text[1:]
    return text


def table_bytes(
    rows: Iterable[dict[str, Any]],
    columns: Sequence[str],
    fmt: str,
    *,
    sheet: str = "Sheet1",
    dress: Callable[[Any], None] | None = None,
) -> bytes:
    """``rows`` in ``columns`` as CSV (UTF-8), XLSX or JSON: the one writer of tabular exports.

    CSV and XLSX cells are neutralised (no formula reaches a spreadsheet) and ``None`` is an
    empty cell; JSON keeps the values as they are. The XLSX workbook has one sheet, ``sheet``,
    with a bold header row; ``dress(book)`` may add to it (a frozen pane, a sheet of codes)."""
    rows = list(rows)
    if fmt == "json":
        return (json.dumps(rows, indent=2, ensure_ascii=False) + "\n").encode()
    cells = [[neutralise(_blank(row.get(c))) for c in columns] for row in rows]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(cells)
        return out.getvalue().encode("utf-8")
    if fmt != "xlsx":
        raise ValueError(f"unknown format {fmt!r}: csv, xlsx or json")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    table = book.active
    table.title = sheet
    table.append(list(columns))
    for cell in table[1]:
        cell.font = Font(bold=True)
    for row in cells:
        table.append(row)
    if dress is not None:
        dress(book)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _blank(value: Any) -> Any:
    return "" if value is None else value
