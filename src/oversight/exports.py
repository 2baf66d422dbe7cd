"""Cells leaving Oversight for a spreadsheet carry no formula (OWASP's CSV injection advice).

A text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel and LibreOffice as a formula (``=cmd|' /C calc'!A0`` runs a program), whether it came in a
note, an organisation name from a NOF file or a series name. Every CSV and XLSX export passes
its text through here: such a cell gets a leading apostrophe, which spreadsheets show as text
and which a reader of the CSV can strip. Numbers are left alone (-5 is a number, not a formula).
"""

from __future__ import annotations

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
