"""Papers: only PDF, DOCX and XLSX, recognised by content; size-limited; versions kept; issued
by the papers deadline (5 working days before) unless the chair agrees an urgent paper."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from oversight.governance.meetings import add_item
from oversight.governance.papers import (
    add_paper,
    agree_urgent,
    is_late,
    issue_paper,
    sniff,
    upload_version,
)
from tests.factories import UserFactory

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def ooxml(part: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(part, "<x/>")
    return out.getvalue()


def test_types_recognised_by_content():
    assert sniff("paper.pdf", PDF) == "pdf"
    assert sniff("Paper.DOCX", ooxml("word/document.xml")) == "docx"
    assert sniff("data.xlsx", ooxml("xl/workbook.xml")) == "xlsx"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("paper.exe", b"MZ", "must be PDF, Word (.docx) or Excel (.xlsx) files, not '.exe'"),
        ("paper", PDF, "has no extension"),
        ("paper.pdf", b"", "the file is empty"),
        ("paper.pdf", b"<html>not a pdf</html>", "not a PDF, Word (.docx) or Excel"),
        ("paper.docx", ooxml("xl/workbook.xml"), "the content is a XLSX file, not a .docx"),
        ("paper.docx", b"PK\x03\x04broken", "not a PDF, Word (.docx) or Excel"),
        ("paper.xlsx", PDF, "the content is a PDF file, not a .xlsx"),
    ],
)
def test_bad_files_are_refused(name, content, message):
    with pytest.raises(
        ValidationError, match=message.replace("(", "\\(").replace(")", "\\)").replace(".", "\\.")
    ):
        sniff(name, content)


def test_size_limit(settings):
    settings.GOVERNANCE_MAX_PAPER_BYTES = 1024
    with pytest.raises(ValidationError, match="big.pdf: 2 KB is over the 1 KB limit"):
        sniff("big.pdf", PDF + b"0" * 2048)


@pytest.fixture
def paper(soag, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = add_item(soag.meeting, number="3", title="Finance", purpose="assure")
    return add_paper(
        item,
        title="H1 financial position",
        report_purpose="assure",
        lead=soag.nhse[1].person,
        presented_before=[{"body": "FPPG", "date": "2021-08-12"}],
        purpose="The H1 position.",
        recommendation="To note.",
    )


def test_versions_are_kept_in_storage(paper, tmp_path):
    user = UserFactory()
    first = upload_version(paper, "h1 finance.pdf", PDF, user=user)
    second = upload_version(paper, "h1 finance.pdf", PDF + b"% v2", user=user, note="Month 5")
    assert (first.number, second.number) == (1, 2)
    assert paper.latest_version == second
    assert first.file.read() == PDF
    assert (tmp_path / first.file.name).is_file() and (tmp_path / second.file.name).is_file()
    assert first.file.name.startswith("governance/papers/SOAG/2021-08-31/")


def test_cover_sheet_checks_presented_before(soag):
    item = add_item(soag.meeting, number="4", title="X", purpose="inform")
    with pytest.raises(ValidationError, match="entry 1: '12/08/2021' is not a date"):
        add_paper(
            item,
            title="X",
            report_purpose="inform",
            presented_before=[{"body": "FPPG", "date": "12/08/2021"}],
        )


def test_issue_by_the_deadline_or_as_an_urgent_paper(paper, soag):
    user = UserFactory()
    with pytest.raises(ValidationError, match="no file to issue"):
        issue_paper(paper)
    upload_version(paper, "p.pdf", PDF, user=user)
    # 31 August 2021: papers due Monday 23 August (30 August is a bank holiday).
    late = dt.datetime(2021, 8, 24, 9, tzinfo=dt.UTC)
    with pytest.raises(ValidationError, match="due by 23 August 2021: a late paper can only"):
        issue_paper(paper, at=late)
    with pytest.raises(ValidationError, match="only the chair"):
        agree_urgent(paper, soag.icb[1].person)
    agree_urgent(paper, soag.chair.person)
    issue_paper(paper, at=late)
    assert paper.urgent and paper.urgent_agreed_by == soag.chair.person
    assert is_late(paper)


def test_on_time(paper):
    upload_version(paper, "p.pdf", PDF, user=UserFactory())
    issue_paper(paper, at=dt.datetime(2021, 8, 23, 16, tzinfo=dt.UTC))
    assert not is_late(paper)
