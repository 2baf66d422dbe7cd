"""The meeting pack: agenda, cover sheets and papers in agenda order as one PDF; Part B only in
its own pack and only for those entitled; a paper that cannot be read is named, not fatal."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache

import docx
import pytest
from django.contrib.auth.models import AnonymousUser
from pypdf import PdfReader

from oversight.governance.meetings import add_item, record_attendance
from oversight.governance.models import AgendaItem, ItemPart, Paper
from oversight.governance.papers import add_paper, upload_version
from oversight.reports import formats
from oversight.reports.meeting_pack import PackRefused, meeting_pack
from tests.factories import PersonFactory, UserFactory
from tests.governance.conftest import soag  # noqa: F401 (the small SOAG of the governance tests)

SECRET = "Undertakings at Example Trust"


@cache
def paper_pdf(words: str, pages: int = 1) -> bytes:
    """A small PDF paper whose every page says `words`."""
    body = "".join(f"<section class='page-break'><p>{words}, page {n + 1}</p></section>"
                   for n in range(pages))
    return formats.render(f"<!doctype html><html lang='en'><body>{body}</body></html>", "pdf",
                          title=words, running_header="")


def word_paper() -> bytes:
    document = docx.Document()
    document.add_paragraph("Workforce plan")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@dataclass
class Business:
    meeting: object
    uec: AgendaItem
    finance: AgendaItem
    confidential: AgendaItem
    papers: dict[str, Paper]


@pytest.fixture
def business(soag, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    uploader = UserFactory(username="uploader")
    meeting = soag.meeting
    for m in [*soag.icb[:3], soag.nhse[0]]:
        record_attendance(meeting, m.person)
    # added out of order: the pack follows the agenda's order, not the order of entry
    finance = add_item(meeting, number="2", title="Finance recovery", purpose="assure")
    uec = add_item(meeting, number="1", title="Urgent and emergency care", purpose="assure")
    finance.order, uec.order = 2, 1
    AgendaItem.objects.bulk_update([finance, uec], ["order"])
    confidential = add_item(meeting, number="3", title=SECRET, purpose="decision", part="B")
    guest = PersonFactory(name="Trust CEO", user=UserFactory(username="guest"))
    record_attendance(meeting, guest, for_items=[confidential])
    papers = {
        "uec": add_paper(uec, title="UEC dashboard", report_purpose="assure",
                         recommendation="The Group is asked to note the dashboard."),
        "workforce": add_paper(uec, title="Workforce plan", report_purpose="inform"),
        "finance": add_paper(finance, title="Finance report", report_purpose="assure"),
        "secret": add_paper(confidential, title=f"{SECRET}: paper", report_purpose="decision"),
    }
    upload_version(papers["uec"], "uec.pdf", paper_pdf("UEC dashboard body", 2), user=uploader)
    upload_version(papers["workforce"], "workforce.docx", word_paper(), user=uploader)
    upload_version(papers["finance"], "finance.pdf", b"%PDF-1.7\nnot really a pdf",
                   user=uploader)
    upload_version(papers["secret"], "secret.pdf", paper_pdf("Regulatory position"),
                   user=uploader)
    return Business(meeting, uec, finance, confidential, papers)


def users(*names):
    from django.contrib.auth import get_user_model

    return {u.username: u for u in get_user_model().objects.filter(username__in=names)}


def test_public_pack_in_agenda_order_with_cover_sheets_and_papers(business, pdf_text):
    pack, data = meeting_pack(business.meeting, AnonymousUser(), ItemPart.A)
    pages = pdf_text(data)
    text = "\n".join(pages)

    order = [text.index(s) for s in (
        "Agenda", "Item 1: UEC dashboard", "UEC dashboard body, page 1",
        "UEC dashboard body, page 2", "Item 1: Workforce plan", "Item 2: Finance report",
    )]
    assert order == sorted(order)
    assert "The Group is asked to note the dashboard." in text  # the cover sheet's recommendation
    # agenda 1 page + 3 cover sheets + the UEC paper's 2 pages, each stamped
    assert len(pages) == 1 + 3 + 2
    assert all(f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, start=1))
    assert "item 1" in pages[4] and "System Oversight and Assurance Group" in pages[4]
    assert [p.paper.title for p in pack.papers] == ["UEC dashboard", "Workforce plan",
                                                    "Finance report"]
    outline = [o.title for o in PdfReader(io.BytesIO(data)).outline]
    assert outline == ["Agenda", "1 UEC dashboard", "1 Workforce plan", "2 Finance report"]


def test_public_pack_never_holds_part_b(business, pdf_text):
    # even built by someone entitled to see the Part B item
    for reader in (AnonymousUser(), users("chair")["chair"]):
        _, data = meeting_pack(business.meeting, reader, ItemPart.A)
        text = "\n".join(pdf_text(data))
        assert SECRET not in text and "Regulatory position" not in text
        assert "Part B" not in text


@pytest.mark.parametrize(("username", "entitled"), [
    ("chair", True), ("secretariat", True), ("guest", True), ("attendee", False),
    ("uploader", False),
])
def test_part_b_pack_only_for_those_entitled(business, pdf_text, username, entitled):
    user = users(username)[username]
    if not entitled:
        with pytest.raises(PackRefused, match="no Part B business you may see"):
            meeting_pack(business.meeting, user, ItemPart.B)
        return
    _, data = meeting_pack(business.meeting, user, ItemPart.B)
    text = "\n".join(pdf_text(data))
    assert f"Item 3: {SECRET}: paper" in text and "Regulatory position, page 1" in text
    assert "CONFIDENTIAL, Part B" in text
    assert "UEC dashboard" not in text  # Part A stays in the public pack


def test_paper_that_cannot_be_read_is_named_and_the_pack_still_builds(business, pdf_text):
    pack, data = meeting_pack(business.meeting, AnonymousUser(), ItemPart.A)
    text = " ".join(" ".join(pdf_text(data)).split())
    assert "Not included in this PDF" in text
    assert "finance.pdf (version 1) could not be included: it is not a readable PDF" in text
    assert "This paper is a Word document and is not part of this PDF: fetch workforce.docx" in text
    assert [p.paper.title for p in pack.not_included] == ["Workforce plan", "Finance report"]


def test_missing_file_is_named(business, pdf_text):
    business.papers["uec"].latest_version.file.delete(save=False)
    pack, data = meeting_pack(business.meeting, AnonymousUser(), ItemPart.A)
    text = " ".join(" ".join(pdf_text(data)).split())
    assert "uec.pdf (version 1) could not be included: the file cannot be opened" in text
