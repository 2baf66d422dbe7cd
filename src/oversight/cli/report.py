"""`oversight report`: board reports written from the data, as HTML, PDF or Word
(docs/reports.md).

Each report is one command here; the documents themselves are built by oversight.reports.
Errors go to stderr, never a traceback: exit 1 when the request is refused (unknown meeting,
nothing to report), 2 when it is malformed (a bad option value).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console

app = typer.Typer(help="Board reports: meeting packs, segmentation summaries, the SOAG overview.",
                  no_args_is_help=True)
err = Console(stderr=True)


class ReportFormat(StrEnum):
    """The formats of oversight.reports.formats."""

    html = "html"
    pdf = "pdf"
    docx = "docx"


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print `message` as an error and return the exit to raise (`raise fail(...)`)."""
    err.print(f"[red]error[/red]: {message}", highlight=False)
    return typer.Exit(code)


def write(output: Path, data: bytes) -> None:
    """Write a report whole, or not at all (written beside, then renamed into place)."""
    partial = output.with_name(f".{output.name}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(output)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise fail(f"--output {output}: cannot write ({exc.strerror})") from None
    err.print(f"wrote {output} ({len(data):,} bytes)", highlight=False)
