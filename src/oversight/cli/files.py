"""What the commands that read and write files share: the table formats an export is written
in and how it is written, and one table of an import's problems by file, row, column and
reason (on standard error)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Protocol

import typer
from rich.console import Console
from rich.table import Table

from oversight.engine.units import plural

err = Console(stderr=True)


class TableFormat(StrEnum):
    """The formats of ``oversight.exports.table_bytes``."""

    csv = "csv"
    xlsx = "xlsx"
    json = "json"


FormatOption = Annotated[TableFormat, typer.Option("--format", help="Output format.")]
#: Every export that can hold what not everyone may see (unpublished data, Part B business,
#: another trust's risks) takes it: the rows that user may see, by oversight.access.visibility.
AsOption = Annotated[str | None, typer.Option(
    "--as", help="Only what this user may see (unpublished data, Part B business: "
                 "docs/importing.md).")]


def viewer_named(username: str | None):
    """The user named by --as (None: the command line's administrator, who sees everything);
    exit 2 when there is no such active user."""
    if username is None:
        return None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        err.print(f"[red]error[/red]: --as: no active user named '{username}'")
        raise typer.Exit(2)
    return user
OutputOption = Annotated[
    Path | None, typer.Option("--output", help="File to write (default standard output).")
]


def write_export(data: bytes, fmt: TableFormat, output: Path | None, what: str = "") -> None:
    """Write an export to ``output``, or to standard output (an XLSX only when it is not a
    terminal: the workbook is binary)."""
    if output is not None:
        output.write_bytes(data)
        err.print(f"Wrote {what + ' to ' if what else ''}{output}")
    elif fmt is TableFormat.xlsx:
        if sys.stdout.isatty():
            err.print("[red]error[/red]: XLSX is binary: give --output FILE")
            raise typer.Exit(2)
        sys.stdout.buffer.write(data)
    else:
        sys.stdout.write(data.decode("utf-8"))


class Problem(Protocol):
    file: str
    row: int | None
    column: str
    reason: str


def print_problems(title: str, problems: Iterable[Problem]) -> None:
    """The problems as a table: file, row (blank for the whole file), column, reason."""
    table = Table(title=title)
    for name in ("File", "Row", "Column", "Reason"):
        table.add_column(name)
    for p in problems:
        table.add_row(p.file, "" if p.row is None else str(p.row), p.column, p.reason)
    err.print(table, width=160)


def print_rejection(exc) -> None:
    """A rejected import (``ImportRejected``): its problems, how many and in how many rows,
    and the rejected batch that records the attempt, if any."""
    problems = exc.problems
    print_problems(f"{problems.file}: rejected, nothing written", problems.sorted())
    listed = len(problems.items)
    more = f" ({problems.total - listed} more not listed)" if problems.total > listed else ""
    rows = getattr(exc, "rows_read", None)
    read = f" in {plural(rows, 'row')} read" if rows else ""
    err.print(
        f"[red]{plural(problems.total, 'problem')}{read}; {plural(len(problems.rows), 'row')} "
        f"rejected{more}[/red]"
    )
    batch_id = getattr(exc, "batch_id", None)
    if batch_id is not None:
        err.print(f"The attempt is recorded as rejected batch {batch_id}.")
