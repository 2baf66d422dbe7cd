"""`oversight import`, `oversight template` and `oversight export observations|cqc-ratings`.

The contract is documented in docs/importing.md.
"""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from oversight.cli.django_setup import setup
from oversight.cli.files import (
    AsOption,
    OutputOption,
    print_problems,
    print_rejection,
    viewer_named,
)
from oversight.engine.units import plural
from oversight.exports import neutralise_row

err = Console(stderr=True)
out = Console()

export_app = typer.Typer(help="Write stored data out with its provenance.", no_args_is_help=True)


class Format(StrEnum):
    template = "template"
    nof = "nof"
    ae = "ae"
    cqc = "cqc"
    ods = "ods"
    places = "places"


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


def import_file(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX file to load.")],
    fmt: Annotated[Format, typer.Option("--format", help="Layout of the file.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only validate; write nothing.")
    ] = False,
    framework: Annotated[
        str | None,
        typer.Option(
            "--framework",
            help="Catalogue year to read metric codes against, e.g. sof-2021-22 "
            "(default: the latest criteria-based framework that has each metric; for NOF files "
            "the publication's year).",
        ),
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Username recorded on the batch.")
    ] = None,
    kinds: Annotated[
        Path | None,
        typer.Option(
            "--kinds",
            help="With --format ods: CSV or XLSX giving trusts' kinds, which the ODS file does "
            "not (org_code,kind; or an NHS England NOF file: Trust_code, Trust_type).",
        ),
    ] = None,
) -> None:
    """Validate FILE and store it in one transaction; any problem rejects the whole file."""
    setup()
    from django.contrib.auth import get_user_model

    from oversight.metrics.importing import VALIDATION_STEPS, ImportRejected, run_import
    from oversight.metrics.importing.ods import read_kinds

    for path in (file, kinds):
        if path is not None and not path.is_file():
            err.print(f"[red]error[/red]: {path}: no such file")
            raise typer.Exit(2)
    if kinds is not None and fmt is not Format.ods:
        err.print("[red]error[/red]: --kinds is read with --format ods only")
        raise typer.Exit(2)
    try:
        kind_of = read_kinds(kinds.read_bytes(), kinds.name) if kinds else None
    except ImportRejected as exc:
        print_rejection(exc)
        raise typer.Exit(1) from exc
    who = None
    if user:
        who = get_user_model().objects.filter(username=user).first()
        if who is None:
            err.print(f"[red]error[/red]: --user: no user named '{user}'")
            raise typer.Exit(2)
    data = file.read_bytes()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                if stage == "writing":
                    err.print(f"Writing {total:,} rows to the database…")
                tasks[stage] = bar.add_task(stage.capitalize(), total=total)
            description = stage.capitalize()
            if stage == "validating":  # name the step under way (steps, not rows)
                description = (
                    "Validated" if done >= total else f"Validating: {VALIDATION_STEPS[done]}"
                )
            bar.update(tasks[stage], completed=done, total=total, description=description)

        try:
            result = run_import(
                data,
                file.name,
                fmt.value,
                user=who,
                framework_code=framework,
                dry_run=dry_run,
                progress=progress,
                kinds=kind_of,
            )
        except ImportRejected as exc:
            bar.stop()
            print_rejection(exc)
            raise typer.Exit(1) from exc
    table = Table(title=f"{file.name}: {'dry run, nothing written' if dry_run else 'stored'}")
    for name in result.counts():
        table.add_column(name.capitalize(), justify="right")
    table.add_row(*(f"{n:,}" for n in result.counts().values()))
    out.print(table)
    if result.batch_id:
        out.print(f"Batch {result.batch_id} (SHA-256 {result.checksum[:12]}…)")
    if result.framework_code:
        out.print(f"Metric codes read against framework {result.framework_code}.")
    if result.organisations_created:
        verb = "Would create" if dry_run else "Created"
        out.print(
            f"{verb} {plural(len(result.organisations_created), 'organisation')}: "
            f"{', '.join(result.organisations_created)}"
        )
    for note in result.notes:
        out.print(note)
    if result.warnings:
        print_problems(f"{file.name}: {plural(len(result.warnings), 'trust')} whose type the "
                       "file does not give", result.warnings)
        out.print("Give their types with --kinds FILE (org_code,kind) or load NHS England's NOF "
                  "files, then load this file again.")


def template(
    framework: Annotated[
        str, typer.Option("--framework", help="Framework code, e.g. sof-2021-22.")
    ],
    xlsx: Annotated[bool, typer.Option("--xlsx", help="Excel workbook instead of CSV.")] = False,
    output: Annotated[
        Path | None, typer.Option("--output", help="File to write (default standard output).")
    ] = None,
) -> None:
    """Write a blank Oversight template for a framework year: the header and its metric codes."""
    setup()
    from oversight.metrics.importing import template as template_format
    from oversight.metrics.models import Framework

    fw = Framework.objects.filter(code=framework).first()
    if fw is None:
        known = ", ".join(Framework.objects.values_list("code", flat=True)) or "none loaded"
        err.print(
            f"[red]error[/red]: --framework: unknown framework '{framework}' (known: {known})"
        )
        raise typer.Exit(2)
    data = template_format.blank(fw, xlsx=xlsx)
    if output:
        output.write_bytes(data)
        err.print(f"Wrote {output}")
    elif xlsx:
        err.print("[red]error[/red]: --xlsx needs --output FILE")
        raise typer.Exit(2)
    else:
        sys.stdout.write(data.decode("utf-8"))


#: Options the export commands share.
OrgOption = Annotated[str | None, typer.Option("--org", help="Only this organisation (ODS).")]
FormatOption = Annotated[ExportFormat, typer.Option("--format", help="Output format.")]


@export_app.command("observations")
def export_observations(
    metric: Annotated[str | None, typer.Option("--metric", help="Only this metric code.")] = None,
    org: OrgOption = None,
    fmt: FormatOption = ExportFormat.csv,
    output: OutputOption = None,
    viewer: AsOption = None,
) -> None:
    """Write stored observations with the batch and source row each figure came from."""
    setup()
    from oversight.metrics.importing.export import COLUMNS, observation_rows

    rows = observation_rows(metric=metric, org=org, viewer=viewer_named(viewer))
    _write_rows(rows, COLUMNS, fmt, output)


@export_app.command("places")
def export_places(
    system: Annotated[
        str | None, typer.Option("--system", help="Only organisations of this system (ICB code).")
    ] = None,
    closed: Annotated[
        bool, typer.Option("--closed", help="Include closed organisations.")
    ] = False,
    fmt: FormatOption = ExportFormat.csv,
    output: OutputOption = None,
) -> None:
    """Write the systems and places assignment template, filled with what is stored:
    org_code, org_name, kind, system_code, place_code, place_name. Fill it in and load it with
    `oversight import FILE --format places`."""
    setup()
    from oversight.metrics.importing.places import COLUMNS, assignment_rows
    from oversight.organisations.models import System

    if system and not System.objects.filter(code=system.upper()).exists():
        err.print(f"[red]error[/red]: --system: no system '{system}'")
        raise typer.Exit(2)
    code = system.upper() if system else None
    _write_rows(assignment_rows(code, closed=closed), COLUMNS, fmt, output)


@export_app.command("cqc-ratings")
def export_cqc_ratings(
    org: OrgOption = None,
    fmt: FormatOption = ExportFormat.csv,
    output: OutputOption = None,
    viewer: AsOption = None,
) -> None:
    """Write stored CQC ratings with the batch and source row each came from."""
    setup()
    from oversight.metrics.importing.export import CQC_COLUMNS, cqc_rating_rows

    _write_rows(cqc_rating_rows(org=org, viewer=viewer_named(viewer)), CQC_COLUMNS, fmt, output)


def _write_rows(rows, columns: list[str], fmt: ExportFormat, output: Path | None) -> None:
    """Rows as CSV (header first, formula-led text neutralised), a JSON list (to `output` or
    standard output) or an XLSX workbook (to `output`)."""
    if fmt is ExportFormat.xlsx:
        if output is None:
            err.print("[red]error[/red]: --format xlsx needs --output FILE")
            raise typer.Exit(2)
        _write_workbook(rows, columns, output)
        err.print(f"Wrote {output}")
        return
    stream = output.open("w", newline="", encoding="utf-8") if output else sys.stdout
    try:
        if fmt is ExportFormat.json:
            json.dump(list(rows), stream, indent=1, default=str)
            stream.write("\n")
        else:
            writer = csv.DictWriter(stream, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(neutralise_row(row) for row in rows)
    finally:
        if output:
            stream.close()


def _write_workbook(rows, columns: list[str], output: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(columns)
    for row in rows:
        sheet.append([neutralise_row(row).get(c) for c in columns])
    book.save(output)
