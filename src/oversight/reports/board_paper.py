"""The issued report as a paper on its board meeting's agenda, through governance's own
functions (``meetings.add_item``, ``papers.add_paper``, ``upload_version``, ``issue_paper``), so
the meeting's page and its meeting pack hold it like any other paper.

One paper per report: the first issue adds the agenda item (unless the board's secretary has
already made one with the report's item number) and the paper with the report's cover sheet; a
reissue updates that paper's cover sheet and uploads the new version's PDF as the paper's next
version (earlier versions are kept, each naming the report version it is). The paper is issued
to the board's members when the report is issued by the papers deadline; a report issued later
waits, as any late paper does, for the chair to agree it as urgent (governance, ToR 7.3).
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone

from oversight.governance.history import record
from oversight.governance.meetings import add_item
from oversight.governance.models import AgendaItem, ItemKind, Meeting, Paper, Person
from oversight.governance.papers import add_paper, issue_paper, upload_version
from oversight.reports.models import Report, ReportVersion

_LEADING_NUMBER = re.compile(r"\d+")


def next_item_number(meeting: Meeting) -> str:
    """The agenda's next whole number (after 1, 2.4 and 3.1 comes 4)."""
    numbers = [int(m.group()) for n in meeting.items.values_list("number", flat=True)
               if (m := _LEADING_NUMBER.match(n))]
    return str(max(numbers, default=0) + 1)


def _person(named: str, user, at: dt.datetime) -> Person | None:
    """The person a cover sheet names ('Name, job title'): the one of that name, else recorded
    now (people need not be users of Oversight)."""
    name, _, job_title = named.partition(",")
    if not name.strip():
        return None
    found = Person.objects.filter(name__iexact=name.strip()).order_by("pk").first()
    if found is not None:
        return found
    return record(Person(name=name.strip(), job_title=job_title.strip()), user=user,
                  reason="Named on a board report's cover sheet", at=at)


def _item(report: Report, user, at: dt.datetime) -> AgendaItem:
    """The agenda item the report is numbered for: the board's own, else added now."""
    meeting = report.meeting
    item = meeting.items.filter(number=report.agenda_item).first()
    if item is None:
        return add_item(meeting, number=report.agenda_item, title=report.title,
                        purpose=report.purpose, kind=ItemKind.COMMITTEE_REPORT,
                        reporting_body=report.committee, user=user, at=at)
    if item.is_part_b:
        raise ValidationError(
            f"Item {item.number} of {meeting} is Part B business; the overview report is for "
            "the meeting in public: give the report another agenda item number.")
    return item


def place(report: Report, version: ReportVersion, pdf: bytes, user) -> str:
    """Put the version on the board meeting's agenda as the report's paper; say what was done.
    Runs inside the issuing transaction: a refusal rolls the whole issue back."""
    uploader = user or report.created_by
    meeting = report.meeting
    if uploader is None:
        return (f"Not added to the agenda of {meeting}: a paper's file needs the person who "
                "issues it (give --user on the command line).")
    at = timezone.now()
    item = _item(report, uploader, at)
    cover = {
        "title": report.title, "report_purpose": report.purpose,
        "lead": _person(report.lead, uploader, at), "author": _person(report.author, uploader, at),
        "presented_before": list(report.presented_before or []),
        "purpose": report.paper_purpose.strip(), "recommendation": report.recommendation.strip(),
    }
    paper = Paper.objects.filter(pk=report.paper_id, item__meeting=meeting).first()
    if paper is None:
        paper = add_paper(item, user=uploader, at=at, **cover)
        report.paper = paper
        Report.objects.filter(pk=report.pk).update(paper=paper)
    else:
        paper.item = item
        for field, value in cover.items():
            setattr(paper, field, value)
        record(paper, user=uploader, at=at,
               reason=f"Cover sheet of the report's version {version.number}")
    paper_version = upload_version(
        paper, f"{report.system.code}-{report.committee.short_name}-overview-"
               f"v{version.number}.pdf", pdf, user=uploader, at=at,
        note=f"The report's version {version.number}, issued "
             f"{timezone.localtime(version.issued_at):%-d %B %Y}")
    version.paper_version = paper_version
    ReportVersion.objects.filter(pk=version.pk).update(paper_version=paper_version)
    where = f"item {item.number} of {meeting}"
    if paper.issued_at is not None:
        return f"The paper at {where} now carries version {version.number}."
    try:
        issue_paper(paper, user=uploader, at=at)
    except ValidationError as exc:
        return f"Added as the paper at {where}, not yet issued: {' '.join(exc.messages)}"
    return f"Added as the paper at {where} and issued to the board."
