"""JSON API for board reports (django-ninja router at /api/reports/): the reports a user may
read, with their issued versions' metadata and the links to each version's documents."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from ninja import Router, Schema
from ninja.errors import HttpError

from oversight.reports.documents import FORMATS
from oversight.reports.models import Report, ReportVersion
from oversight.reports.rules import readable
from oversight.ui.api import NOT_FOUND

router = Router(tags=["reports"])


class StoredFileOut(Schema):
    size: int
    sha256: str


class PaperOut(Schema):
    meeting_id: int
    agenda_item: str
    paper_version: int


class VersionOut(Schema):
    number: int
    issued_at: dt.datetime
    issued_by: str | None
    as_at: dt.date
    sha256: str
    parts: list[str]
    downloads: dict[str, str]
    #: PDF and Word as rendered at issue and stored (absent for a version issued before they
    #: were kept, until its first download makes them).
    files: dict[str, StoredFileOut]
    #: The version as the paper on the board meeting's agenda, if it was placed there.
    paper: PaperOut | None


class ReportOut(Schema):
    id: int
    system_code: str
    board: str
    meeting_date: dt.date
    agenda_item: str
    committee: str
    since: dt.date
    title: str
    lead: str
    author: str
    purpose: str
    versions: list[VersionOut]


def _version(v: ReportVersion) -> VersionOut:
    return VersionOut(
        number=v.number, issued_at=v.issued_at,
        issued_by=(v.issued_by.get_full_name() or v.issued_by.get_username())
        if v.issued_by else None,
        as_at=v.as_at, sha256=v.sha256, parts=list(v.snapshot.get("parts", [])),
        downloads={fmt: reverse("reports:download", args=[v.report_id, v.number, fmt])
                   for fmt in FORMATS},
        files={f.format: StoredFileOut(size=f.size, sha256=f.sha256) for f in v.files.all()},
        paper=PaperOut(meeting_id=v.paper_version.paper.item.meeting_id,
                       agenda_item=v.paper_version.paper.item.number,
                       paper_version=v.paper_version.number) if v.paper_version else None,
    )


def _report(r: Report) -> ReportOut:
    return ReportOut(
        id=r.pk, system_code=r.system.code, board=r.meeting.body.name,
        meeting_date=r.meeting.date, agenda_item=r.agenda_item,
        committee=r.committee.short_name, since=r.since, title=r.title, lead=r.lead,
        author=r.author, purpose=r.purpose,
        versions=[_version(v) for v in sorted(r.versions.all(), key=lambda v: -v.number)],
    )


def _reports(request):
    return (readable(request.user).select_related("system", "meeting__body", "committee")
            .prefetch_related("versions__issued_by", "versions__files",
                              "versions__paper_version__paper__item"))


@router.get("/", response=list[ReportOut], summary="Board reports you may read")
def report_list(request, system: str | None = None):
    """Reports with their issued versions (drafts only for those who prepare them);
    ``?system=QUE`` for one system's."""
    qs = _reports(request)
    if system:
        qs = qs.filter(system__code=system.upper())
    return [_report(r) for r in qs]


@router.get("/{report_id}", response={200: ReportOut, **NOT_FOUND},
            summary="A board report and its issued versions")
def report_detail(request, report_id: int):
    report = _reports(request).filter(pk=report_id).first()
    if report is None:
        raise HttpError(404, f"No report {report_id} you may read.")
    return _report(report)
