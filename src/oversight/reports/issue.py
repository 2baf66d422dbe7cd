"""Issuing a report: draw every part from the domains, freeze it with the cover and narrative
as they stand, render the document from that snapshot as HTML, PDF and Word, keep all three as a
new version and put it on the board meeting's agenda as a paper.

The document is rendered from the snapshot alone, so an issued version reads the same whatever
is loaded later; PDF and Word are rendered here, once, and downloads serve the stored bytes.
Everything is written in one transaction: a failure leaves no half-written version, file or
paper.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from oversight.governance.models import ItemPurpose
from oversight.metrics.charts import standalone_icon
from oversight.reports import board_paper, documents
from oversight.reports.models import Report, ReportVersion
from oversight.reports.sections import AREAS
from oversight.reports.sections.appendices import membership_section, terms_section
from oversight.reports.sections.data import data_section
from oversight.reports.sections.development import development_section
from oversight.reports.sections.framework import framework_section
from oversight.reports.sections.position import position_section
from oversight.reports.sections.risks import risks_section
from oversight.reports.sections.scope import Scope, day
from oversight.reports.sections.soag import soag_section

TEMPLATE = "reports/soag_overview.jinja"
#: Called after each part is drawn: (parts done, parts in all, the part's name).
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Part:
    key: str
    name: str
    build: Callable[[Scope], Any]


def parts_of(report: Report) -> list[Part]:
    """The parts drawn for this report, in order (the appendices only when picked)."""
    parts = [
        Part("framework", AREAS["framework"], framework_section),
        Part("position", AREAS["position"], position_section),
        Part("soag", AREAS["soag"], soag_section),
        Part("risks", AREAS["risks"], risks_section),
        Part("development", AREAS["development"], development_section),
    ]
    if report.include_data:
        parts.append(Part("data", AREAS["data"], data_section))
    if report.include_terms:
        parts.append(Part("terms", "Terms of reference", terms_section))
    if report.include_membership:
        parts.append(Part("membership", "Membership", membership_section))
    return parts


def scope_of(report: Report, as_at: dt.date | None = None) -> Scope:
    return Scope(system=report.system, committee=report.committee, meeting=report.meeting,
                 since=report.since, as_at=as_at or timezone.localdate())


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in (text or "").splitlines() if p.strip()]


def cover(report: Report) -> dict[str, Any]:
    """The cover sheet and narrative as they stand (frozen with each version)."""
    meeting = report.meeting
    return {
        "board": meeting.body.name,
        "meeting": f"{meeting.body.name} meeting",
        "meeting_date": day(meeting.date),
        "agenda_item": report.agenda_item,
        "title": report.title,
        "lead": report.lead,
        "author": report.author,
        "purpose": report.purpose,
        "purpose_label": report.get_purpose_display(),
        "purposes": [[code, label] for code, label in ItemPurpose.choices],
        "presented_before": list(report.presented_before or []),
        "paper_purpose": paragraphs(report.paper_purpose),
        "recommendation": paragraphs(report.recommendation),
        "system": {"code": report.system.code, "name": report.system.name},
        "committee": {"short_name": report.committee.short_name,
                      "name": report.committee.name},
        "since": day(report.since),
        "commentary": {k: paragraphs(v) for k, v in (report.commentary or {}).items()
                       if k in AREAS and paragraphs(v)},
    }


def draw(report: Report, as_at: dt.date | None = None,
         progress: Progress | None = None) -> dict[str, Any]:
    """The snapshot: the cover and every part, drawn now."""
    scope = scope_of(report, as_at)
    parts = parts_of(report)
    snapshot: dict[str, Any] = {"as_at": day(scope.as_at), "until": day(scope.until),
                                "cover": cover(report),
                                "parts": [p.key for p in parts]}
    for done, part in enumerate(parts, start=1):
        snapshot[part.key] = part.build(scope)
        if progress is not None:
            progress(done, len(parts), part.name)
    return snapshot


def render_document(snapshot: dict[str, Any], *, version: int | None = None,
                    issued_at: str | None = None) -> str:
    """The standalone HTML document of a snapshot (what render() turns into PDF and Word)."""
    return render_to_string(TEMPLATE, {
        "r": snapshot, "areas": AREAS, "version": version, "issued_at": issued_at,
        "long_date": long_date, "icon": standalone_icon,
    })


def long_date(iso: str | None, weekday: bool = False) -> str:
    """'15 September 2021' (or 'Wednesday 15 September 2021') from the snapshot's ISO date."""
    if not iso:
        return ""
    try:
        value = dt.datetime.fromisoformat(iso)
    except ValueError:  # a date typed as text on a paper ("September 2021"): shown as typed
        return iso
    return value.strftime("%A %-d %B %Y" if weekday else "%-d %B %Y")


#: The steps after the parts are drawn, for the progress bar.
FINISHING = (documents.WRITING["pdf"], documents.WRITING["docx"],
             "Storing the version and adding it to the board meeting's agenda")


@dataclass(frozen=True)
class Issued:
    version: ReportVersion
    #: What became of the board meeting's paper (governance), in words.
    paper: str


class _NumberTaken(Exception):
    """Another version took this number while ours was being rendered: render again."""


def issue(report: Report, user=None, progress: Progress | None = None,
          as_at: dt.date | None = None) -> ReportVersion:
    """Draw, freeze and render a new version of the report, in HTML, PDF and Word, keep all
    three and put the version on the board meeting's agenda (``issue_report`` says more)."""
    return issue_report(report, user, progress, as_at).version


def issue_report(report: Report, user=None, progress: Progress | None = None,
                 as_at: dt.date | None = None) -> Issued:
    """Draw every part, then render the document in each format once, outside the
    transaction (PDF and Word take seconds), then in one transaction keep the version and its
    files and make it the board meeting's paper (``board_paper.place``)."""
    if not report.agenda_item:
        report.agenda_item = board_paper.next_item_number(report.meeting)
    steps = len(parts_of(report)) + len(FINISHING)

    def step(done: int, name: str) -> None:
        if progress is not None:
            progress(done, steps, name)

    snapshot = draw(report, as_at, lambda done, _parts, name: step(done, name))
    drawn = len(snapshot["parts"])
    while True:
        number = (report.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        issued_at = timezone.now()
        html = render_document(snapshot, version=number,
                               issued_at=timezone.localtime(issued_at).isoformat())
        unsaved = ReportVersion(report=report, number=number, issued_at=issued_at,
                                issued_by=user, as_at=dt.date.fromisoformat(snapshot["as_at"]),
                                snapshot=snapshot, html=html,
                                sha256=hashlib.sha256(html.encode()).hexdigest())
        rendered = {}
        for n, fmt in enumerate(documents.RENDERED, start=1):
            step(drawn + n, documents.WRITING[fmt])
            rendered[fmt] = documents.render(unsaved, html, fmt)
        step(steps, FINISHING[-1])
        try:
            return _keep(report, unsaved, rendered, user)
        except _NumberTaken:
            continue


def _keep(report: Report, version: ReportVersion, rendered: dict[str, bytes], user) -> Issued:
    kept: list[str] = []
    try:
        with transaction.atomic():
            locked = Report.objects.select_for_update().get(pk=report.pk)
            if locked.versions.filter(number__gte=version.number).exists():
                raise _NumberTaken
            if locked.agenda_item != report.agenda_item:
                Report.objects.filter(pk=report.pk).update(agenda_item=report.agenda_item)
            version.save()
            for fmt, content in rendered.items():
                kept.append(documents.store(version, fmt, content).file.name)
            said = board_paper.place(report, version, rendered["pdf"], user)
            if version.paper_version is not None:
                kept.append(version.paper_version.file.name)
    except BaseException:
        for name in kept:  # the rows are rolled back: their files go too
            default_storage.delete(name)
        raise
    return Issued(version, said)
