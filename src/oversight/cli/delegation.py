"""`oversight delegation`: the scheme of delegation (seed 003 §9, docs/delegation.md).

`who QUESTION` prints the matters of the current scheme that answer the question as CSV
`matter,held_by,kind,delegated_by` (public contract); `load FILE` loads a scheme file as a new
version. Errors go to stderr: exit 1 when refused (no scheme loaded, version already loaded, a
bad scheme file naming table, matter and why), 2 when the request is malformed.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer

from oversight.cli.django_setup import setup

app = typer.Typer(help="The scheme of delegation: who may decide what.", no_args_is_help=True)

COLUMNS = ["matter", "held_by", "kind", "delegated_by"]


@app.command("who")
def who_command(
    question: Annotated[
        str, typer.Argument(help='Words of the matter, e.g. "approve business cases".')
    ],
) -> None:
    """The matters answering QUESTION (every word in the matter, or the word is its kind), and
    who holds each: CSV columns matter,held_by,kind,delegated_by (delegated_by is empty for a
    matter reserved to a statutory organisation)."""
    if not question.strip():
        typer.echo('error: give the words of a matter, e.g. "approve business cases"', err=True)
        raise typer.Exit(2)
    setup()
    from oversight.delegation.scheme import current_scheme, who

    scheme = current_scheme()
    if scheme is None:
        typer.echo("error: no scheme of delegation is loaded (oversight delegation load)", err=True)
        raise typer.Exit(1)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(COLUMNS)
    for m in who(question, scheme):
        writer.writerow(
            [m.text, m.held_by_label, m.kind, m.delegated_by.name if m.delegated_by else ""]
        )


@app.command("load")
def load_command(
    path: Annotated[Path, typer.Argument(help="A scheme file (YAML), e.g. scheme-2017.yaml.")],
    approved_on: Annotated[
        str | None, typer.Option("--approved-on", help="When the board approved it (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Load a scheme of delegation file as a new version."""
    day = None
    if approved_on is not None:
        try:
            day = dt.date.fromisoformat(approved_on)
        except ValueError:
            typer.echo(f"error: --approved-on {approved_on!r} is not a date (YYYY-MM-DD)", err=True)
            raise typer.Exit(2) from None
    setup()
    from django.core.exceptions import ValidationError

    from oversight.delegation.scheme import load_scheme

    try:
        scheme = load_scheme(path, approved_on=day)
    except ValidationError as exc:
        for message in exc.messages:
            typer.echo(f"error: {message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"loaded {scheme}: {scheme.matters.count()} matters")
