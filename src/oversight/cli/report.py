"""`oversight report`: board reports written from the data (docs/reports.md).

`soag-overview` issues the SOAG overview report to a board meeting (a new frozen version) and
writes it as HTML, PDF or Word.
"""

from __future__ import annotations

import datetime as dt
import enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from oversight.cli.django_setup import setup

app = typer.Typer(help="Board reports: the SOAG overview and the meeting pack.",
                  no_args_is_help=True)
out = Console()
err = Console(stderr=True)


class ReportFormat(enum.StrEnum):
    pdf = "pdf"
    docx = "docx"
    html = "html"


def _day(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        err.print(f"[red]error[/red]: {option}: '{value}' is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None


@app.command("soag-overview")
def soag_overview(
    system: Annotated[str, typer.Option("--system", help="System code, e.g. QUE.")],
    meeting: Annotated[str, typer.Option("--meeting", help="The board meeting's date, "
                                                           "YYYY-MM-DD.")],
    output: Annotated[Path, typer.Option("--output", help="File to write.")],
    since: Annotated[str | None, typer.Option(
        "--since", help="Start of the period covered, YYYY-MM-DD (default: the day after "
                        "the last report to the board).")] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="Output format.")] = (
        ReportFormat.pdf
    ),
) -> None:
    """Issue the SOAG overview report to the system's board meeting and write it. Issuing
    draws every part now and freezes it as a new version (the cover sheet and narrative are
    those written on the report's page)."""
    meeting_day = _day(meeting, "--meeting")
    since_day = _day(since, "--since") if since else None
    setup()
    from django.core.exceptions import ValidationError

    from oversight.organisations.models import System
    from oversight.reports.documents import FORMATS, document
    from oversight.reports.issue import issue
    from oversight.reports.preparing import board_meeting, start_report

    if fmt.value not in FORMATS:
        err.print(f"[red]error[/red]: --format: {fmt.value} is not available yet "
                  f"(available: {', '.join(FORMATS)})")
        raise typer.Exit(2)
    chosen = System.objects.filter(code=system.upper()).first()
    if chosen is None:
        known = ", ".join(System.objects.order_by("code").values_list("code", flat=True)[:12])
        err.print(f"[red]error[/red]: --system: no system with code '{system}'"
                  + (f" (systems: {known}, ...)" if known else ""))
        raise typer.Exit(1)
    try:
        report = start_report(chosen, board_meeting(chosen, meeting_day), since=since_day)
    except ValidationError as exc:
        err.print(f"[red]error[/red]: {' '.join(exc.messages)}")
        raise typer.Exit(1) from None
    if not output.parent.is_dir():
        err.print(f"[red]error[/red]: --output: no folder {output.parent}")
        raise typer.Exit(2)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task("Drawing the report", total=None)

        def progress(done: int, total: int, part: str) -> None:
            bar.update(task, completed=done, total=total, description=part)

        version = issue(report, progress=progress)
    content, _, _ = document(version, fmt.value)
    output.write_bytes(content)
    out.print(f"Issued version {version.number} of {report} "
              f"({', '.join(version.snapshot['parts'])}); wrote {output}")
