"""`oversight risks`: export and import a system's risk register; suggestions and escalation
rules from the command line (docs/risks.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from oversight.cli.django_setup import setup
from oversight.cli.files import (
    AsOption,
    FormatOption,
    OutputOption,
    TableFormat,
    print_problems,
    viewer_named,
    write_export,
)

app = typer.Typer(help="The system risk register: export, import, suggestions, escalation.",
                  no_args_is_help=True)
out = Console()
err = Console(stderr=True)


SystemOption = Annotated[
    str | None,
    typer.Option("--system", help="System code (e.g. QUE); needed when several have registers."),
]


def _system(code: str | None):
    from oversight.organisations.models import System

    if code:
        system = System.objects.filter(code=code).first()
        if system is None:
            err.print(f"[red]error[/red]: --system: no system with code '{code}'")
            raise typer.Exit(2)
        return system
    with_risks = list(System.objects.filter(risks__isnull=False).distinct().order_by("code"))
    if len(with_risks) == 1:
        return with_risks[0]
    known = ", ".join(s.code for s in with_risks) or "none has a register yet"
    err.print(f"[red]error[/red]: give --system (registers: {known})")
    raise typer.Exit(2)


@app.command("export")
def export_command(
    fmt: FormatOption = TableFormat.csv,
    system: SystemOption = None,
    output: OutputOption = None,
    viewer: AsOption = None,
) -> None:
    """Write the register: the template's columns, then computed ones (scores, band, level,
    appetite, review overdue). --as USER: only the risks that user may see (an organisation
    user: its own and system-wide ones)."""
    setup()
    from oversight.risks import transfer
    from oversight.risks.models import Risk
    from oversight.risks.rules import visible_risks

    chosen = _system(system)
    risks = Risk.objects.filter(system=chosen)
    reader = viewer_named(viewer)
    if reader is not None:
        risks = visible_risks(reader, risks)
    rows = transfer.export_rows(list(risks))
    write_export(transfer.export_bytes(rows, fmt.value, chosen), fmt, output, f"{len(rows)} risks")


@app.command("template")
def template_command(
    output: Annotated[Path, typer.Argument(help="File to write (.csv or .xlsx).")],
    system: SystemOption = None,
) -> None:
    """A blank register template (the XLSX has a Codes sheet of the codes each column takes)."""
    setup()
    from oversight.organisations.models import System
    from oversight.risks import transfer

    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        err.print("[red]error[/red]: the template is a .csv or .xlsx file")
        raise typer.Exit(2)
    chosen = System.objects.filter(code=system).first() if system else None
    output.write_bytes(transfer.template_bytes(fmt, chosen))
    err.print(f"Wrote {output}")


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX register to load.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only check; write nothing.")] = False,
    system: SystemOption = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Username recorded as making the changes.")
    ] = None,
) -> None:
    """Check every row of FILE, then write them all in one transaction (a row whose reference is
    on the register changes it; any other adds a risk). Any problem: nothing is written."""
    setup()
    from django.contrib.auth import get_user_model

    from oversight.risks import transfer

    if not file.is_file():
        err.print(f"[red]error[/red]: {file}: no such file")
        raise typer.Exit(2)
    chosen = _system(system)
    who = None
    if user:
        who = get_user_model().objects.filter(username=user).first()
        if who is None:
            err.print(f"[red]error[/red]: --user: no user named '{user}'")
            raise typer.Exit(2)
    try:
        result = transfer.import_register(file.name, file.read_bytes(), chosen, user=who,
                                          dry_run=dry_run)
    except transfer.RegisterFileError as exc:
        err.print(f"[red]error[/red]: {exc}")
        raise typer.Exit(1) from exc
    if result.problems:
        print_problems(result.describe(), result.problems)
        raise typer.Exit(1)
    out.print(result.describe())
    for label, refs in (("Added", result.added), ("Changed", result.changed)):
        if refs:
            out.print(f"{label}: {', '.join(refs)}")


@app.command("suggest")
def suggest_command(system: SystemOption = None) -> None:
    """Suggest risks from the oversight data (segment 4 proposals, bottom-quartile triggers, CQC
    Requires improvement) for their owners to accept or dismiss. Each signal once."""
    setup()
    from oversight.organisations.models import System
    from oversight.risks.suggest import suggest_risks

    systems = None
    if system:
        systems = list(System.objects.filter(code=system))
        if not systems:
            err.print(f"[red]error[/red]: --system: no system with code '{system}'")
            raise typer.Exit(2)
    out.print(suggest_risks(systems).describe())


@app.command("apply-rules")
def apply_rules_command(
    today: Annotated[
        str | None, typer.Option("--today", help="As at this date (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Escalate (or de-escalate) every live risk by the scoring file's escalation rules; a level
    a meeting decided stays. Idempotent."""
    try:
        as_of = dt.date.fromisoformat(today) if today else None
    except ValueError:
        err.print(f"[red]error[/red]: --today {today!r} is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None
    setup()
    from oversight.risks.lifecycle import apply_rules

    events = apply_rules(as_of)
    for e in events:
        out.print(f"{e.risk.reference}: {e.event.replace('_', ' ')} {e.source} -> {e.target}. "
                  f"{e.reason}")
    out.print(f"{len(events)} risk(s) moved.")
