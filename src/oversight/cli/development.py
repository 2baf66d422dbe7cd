"""`oversight development import|export`: a development plan's actions to and from a
spreadsheet. The contract (columns, matching, errors) is documented in docs/development.md."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from oversight.cli.django_setup import setup
from oversight.cli.files import (
    FormatOption,
    OutputOption,
    TableFormat,
    print_rejection,
    write_export,
)

app = typer.Typer(
    help="ICS development plans: import and export workstreams and actions.",
    no_args_is_help=True,
)
err = Console(stderr=True)
out = Console()


SystemOption = Annotated[
    str | None,
    typer.Option("--system", help="System code (e.g. QUE); needed when several have plans."),
]


def _fail(message: str) -> None:
    err.print(f"[red]error[/red]: {message}")
    raise typer.Exit(2)


def _plan(system: str | None, title: str | None = None, dated: str | None = None):
    from oversight.development import plans
    from oversight.development.models import Plan
    from oversight.organisations.models import System

    found = Plan.objects.select_related("system")
    if system:
        sys_obj = System.objects.filter(code=system.upper()).first()
        if sys_obj is None:
            _fail(f"--system: no system with code '{system}'")
        found = found.filter(system=sys_obj)
        if not found.exists():
            if not (title and dated):
                _fail(
                    f"system {sys_obj.code} has no development plan: give --title and --dated "
                    "(YYYY-MM-DD) to start one"
                )
            try:
                day = dt.date.fromisoformat(dated)
            except ValueError:
                _fail(f"--dated: '{dated}' is not a date (YYYY-MM-DD)")
            return plans.create_plan(sys_obj, title, day)
    plans_found = list(found.order_by("-published_on")[:2])
    if not plans_found:
        _fail("no development plan is loaded: give --system CODE with --title and --dated")
    if len(plans_found) > 1 and not system:
        codes = ", ".join(sorted(set(found.values_list("system__code", flat=True))))
        _fail(f"several development plans ({codes}): choose one with --system")
    return plans_found[0]


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX file of actions.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only check the file; write nothing.")
    ] = False,
    system: SystemOption = None,
    title: Annotated[
        str | None, typer.Option("--title", help="Title of a new plan for --system.")
    ] = None,
    dated: Annotated[
        str | None, typer.Option("--dated", help="Date of a new plan (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Check FILE and store its workstreams and actions in one transaction; any problem
    rejects the whole file and names its file, row and column."""
    setup()
    from oversight.development.spreadsheet import ImportRejected, import_plan

    if not file.is_file():
        _fail(f"{file}: no such file")
    plan = _plan(system, title, dated)
    try:
        result = import_plan(file.read_bytes(), file.name, plan, dry_run=dry_run)
    except ImportRejected as exc:
        print_rejection(exc)
        raise typer.Exit(1) from exc
    table = Table(
        title=f"{file.name} into {plan.title}: "
        f"{'dry run, nothing written' if dry_run else 'stored'}"
    )
    for name in result.counts():
        table.add_column(name.capitalize(), justify="right")
    table.add_row(*(str(n) for n in result.counts().values()))
    out.print(table)
    if result.owners_created:
        verb = "Would add" if dry_run else "Added"
        out.print(f"{verb} owners: {', '.join(result.owners_created)}")


@app.command("export")
def export_command(
    fmt: FormatOption = TableFormat.csv,
    system: SystemOption = None,
    output: OutputOption = None,
) -> None:
    """Write the plan's actions: theme,workstream,owner,action,deadline_text,due_date,status."""
    setup()
    from oversight.development.spreadsheet import export_bytes

    write_export(export_bytes(_plan(system), fmt.value), fmt, output)
