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
from tests.governance.test_demo import demo  # noqa: F401 (the governance demo)

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


def test_meeting_page_links_to_the_packs_part_b_only_for_those_entitled(business, client):
    for username, part_b in (("chair", True), ("attendee", False)):
        client.force_login(users(username)[username])
        html = client.get(f"/governance/meetings/{business.meeting.pk}/").content.decode()
        assert f'href="/reports/meetings/{business.meeting.pk}/pack/"' in html
        assert (f'href="/reports/meetings/{business.meeting.pk}/pack/part-b/"' in html) is part_b


def test_pack_page_lists_the_pack_and_downloads_it(business, client, pdf_text):
    client.force_login(users("attendee")["attendee"])
    url = f"/reports/meetings/{business.meeting.pk}/pack/"
    html = client.get(url).content.decode()
    assert "UEC dashboard: cover sheet and the paper (uec.pdf, version 1)" in html
    assert "Workforce plan: cover sheet and a note to fetch workforce.docx" in html
    assert SECRET not in html
    started = client.post(url)  # the job runs at once in the tests (ImmediateBackend)
    assert started.status_code == 302 and started["Location"].startswith("/jobs/")
    job_page = client.get(started["Location"]).content.decode()
    assert "Meeting pack: System Oversight and Assurance Group (SOAG), 31 August 2021: " \
           "3 papers, 2 not in the PDF" in job_page
    download = client.get(started["Location"] + "file/")
    assert download["Content-Type"] == "application/pdf"
    assert "SOAG-2021-08-31-meeting-pack" in download["Content-Disposition"]
    assert "Item 1: UEC dashboard" in "".join(pdf_text(b"".join(download.streaming_content)))
    # someone who may see no Part B item gets no Part B pack, nor its page
    assert client.get(f"{url}part-b/").status_code == 404
    assert client.post(f"{url}part-b/").status_code == 404


def test_part_b_pack_page_for_the_entitled(business, client):
    client.force_login(users("guest")["guest"])
    html = client.get(f"/reports/meetings/{business.meeting.pk}/pack/part-b/").content.decode()
    assert f"{SECRET}: paper: cover sheet and the paper (secret.pdf, version 1)" in html
    assert "UEC dashboard" not in html


def test_unknown_meeting_is_404(db, client):
    client.force_login(UserFactory())
    assert client.get("/reports/meetings/999999/pack/").status_code == 404


def test_cli_writes_the_pack_and_says_what_is_not_included(business, tmp_path, pdf_text):
    from typer.testing import CliRunner

    from oversight.cli.main import app

    out = tmp_path / "pack.pdf"
    result = CliRunner().invoke(app, ["report", "meeting-pack", str(business.meeting.pk),
                                      "--format", "pdf", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "not included: item 2, Finance report: finance.pdf (version 1)" in result.output
    assert SECRET not in "".join(pdf_text(out.read_bytes()))

    secret = tmp_path / "part-b.pdf"
    result = CliRunner().invoke(app, ["report", "meeting-pack", str(business.meeting.pk),
                                      "--output", str(secret), "--part-b", "--user", "chair"])
    assert result.exit_code == 0, result.output
    assert SECRET in " ".join(" ".join(pdf_text(secret.read_bytes())).split())


@pytest.mark.parametrize(("args", "code", "message"), [
    (["999999"], 1, "no meeting 999999"),
    (["{meeting}", "--part-b"], 2, "--part-b: give --user"),
    (["{meeting}", "--part-b", "--user", "attendee"], 1, "no Part B business you may see"),
    (["{meeting}", "--part-b", "--as", "attendee"], 1, "no Part B business you may see"),
    (["{meeting}", "--user", "nobody"], 2, "--user: no user named 'nobody'"),
])
def test_cli_errors_are_clear(business, tmp_path, args, code, message):
    from typer.testing import CliRunner

    from oversight.cli.main import app

    out = tmp_path / "pack.pdf"
    args = [a.format(meeting=business.meeting.pk) for a in args]
    result = CliRunner().invoke(app, ["report", "meeting-pack", *args, "--output", str(out)])
    assert result.exit_code == code
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output and not out.exists()


def test_the_demo_meeting_with_a_part_b_item(db, settings, tmp_path, pdf_text, request):
    """The governance demo's meeting with a Part B item (its papers are PDFs): the public pack
    holds every Part A paper and nothing of Part B; the Part B pack is for the item's audience
    (expected titles from the database)."""
    from oversight.governance.visibility import item_audience

    request.getfixturevalue("demo")
    item = AgendaItem.objects.filter(part=ItemPart.B).select_related("meeting").first()
    meeting = item.meeting
    public = " ".join(" ".join(pdf_text(meeting_pack(meeting, AnonymousUser())[1])).split())
    part_a = Paper.objects.filter(item__meeting=meeting, item__part=ItemPart.A)
    assert part_a.exists()
    for paper in part_a:
        assert f"Item {paper.item.number}: {paper.title}" in public
    for paper in Paper.objects.filter(item__meeting=meeting, item__part=ItemPart.B):
        assert paper.title not in public
    assert item.title not in public

    member = users_by_id(sorted(item_audience(item))[0])
    confidential = meeting_pack(meeting, member, ItemPart.B)[1]
    text = " ".join(" ".join(pdf_text(confidential)).split())
    for paper in Paper.objects.filter(item=item):
        assert f"Item {item.number}: {paper.title}" in text
    assert not any(p.title in text for p in part_a)


def users_by_id(pk):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=pk)
