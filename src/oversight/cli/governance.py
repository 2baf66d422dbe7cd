"""`oversight governance`: a body's schedule with its working-day deadlines, publishing it,
calling an extraordinary meeting, and reminders of papers and minutes due (docs/governance.md).

BODY is a body's short name (`SOAG` in the demo). Dates are YYYY-MM-DD. Errors go to stderr:
exit 1 when the request is refused (unknown body, too little notice), 2 when it is malformed.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from enum import StrEnum
from typing import Annotated

import typer

from oversight.cli.django_setup import setup

app = typer.Typer(
    help="Governance: schedules, extraordinary meetings and reminders.", no_args_is_help=True
)

COLUMNS = ["date", "kind", "papers_due", "minutes_due"]


class Format(StrEnum):
    CSV = "csv"
    JSON = "json"


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        typer.echo(f"error: {option} {text!r} is not a date (YYYY-MM-DD)", err=True)
        raise typer.Exit(2) from None


def _refused(exc) -> typer.Exit:
    """Print a ValidationError's messages and exit 1."""
    for message in getattr(exc, "messages", [str(exc)]):
        typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def _body(short_name: str):
    from django.core.exceptions import ValidationError

    from oversight.governance.meetings import body_by_short_name

    try:
        return body_by_short_name(short_name)
    except ValidationError as exc:
        raise _refused(exc) from None


@app.command("schedule")
def schedule_command(
    body: Annotated[str, typer.Argument(help="The body's short name, e.g. SOAG.")],
    first: Annotated[str, typer.Option("--from", help="First date (YYYY-MM-DD).")],
    last: Annotated[str, typer.Option("--to", help="Last date (YYYY-MM-DD).")],
    fmt: Annotated[Format, typer.Option("--format", help="csv or json.")] = Format.CSV,
) -> None:
    """The body's meetings from --from to --to (those recorded and its pattern's dates) with
    the deadlines in England working days: papers due, draft minutes due and, for an
    extraordinary meeting, the last day it could have been called (notice_due).

    CSV columns: date,kind,papers_due,minutes_due (and notice_due when the span holds an
    extraordinary meeting)."""
    start, end = _date(first, "--from"), _date(last, "--to")
    if end < start:
        typer.echo(f"error: --to {end} is before --from {start}", err=True)
        raise typer.Exit(2)
    setup()
    from django.core.exceptions import ValidationError

    from oversight.governance.data import RuleError
    from oversight.governance.meetings import schedule

    found = _body(body)
    try:
        rows = schedule(found, start, end)
    except (ValidationError, RuleError) as exc:
        raise _refused(exc) from None
    records = []
    for row in rows:
        record = {
            "date": row.date.isoformat(),
            "kind": row.kind,
            "papers_due": row.deadlines.papers_due.isoformat(),
            "minutes_due": row.deadlines.minutes_due.isoformat(),
        }
        if row.deadlines.notice_due is not None:
            record["notice_due"] = row.deadlines.notice_due.isoformat()
        records.append(record)
    if fmt == Format.JSON:
        typer.echo(json.dumps({"body": found.short_name, "meetings": records}, indent=2))
        return
    columns = COLUMNS + (["notice_due"] if any("notice_due" in r for r in records) else [])
    writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)


@app.command("publish")
def publish_command(
    body: Annotated[str, typer.Argument(help="The body's short name, e.g. SOAG.")],
    first: Annotated[str, typer.Option("--from", help="First date (YYYY-MM-DD).")],
    last: Annotated[str, typer.Option("--to", help="Last date (YYYY-MM-DD).")],
) -> None:
    """Publish the body's schedule: a scheduled meeting on every date of its pattern from
    --from to --to not yet recorded (idempotent)."""
    start, end = _date(first, "--from"), _date(last, "--to")
    setup()
    from django.core.exceptions import ValidationError

    from oversight.governance.meetings import publish_schedule

    found = _body(body)
    try:
        made = publish_schedule(found, start, end)
    except ValidationError as exc:
        raise _refused(exc) from None
    for meeting in made:
        typer.echo(f"published {meeting.date.isoformat()} {meeting.kind}")
    typer.echo(
        f"{len(made)} meeting{'' if len(made) == 1 else 's'} published for {found.short_name}."
    )


@app.command("call")
def call_command(
    body: Annotated[str, typer.Argument(help="The body's short name, e.g. SOAG.")],
    day: Annotated[str, typer.Argument(help="Date of the meeting (YYYY-MM-DD).")],
    reason: Annotated[str, typer.Option("--reason", help="The meeting's specific purpose.")],
    extraordinary: Annotated[
        bool, typer.Option("--extraordinary", help="Call an extraordinary meeting (required).")
    ] = False,
    called_on: Annotated[
        str | None,
        typer.Option("--called-on", help="Date the meeting is called (default: today)."),
    ] = None,
) -> None:
    """Call an extraordinary meeting. Refused (exit 1) when it gives less notice than the body
    requires (the SOAG: 7 working days, England's bank holidays excluded)."""
    if not extraordinary:
        typer.echo(
            "error: only extraordinary meetings are called (add --extraordinary); scheduled "
            "meetings come from `oversight governance publish`",
            err=True,
        )
        raise typer.Exit(2)
    meeting_day = _date(day, "DATE")
    called = _date(called_on, "--called-on") if called_on else None
    setup()
    from django.core.exceptions import ValidationError

    from oversight.governance.meetings import call_extraordinary

    found = _body(body)
    try:
        meeting = call_extraordinary(found, meeting_day, reason, called_on=called)
    except ValidationError as exc:
        raise _refused(exc) from None
    typer.echo(
        f"Extraordinary meeting of {found.short_name} called for {meeting.date.isoformat()} "
        f"(called on {meeting.called_on.isoformat()}; papers due "
        f"{meeting.papers_due.isoformat()}, draft minutes due {meeting.minutes_due.isoformat()})."
    )


@app.command("remind")
def remind_command(
    today: Annotated[
        str | None, typer.Option("--today", help="As at this date (YYYY-MM-DD); default today.")
    ] = None,
    within: Annotated[
        int,
        typer.Option("--within", min=0, help="Remind this many working days before a deadline."),
    ] = 3,
) -> None:
    """Remind the secretariat and paper leads of papers and draft minutes due soon or late
    (in-app and by e-mail). Run it daily; nobody is told the same thing twice in a day."""
    as_of = _date(today, "--today") if today else None
    setup()
    from oversight.governance.reminders import send_reminders

    sent = send_reminders(as_of, within)
    for due, people in sent:
        names = ", ".join(p.get_username() for p in people)
        typer.echo(f"{due.describe()}: told {names}")
    typer.echo(f"{len(sent)} reminder{'' if len(sent) == 1 else 's'} sent.")
