"""An issued report becomes its paper on the board meeting's agenda (governance's papers): the
item, the cover sheet, the version's PDF as the paper's file, issued by the papers deadline;
a reissue is the paper's next version; the board meeting's page and pack hold it."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from oversight.governance.models import ItemKind, ItemPart, Paper, PaperVersion
from oversight.reports.issue import issue, issue_report
from oversight.reports.meeting_pack import meeting_pack
from oversight.reports.models import ReportFile, ReportVersion
from oversight.story import on
from tests.factories import AgendaItemFactory, RoleFactory, UserFactory
from tests.reports.conftest import AS_AT

pytestmark = pytest.mark.django_db


@pytest.fixture
def issuer(world):
    return RoleFactory(kind="regional", region=world.system.region).user


def _read(field) -> bytes:
    with field.open("rb") as f:
        return f.read()


def test_the_issued_version_is_the_board_meetings_paper(world, issuer):
    # papers for 15 September 2021 are due five working days before: 8 September
    with on(dt.date(2021, 9, 8)):
        issued = issue_report(world.report, issuer, as_at=AS_AT)
    version = issued.version
    item = world.board_meeting.items.get(number=world.report.agenda_item)
    assert (item.title, item.purpose, item.part) == (world.report.title, world.report.purpose,
                                                     ItemPart.A)
    assert (item.kind, item.reporting_body) == (ItemKind.COMMITTEE_REPORT, world.soag)
    (paper,) = item.papers.all()
    assert paper.recommendation == world.report.recommendation
    assert paper.lead.name == world.report.lead.split(",")[0]
    assert paper.issued_at.date() == dt.date(2021, 9, 8)
    (file,) = paper.versions.all()
    pdf = ReportFile.objects.get(version=version, format="pdf")
    assert file.sha256 == pdf.sha256 == hashlib.sha256(_read(file.file)).hexdigest()
    assert file.uploaded_by == issuer and "version 1" in file.note
    assert version.paper_version == file
    assert "issued to the board" in issued.paper


def test_a_reissue_is_the_papers_next_version(world, issuer):
    with on(dt.date(2021, 9, 7)):
        first = issue(world.report, issuer, as_at=AS_AT)
    world.report.title = "SOAG overview (revised)"
    world.report.save()
    with on(dt.date(2021, 9, 8)):
        second = issue(world.report, issuer, as_at=AS_AT)
    (paper,) = Paper.objects.filter(item__meeting=world.board_meeting)
    assert paper.title == "SOAG overview (revised)"
    assert [(v.number, v.sha256) for v in paper.versions.order_by("number")] == [
        (1, first.stored("pdf").sha256), (2, second.stored("pdf").sha256)]
    assert "version 2" in paper.latest_version.note
    assert paper.issued_at.date() == dt.date(2021, 9, 7)  # first sent on the 7th


def test_a_report_issued_after_the_deadline_waits_for_the_chair(world, issuer):
    with on(dt.date(2021, 9, 13)):
        issued = issue_report(world.report, issuer, as_at=AS_AT)
    paper = issued.version.paper_version.paper
    assert paper.issued_at is None
    assert "were due by 8 September 2021" in issued.paper


def test_the_board_meetings_page_and_pack_hold_the_paper(client, world, issuer, pdf_text):
    with on(dt.date(2021, 9, 8)):
        version = issue(world.report, issuer, as_at=AS_AT)
    client.force_login(UserFactory(is_superuser=True))
    page = client.get(world.board_meeting.get_absolute_url())
    assert page.status_code == 200
    assert world.report.title in page.text
    pack, data = meeting_pack(world.board_meeting, AnonymousUser(), ItemPart.A)
    (entry,) = pack.papers
    assert entry.version == version.paper_version and entry.pdf is not None
    text = " ".join(" ".join(pdf_text(data)).split())
    assert "3. What the group did since the last report" in text


def test_a_blank_item_number_takes_the_agendas_next(world, issuer):
    AgendaItemFactory(meeting=world.board_meeting, number="2.3", title="Finance report")
    world.report.agenda_item = ""
    world.report.save()
    version = issue(world.report, issuer, as_at=AS_AT)
    world.report.refresh_from_db()
    assert world.report.agenda_item == "3"
    assert version.snapshot["cover"]["agenda_item"] == "3"
    assert version.paper_version.paper.item.number == "3"


def test_a_part_b_item_of_that_number_is_refused_and_nothing_is_kept(world, issuer, media):
    AgendaItemFactory(meeting=world.board_meeting, number=world.report.agenda_item,
                      title="Confidential", part=ItemPart.B)
    with pytest.raises(ValidationError, match="Part B business"):
        issue(world.report, issuer, as_at=AS_AT)
    assert not ReportVersion.objects.exists() and not ReportFile.objects.exists()
    assert not PaperVersion.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_without_anyone_to_upload_it_the_version_is_issued_off_the_agenda(world):
    issued = issue_report(world.report, None, as_at=AS_AT)
    assert issued.version.paper_version is None
    assert "Not added to the agenda" in issued.paper
    assert not Paper.objects.filter(item__meeting=world.board_meeting).exists()
