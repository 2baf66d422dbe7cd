"""The meeting pack: a governance meeting's agenda, then each paper's cover sheet (seed 000)
followed by the paper itself, in agenda order, as one PDF.

Part A and Part B make separate packs. The Part A pack never holds a Part B item, not even its
title. The Part B pack holds the Part B items the user may see: who may is decided by
oversight.access.visibility.may_see (through governance.pages.visible_items), never here.

A PDF paper is appended page by page. A Word or Excel paper gets its cover sheet and a note of
the file to fetch, and a paper whose file cannot be read gets its cover sheet and the reason: the
pack is still built, and its agenda lists what is not included.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse
from pypdf import PdfReader, PdfWriter

from oversight.governance.models import (
    AgendaItem,
    ItemPart,
    ItemPurpose,
    Meeting,
    Paper,
    PaperVersion,
)
from oversight.governance.pages import visible_items
from oversight.jobs.background import JobFailed, Outcome, job, progress
from oversight.reports import formats, pdf_render
from oversight.reports.issue import long_date, paragraphs
from oversight.reports.sections.scope import day

#: What a paper's file is, as its cover sheet's note names it.
FILE_KINDS = {"pdf": "PDF", "docx": "Word document", "xlsx": "Excel workbook"}

class PackRefused(Exception):
    """No pack to build: say why (e.g. no Part B business this user may see)."""


@dataclass
class PackPaper:
    item: AgendaItem
    paper: Paper
    version: PaperVersion | None
    pdf: bytes | None = None  # the paper's file, ready to append
    note: str = ""  # why the file is not in the pack
    problem: bool = False  # the note reports a file that could not be read

    @property
    def anchor(self) -> str:
        return f"paper-{self.paper.pk}"

    @property
    def cover(self) -> dict:
        """The paper's cover sheet, in the shape of the SOAG overview's (one macro shows both)."""
        paper, meeting = self.paper, self.item.meeting
        return {
            "meeting": meeting.body.name, "meeting_date": day(meeting.date),
            "agenda_item": self.item.number, "title": paper.title,
            "lead": _who(paper.lead), "author": _who(paper.author),
            "purposes": ItemPurpose.choices, "purpose": paper.report_purpose,
            "presented_before": paper.presented_before,
            "paper_purpose": paragraphs(paper.purpose),
            "recommendation": paragraphs(paper.recommendation),
        }


def _who(person) -> str:
    """'Name, job title' as a cover sheet names a lead or author."""
    if person is None:
        return ""
    return f"{person.name}, {person.job_title}" if person.job_title else person.name


@dataclass
class MeetingPack:
    meeting: Meeting
    part: str
    items: list[AgendaItem]
    papers: list[PackPaper] = field(default_factory=list)

    @property
    def confidential(self) -> bool:
        return self.part == ItemPart.B

    @property
    def heading(self) -> str:
        body = self.meeting.body
        return f"{body.name} ({body.short_name}), {self.meeting.date:%-d %B %Y}"

    @property
    def title(self) -> str:
        which = "Part B meeting pack (confidential)" if self.confidential else "Meeting pack"
        return f"{which}: {self.heading}"

    @property
    def running_header(self) -> str:
        prefix = "CONFIDENTIAL, Part B: " if self.confidential else ""
        return prefix + self.heading

    @property
    def filename(self) -> str:
        meeting = self.meeting
        suffix = "-part-b" if self.confidential else ""
        return formats.filename(
            f"{meeting.body.short_name}-{meeting.date:%Y-%m-%d}-meeting-pack{suffix}", "pdf")

    def papers_of(self, item: AgendaItem) -> list[PackPaper]:
        return [p for p in self.papers if p.item.pk == item.pk]

    @property
    def not_included(self) -> list[PackPaper]:
        return [p for p in self.papers if p.pdf is None]


def pack_items(meeting: Meeting, user, part: str) -> list[AgendaItem]:
    """The items of one part of the pack that `user` may see, in agenda order."""
    return [i for i in visible_items(user, meeting) if i.part == part]


def gather(meeting: Meeting, user, part: str) -> MeetingPack:
    """The pack's items and papers, each paper's file read (or the reason it is not); each
    paper read is a step of the job's progress (oversight.jobs.background.progress)."""
    items = pack_items(meeting, user, part)
    if not items:
        what = "no Part B business you may see" if part == ItemPart.B else "no agenda items"
        raise PackRefused(f"{meeting}: {what}")
    pack = MeetingPack(meeting, part, items)
    papers = [(i, p) for i in items for p in i.papers.all()]
    for n, (item, paper) in enumerate(papers, start=1):
        progress(n - 1, len(papers) + 1, f"Reading paper {n} of {len(papers)}: {paper.title}")
        pack.papers.append(read_paper(item, paper))
    return pack


def read_paper(item: AgendaItem, paper: Paper) -> PackPaper:
    versions = sorted(paper.versions.all(), key=lambda v: v.number)
    version = versions[-1] if versions else None
    entry = PackPaper(item, paper, version)
    if version is None:
        entry.note = "No file has been uploaded for this paper yet."
        return entry
    where = reverse("governance:version_file", args=[paper.pk, version.number])
    if version.file_type != "pdf":
        kind = FILE_KINDS.get(version.file_type, version.file_type.upper())
        entry.note = (
            f"This paper is a {kind} and is not part of this PDF: fetch {version.original_name} "
            f"(version {version.number}) from the meeting's page ({where})."
        )
        return entry
    try:
        entry.pdf = _readable_pdf(version)
    except OSError as exc:
        entry.note = _unreadable(version, f"the file cannot be opened ({exc.strerror or exc})")
        entry.problem = True
    except Exception as exc:  # pypdf raises many kinds for a damaged PDF; the pack goes on
        entry.note = _unreadable(version, f"it is not a readable PDF ({exc})")
        entry.problem = True
    return entry


def _unreadable(version: PaperVersion, reason: str) -> str:
    return (
        f"{version.original_name} (version {version.number}) could not be included: {reason}. "
        "Upload it again on the meeting's page."
    )


def _readable_pdf(version: PaperVersion) -> bytes:
    """The paper's PDF rewritten by pypdf: anything pypdf cannot read or write fails here, for
    this paper alone, not later for the whole pack."""
    with version.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    if reader.is_encrypted and not reader.decrypt(""):
        raise ValueError("it is protected by a password")
    if not reader.pages:
        raise ValueError("it has no pages")
    writer = PdfWriter(clone_from=reader)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def front_matter(pack: MeetingPack) -> str:
    """The pack's own pages as HTML: the agenda, then a cover sheet per paper."""
    return render_to_string(
        "reports/meeting_pack.jinja", {"pack": pack, "long_date": long_date}
    )


def build(pack: MeetingPack) -> bytes:
    """The pack as one PDF: agenda, then per paper its cover sheet and its pages, with the
    meeting and item at the top of every page and "Page n of m" at the foot."""
    total = len(pack.papers) + 1
    progress(total - 1, total, "Laying out the agenda and cover sheets")
    laid_out = pdf_render.document(front_matter(pack), title=pack.title, running_header=None)
    front = PdfReader(io.BytesIO(laid_out.write_pdf()))
    starts = _anchor_pages(laid_out, [p.anchor for p in pack.papers])

    writer = PdfWriter()
    headers: list[str] = []
    agenda_end = starts[0] if starts else len(front.pages)
    _append(writer, headers, front.pages[:agenda_end], f"{pack.running_header}: agenda")
    writer.add_outline_item(title="Agenda", page_number=0)
    for n, entry in enumerate(pack.papers):
        end = starts[n + 1] if n + 1 < len(starts) else len(front.pages)
        header = f"{pack.running_header}: item {entry.item.number}"
        first = len(writer.pages)
        _append(writer, headers, front.pages[starts[n]:end], header)
        if entry.pdf is not None:
            _append(writer, headers, PdfReader(io.BytesIO(entry.pdf)).pages, header)
        writer.add_outline_item(title=f"{entry.item.number} {entry.paper.title}",
                                page_number=first)
    out = io.BytesIO()
    writer.write(out)
    return pdf_render.stamp(out.getvalue(), headers, title=pack.title)


def _append(writer: PdfWriter, headers: list[str], pages, header: str) -> None:
    for page in pages:
        writer.add_page(page)
        headers.append(header)


def _anchor_pages(laid_out, anchors: list[str]) -> list[int]:
    """The page each anchor (a cover sheet's id) starts on."""
    found = {}
    for number, page in enumerate(laid_out.pages):
        for anchor in page.anchors:
            found.setdefault(anchor, number)
    return [found[a] for a in anchors]


def meeting_pack(meeting: Meeting, user, part: str = ItemPart.A) -> tuple[MeetingPack, bytes]:
    """Gather and build in one step (the command line, the background job)."""
    pack = gather(meeting, user, part)
    return pack, build(pack)


def build_meeting_pack(meeting_id: int, user_id: int, part: str) -> Outcome:
    """The pack for the user who asked for it, as the job's file; its page is the outcome's
    link. The user is read again here: what they may see is decided when the pack is built."""
    meeting = Meeting.objects.select_related("body").filter(pk=meeting_id).first()
    user = get_user_model().objects.filter(pk=user_id).first()
    if meeting is None or user is None:
        raise JobFailed("The meeting or the person who asked for its pack no longer exists.")
    try:
        pack, data = meeting_pack(meeting, user, part)
    except PackRefused as exc:
        raise JobFailed(str(exc)) from exc
    left_out = len(pack.not_included)
    summary = f"{pack.title}: {len(pack.papers)} papers" + (
        f", {left_out} not in the PDF (listed on its agenda page)" if left_out else "")
    page = "reports:meeting_pack_part_b" if pack.confidential else "reports:meeting_pack"
    return Outcome(summary, url=reverse(page, args=[meeting.pk]),
                   file=ContentFile(data, name=pack.filename))


@job
def meeting_pack_job(meeting_id: int, user_id: int, part: str) -> Outcome:
    return build_meeting_pack(meeting_id, user_id, part)
