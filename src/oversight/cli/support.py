"""`oversight support`: escalate overdue SOAG actions to the board; check support.yaml files."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="Support and intervention: SOAG actions and support offers.", no_args_is_help=True
)
console = Console()


#: With --every: how often the loop checks that the process that started it is still there.
PARENT_CHECK_SECONDS = 5


@app.command("escalate-overdue")
def escalate_overdue_command(
    grace: Annotated[
        int,
        typer.Option(
            "--grace", min=0, help="Escalate only actions more than this many working days late."
        ),
    ] = 0,
    today: Annotated[
        str | None,
        typer.Option("--today", help="Count lateness as at this date (YYYY-MM-DD); default today."),
    ] = None,
    every: Annotated[
        int | None,
        typer.Option(
            "--every",
            min=60,
            help="Run again every this many seconds, until the process that "
            "started this one ends (how `oversight serve` runs it).",
        ),
    ] = None,
) -> None:
    """Escalate every overdue SOAG action to the board, telling its owner and case owners.

    Idempotent: an action already escalated is not escalated again. `oversight serve` runs it
    hourly; without it, run it daily (cron).
    """
    try:
        as_of = dt.date.fromisoformat(today) if today else None
    except ValueError:
        typer.echo(f"error: --today {today!r} is not a date (YYYY-MM-DD)", err=True)
        raise typer.Exit(2) from None
    from oversight.cli.django_setup import setup

    setup()
    if every is None:
        _escalate(as_of, grace)
        return
    from django.db import connections

    parent = os.getppid()
    console.print(
        f"Overdue SOAG actions are escalated to the board now and every {_period(every)} "
        "while the site is served (OVERSIGHT_ESCALATE=0 leaves it to a scheduler of yours)."
    )
    failing: str | None = None  # the error last reported: said once, not every run
    while True:
        try:
            _escalate(as_of, grace, quiet=True)
        except Exception as exc:  # noqa: BLE001 - keep serving; say what went wrong
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            if reason != failing:
                console.print(f"[red]error[/red]: escalating overdue SOAG actions failed: "
                              f"{reason} (trying again every {every} s; said again only if "
                              "the error changes)")
            failing = reason
        else:
            if failing is not None:
                console.print("Escalating overdue SOAG actions works again.")
            failing = None
        for connection in connections.all(initialized_only=True):
            if not connection.in_atomic_block:  # (a test's transaction stays open)
                connection.close()  # no connection held between runs
        for _ in range(0, every, PARENT_CHECK_SECONDS):
            if os.getppid() != parent:  # reparented: the server has gone, and so do we
                return
            time.sleep(PARENT_CHECK_SECONDS)


def _period(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    if not rest:
        return "hour" if hours == 1 else f"{hours} hours"
    return f"{seconds // 60} minutes"


def _escalate(as_of: dt.date | None, grace: int, *, quiet: bool = False) -> None:
    """Escalate, then say what was done and why; ``quiet`` says nothing when nothing was
    overdue (the hourly runs while serving), so the log holds only what happened."""
    from oversight.support.actions import escalate_overdue

    done = escalate_overdue(today=as_of, grace_working_days=grace)
    if not done:
        if not quiet:
            console.print("No open SOAG action is overdue: nothing escalated.")
        return
    console.print(
        f"Escalated {len(done)} overdue SOAG action{'' if len(done) == 1 else 's'} to the "
        f"board (open past {'its' if len(done) == 1 else 'their'} due date by more than "
        f"{grace} working day{'' if grace == 1 else 's'}); owners and case owners were told:"
    )
    table = Table("Action", "For", "Owner", "Due", "Working days late")
    for e in done:
        a = e.action
        table.add_row(
            a.title,
            a.subject.name,
            a.owner.get_full_name() or a.owner.get_username(),
            f"{a.due:%-d %b %Y}",
            str(e.working_days_late),
        )
    console.print(table)


@app.command("check-offers")
def check_offers_command(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="support.yaml files to check (default: every shipped framework's)."),
    ] = None,
) -> None:
    """Validate support.yaml files; errors name the file, line and reason."""
    from oversight.support.offers import SupportFileError, read_support, shipped_files

    failed = False
    for path in files or shipped_files():
        try:
            offers = read_support(path)
        except SupportFileError as exc:
            typer.echo(f"error: {exc}", err=True)
            failed = True
            continue
        rsp = offers.rsp
        typer.echo(
            f"{path}: {len(offers.segments)} segments; RSP is segment {rsp.segment}, "
            f"exit to segment {rsp.exit_segment}"
        )
    if failed:
        raise typer.Exit(1)
