"""`oversight rebase`: list, record and remove SPC rebases (limits recalculated from a date).

A rebase names a metric (by code; the newest framework year that has it unless
``--framework`` says otherwise), an organisation by ODS code or ``all`` (every organisation's
series: a national definition change), and the first period of the new process (its period
start). The rebase history (who, when, what was removed) is kept as for the web pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from oversight.cli.django_setup import setup

app = typer.Typer(help="SPC rebases: recalculate a series' limits from a process change.",
                  no_args_is_help=True)
console = Console()

ALL = "all"
FRAMEWORK_OPTION = typer.Option(
    "--framework", help="Framework code when the metric code is in several framework years "
                        "(default: the newest).")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def _metric(code: str, framework: str | None) -> Any:
    from oversight.metrics.models import Metric

    metric = Metric.by_code(code, framework)
    if metric is None:
        where = f" in framework '{framework}'" if framework else ""
        raise _fail(f"METRIC: no metric with code '{code}'{where}")
    return metric


def _organisation(ods: str) -> Any:
    """The organisation, or None for ``all``."""
    from oversight.organisations.models import Organisation

    if ods.strip().lower() == ALL:
        return None
    org = Organisation.objects.filter(ods_code=ods.strip().upper()).first()
    if org is None:
        raise _fail(f"ORG: no organisation with ODS code '{ods.strip().upper()}' "
                    f"(or '{ALL}' for every organisation)")
    return org


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _fail(f"DATE: '{text}' is not a date (YYYY-MM-DD)") from None


@app.command("list")
def list_rebases(
    metric: Annotated[str | None, typer.Option("--metric", help="Only this metric code.")] = None,
    org: Annotated[str | None, typer.Option(
        "--org", help=f"Only this organisation's (ODS code), or '{ALL}' for metric-wide ones."
    )] = None,
) -> None:
    """Every stored rebase, by metric, organisation and date."""
    setup()
    from oversight.metrics.models import Metric, Rebase

    rebases = Rebase.objects.select_related("metric__framework", "organisation", "recorded_by")
    if metric is not None:
        if not Metric.objects.filter(code=metric).exists():
            raise _fail(f"--metric: no metric with code '{metric}'")
        rebases = rebases.filter(metric__code=metric)
    if org is not None:
        rebases = rebases.filter(organisation=_organisation(org))
    rows = list(rebases.order_by("metric__code", "metric__framework__year_start",
                                 "organisation__ods_code", "date"))
    if not rows:
        console.print("No rebase recorded.")
        return
    table = Table()
    for column in ("Metric", "Framework", "Organisation", "From"):
        table.add_column(column, no_wrap=True)
    for column in ("Reason", "Recorded by", "Recorded"):
        table.add_column(column)
    for r in rows:
        table.add_row(r.metric.code, r.metric.framework.code,
                      r.organisation.ods_code if r.organisation_id else ALL, r.date.isoformat(),
                      r.reason, r.recorded_by.get_username() if r.recorded_by else "",
                      f"{r.recorded_at:%Y-%m-%d %H:%M}")
    console.print(table)


@app.command("add")
def add(
    metric: Annotated[str, typer.Argument(help="Metric code, e.g. OF0001.")],
    org: Annotated[str, typer.Argument(help=f"ODS code, or '{ALL}' for every organisation.")],
    date: Annotated[str, typer.Argument(help="First period of the new process (its start, "
                                             "YYYY-MM-DD).")],
    reason: Annotated[str, typer.Option("--reason", help="What changed in the process.")],
    framework: Annotated[str | None, FRAMEWORK_OPTION] = None,
) -> None:
    """Record a rebase: the series' limits are recalculated from DATE."""
    setup()
    from oversight.metrics.rebases import RebaseError, record_rebase

    found = _metric(metric, framework)
    organisation = _organisation(org)
    when = _date(date)
    try:
        rebase = record_rebase(found, organisation, when, reason)
    except RebaseError as exc:
        name = "--reason" if exc.field == "reason" else exc.field.upper()
        raise _fail(f"{name}: {exc.message}") from exc
    console.print(f"Recorded rebase of {rebase}.")


@app.command("remove")
def remove(
    metric: Annotated[str, typer.Argument(help="Metric code.")],
    org: Annotated[str, typer.Argument(help=f"ODS code, or '{ALL}'.")],
    date: Annotated[str, typer.Argument(help="Date of the rebase (YYYY-MM-DD).")],
    framework: Annotated[str | None, FRAMEWORK_OPTION] = None,
) -> None:
    """Remove a rebase (its history keeps it)."""
    setup()
    from oversight.metrics.models import Rebase

    found = _metric(metric, framework)
    organisation = _organisation(org)
    when = _date(date)
    rebase = Rebase.objects.filter(metric=found, organisation=organisation, date=when).first()
    if rebase is None:
        raise _fail(f"DATE: no rebase of {found.code} for {org} from {when.isoformat()} "
                    "(see oversight rebase list)")
    label = str(rebase)
    rebase.delete()
    console.print(f"Removed rebase of {label}.")
