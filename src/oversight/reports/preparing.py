"""Starting a report: which board meeting and group it is for, and the period it covers (from
the day after the last report to that board). One way for the pages, the CLI and the demo."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from oversight.governance.models import Body, BodyKind, Meeting, MeetingStatus
from oversight.organisations.models import System
from oversight.reports.models import Report

#: The name the framework gives the group whose work the overview reports (seed 000 §2).
OVERSIGHT_GROUP = "SOAG"


def board_meetings(systems) -> QuerySet[Meeting]:
    """Meetings of the boards of ``systems``, newest first (not cancelled)."""
    return (Meeting.objects.filter(body__kind=BodyKind.BOARD, body__system__in=systems)
            .exclude(status=MeetingStatus.CANCELLED)
            .select_related("body__system").order_by("-date", "body__name"))


def oversight_group(board: Body) -> Body | None:
    """The group reporting to ``board`` whose work the overview covers: the system's SOAG,
    else the first committee reporting to the board."""
    reporting = Body.objects.filter(reports_to=board).order_by("name")
    return reporting.filter(short_name=OVERSIGHT_GROUP).first() or reporting.filter(
        kind=BodyKind.COMMITTEE).first()


def default_since(committee: Body, meeting: Meeting) -> dt.date:
    """The day after the board meeting of the previous report; for a first report, the
    group's first meeting (or three months before the board)."""
    previous = (Report.objects.filter(committee=committee, meeting__date__lt=meeting.date)
                .order_by("-meeting__date").first())
    if previous is not None:
        return previous.meeting.date + dt.timedelta(days=1)
    first = committee.meetings.order_by("date").values_list("date", flat=True).first()
    if first is not None and first < meeting.date:
        return first
    return meeting.date - dt.timedelta(days=91)


def board_meeting(system: System, day: dt.date) -> Meeting:
    """The system's board meeting on ``day``; a clear refusal otherwise."""
    found = list(board_meetings([system]).filter(date=day))
    if not found:
        held = ", ".join(f"{m.date:%Y-%m-%d}" for m in board_meetings([system])[:5])
        raise ValidationError(
            f"{system.name} ({system.code}) has no board meeting on {day:%Y-%m-%d}"
            + (f" (its latest: {held})." if held else "; no board meetings are recorded."))
    return found[0]


def start_report(system: System, meeting: Meeting, *, since: dt.date | None = None,
                 committee: Body | None = None, user=None) -> Report:
    """The report to ``meeting`` (the existing one, its period moved to ``since`` if given),
    or a new one. Refuses a meeting that is not the system's board's, a group that does not
    report to that board and a period that does not end before the meeting."""
    board = meeting.body
    if board.kind != BodyKind.BOARD or board.system_id != system.pk:
        raise ValidationError(f"{meeting.body.name} on {meeting.date:%-d %B %Y} is not a "
                              f"meeting of the board of {system.name}.")
    committee = committee or oversight_group(board)
    if committee is None or committee.reports_to_id != board.pk:
        raise ValidationError(f"No oversight group of {system.name} reports to {board.name}.")
    if since is not None and since >= meeting.date:
        raise ValidationError({"since": f"The period must start before the board meeting "
                                        f"({meeting.date:%-d %B %Y})."})
    report = Report.objects.filter(meeting=meeting, committee=committee).first()
    if report is None:
        return Report.objects.create(
            system=system, meeting=meeting, committee=committee,
            since=since or default_since(committee, meeting), created_by=user)
    if since is not None and since != report.since:
        report.since = since
        report.save(update_fields=["since"])
    return report
