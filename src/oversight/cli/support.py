"""`oversight support`: escalate overdue SOAG actions to the board; check support.yaml files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="Support and intervention: SOAG actions and support offers.",
                  no_args_is_help=True)
console = Console()


@app.command("escalate-overdue")
def escalate_overdue_command(
    grace: Annotated[int, typer.Option(
        "--grace", min=0, help="Escalate only actions more than this many working days late.")
    ] = 0,
    today: Annotated[str | None, typer.Option(
        "--today", help="Count lateness as at this date (YYYY-MM-DD); default today.")] = None,
) -> None:
    """Escalate every overdue SOAG action to the board, telling its owner and case owners.

    Idempotent: an action already escalated is not escalated again. Run it daily (cron).
    """
    try:
        as_of = dt.date.fromisoformat(today) if today else None
    except ValueError:
        typer.echo(f"error: --today {today!r} is not a date (YYYY-MM-DD)", err=True)
        raise typer.Exit(2) from None
    from oversight.cli.django_setup import setup

    setup()
    from oversight.support.actions import escalate_overdue

    done = escalate_overdue(today=as_of, grace_working_days=grace)
    if not done:
        console.print("No overdue action to escalate.")
        return
    table = Table("Action", "For", "Owner", "Due", "Working days late")
    for e in done:
        a = e.action
        table.add_row(a.title, a.subject.name, a.owner.get_username(), a.due.isoformat(),
                      str(e.working_days_late))
    console.print(table)
    console.print(f"Escalated {len(done)} action{'' if len(done) == 1 else 's'} to the board.")


@app.command("check-offers")
def check_offers_command(
    files: Annotated[list[Path] | None, typer.Argument(
        help="support.yaml files to check (default: every shipped framework's).")] = None,
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
        typer.echo(f"{path}: {len(offers.segments)} segments; RSP is segment {rsp.segment}, "
                   f"exit to segment {rsp.exit_segment}")
    if failed:
        raise typer.Exit(1)
