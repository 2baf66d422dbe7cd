"""`oversight report`: board reports written from the data, as HTML, PDF or Word
(docs/reports.md).

Each report is one command here; the documents themselves are built by oversight.reports.
Errors go to stderr, never a traceback: exit 1 when the request is refused (unknown meeting,
nothing to report), 2 when it is malformed (a bad option value).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from oversight.cli.django_setup import setup

app = typer.Typer(help="Board reports: meeting packs, segmentation summaries, the SOAG overview.",
                  no_args_is_help=True)
err = Console(stderr=True)


class ReportFormat(StrEnum):
    """The formats of oversight.reports.formats."""

    html = "html"
    pdf = "pdf"
    docx = "docx"


class PackFormat(StrEnum):
    """A meeting pack joins PDF papers: PDF only."""

    pdf = "pdf"


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


@app.command("meeting-pack")
def meeting_pack_command(
    meeting_id: Annotated[int, typer.Argument(help="The meeting's number (its page's URL).")],
    output: Annotated[Path, typer.Option("--output", help="The PDF file to write.")],
    fmt: Annotated[PackFormat, typer.Option("--format", help="Output format.")] = PackFormat.pdf,
    part_b: Annotated[bool, typer.Option(
        "--part-b", help="The confidential Part B pack instead (needs --user).")] = False,
    user: Annotated[str | None, typer.Option(
        "--user", "--as",
        help="Build the pack as this user: Part B items only if they may see them."
    )] = None,
) -> None:
    """A governance meeting's pack as one PDF: agenda, then each paper's cover sheet and the
    paper, in agenda order. Part B papers are only in the --part-b pack, for those entitled."""
    setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser

    from oversight.cli.jobs import progress_bar as jobs_progress_bar
    from oversight.governance.models import ItemPart, Meeting
    from oversight.reports.meeting_pack import PackRefused, meeting_pack

    meeting = Meeting.objects.select_related("body").filter(pk=meeting_id).first()
    if meeting is None:
        raise fail(f"no meeting {meeting_id} (the number in its page's URL, "
                   "/governance/meetings/N/)")
    reader = AnonymousUser()
    if user:
        reader = get_user_model().objects.filter(username=user).first()
        if reader is None:
            raise fail(f"--user: no user named '{user}'", 2)
    elif part_b:
        raise fail("--part-b: give --user, the person the confidential pack is for", 2)
    try:
        with jobs_progress_bar("Building the meeting pack"):
            pack, data = meeting_pack(meeting, reader, ItemPart.B if part_b else ItemPart.A)
    except PackRefused as exc:
        raise fail(str(exc)) from None
    write(output, data)
    for entry in pack.not_included:
        err.print(f"not included: item {entry.item.number}, {entry.paper.title}: {entry.note}",
                  highlight=False)


@app.command("segmentation-summary")
def segmentation_summary_command(
    quarter: Annotated[str, typer.Option(
        "--quarter", help='Framework quarter, e.g. "Q2 2021/22".')],
    output: Annotated[Path, typer.Option("--output", help="The file to write.")],
    fmt: Annotated[ReportFormat, typer.Option("--format", help="Output format.")] = (
        ReportFormat.pdf
    ),
    system: Annotated[str | None, typer.Option(
        "--system", help="One system (its code, e.g. QUE) instead of the whole region.")] = None,
    region: Annotated[str | None, typer.Option(
        "--region", help="The region (e.g. Y61); needed when the data spans several.")] = None,
    user: Annotated[str | None, typer.Option(
        "--user", "--as", help="Draw it as this user: unpublished decisions included if their role "
                       "sees them; without it, published decisions and proposals only.")] = None,
) -> None:
    """The segmentation summary of a framework quarter for a region or one system: segments,
    changes since the quarter before and their reasons."""
    setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser

    from oversight.reports import formats
    from oversight.reports.segmentation_summary import (
        SummaryRefused,
        document,
        scope_of,
        summary,
    )

    reader = AnonymousUser()
    if user:
        reader = get_user_model().objects.filter(username=user).first()
        if reader is None:
            raise fail(f"--user: no user named '{user}'", 2)
    try:
        # Every subject of the scope (the command line is the operator's); decisions as the
        # reader may see them.
        scope = scope_of(reader, system=system, region=region, within_roles=False)
        result = summary(reader, quarter, scope, within_roles=False)
    except (SummaryRefused, PermissionError) as exc:
        raise fail(str(exc)) from None
    data = formats.render(document(result, dt.date.today()), fmt.value, title=result.title,
                          running_header=result.title)
    write(output, data)


def _day(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option}: '{value}' is not a date (YYYY-MM-DD)", 2) from None


@app.command("soag-overview")
def soag_overview_command(
    system: Annotated[str, typer.Option("--system", help="System code, e.g. QUE.")],
    meeting: Annotated[str, typer.Option(
        "--meeting", help="The date of the board meeting the report goes to, YYYY-MM-DD.")],
    output: Annotated[Path, typer.Option("--output", help="The file to write.")],
    since: Annotated[str | None, typer.Option(
        "--since", help="Start of the period covered, YYYY-MM-DD (default: the day after the "
                        "board meeting of the last report).")] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="Output format.")] = (
        ReportFormat.pdf
    ),
    user: Annotated[str | None, typer.Option(
        "--user", help="Issue it as this user (recorded as the issuer and as the uploader of "
                       "the board meeting's paper; default: who started the report).")] = None,
) -> None:
    """Issue the SOAG overview report to the system's board meeting and write it: every part
    is drawn now and frozen as a new version in HTML, PDF and Word (the cover sheet and
    narrative are those written on the report's page, /reports/), and the version becomes the
    report's paper on the board meeting's agenda."""
    meeting_day = _day(meeting, "--meeting")
    since_day = _day(since, "--since") if since else None
    setup()
    from django.core.exceptions import ValidationError

    from oversight.cli.jobs import progress_bar as jobs_progress_bar
    from oversight.jobs.background import JobFailed
    from oversight.organisations.models import System
    from oversight.reports.documents import document
    from oversight.reports.jobs import issue_report
    from oversight.reports.preparing import board_meeting, start_report

    chosen = System.objects.filter(code=system.upper()).first()
    if chosen is None:
        known = ", ".join(System.objects.order_by("code").values_list("code", flat=True)[:12])
        raise fail(f"--system: no system with code '{system}'"
                   + (f" (systems: {known}, ...)" if known else ""))
    if not output.parent.is_dir():
        raise fail(f"--output: no folder {output.parent}", 2)
    issuer = None
    if user:
        from django.contrib.auth import get_user_model

        issuer = get_user_model().objects.filter(username=user).first()
        if issuer is None:
            raise fail(f"--user: no user named '{user}'", 2)
    try:
        report = start_report(chosen, board_meeting(chosen, meeting_day), since=since_day)
        with jobs_progress_bar("Issuing the report"):
            outcome = issue_report(report.pk, issuer.pk if issuer else None)
    except ValidationError as exc:
        raise fail(" ".join(exc.messages)) from None
    except JobFailed as exc:
        raise fail(str(exc)) from None
    data, _, _ = document(report.latest, fmt.value)
    write(output, data)
    err.print(outcome.summary, highlight=False)
