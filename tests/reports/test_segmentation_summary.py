"""The segmentation summary of a framework quarter: segments, changes since the quarter before
and their reasons, for a region or one system; unpublished decisions only for those
oversight.access.visibility lets see them; on the page, as PDF and Word, and from the CLI."""

from __future__ import annotations

import io

import docx
import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from typer.testing import CliRunner

from oversight.access.models import Role
from oversight.cli.main import app
from oversight.reports.segmentation_summary import SummaryRefused, scope_of, summary
from oversight.segmentation.models import DecisionPublication
from tests.factories import (
    DecisionFactory,
    FrameworkFactory,
    OrganisationFactory,
    PlaceFactory,
    ProposalFactory,
    RegionFactory,
    RoleFactory,
    SystemFactory,
)

Q1, Q2 = "Q1 2021/22", "Q2 2021/22"
FINANCE = {"rule": "financial_plan", "label": "Financial plan not met"}
QUARTILE = {"rule": "bottom_quartile", "label": "Bottom quartile on a quarter of metrics"}
SECRET = "Awaiting publication by the regional team"


@pytest.fixture
def quarter_world(db):
    region = RegionFactory(code="Y61", name="East of England")
    que = SystemFactory(code="QUE", name="Cambridgeshire and Peterborough", region=region)
    qxx = SystemFactory(code="QXX", name="Neighbouring system", region=region)
    place = PlaceFactory(system=que, name="North")
    rgn = OrganisationFactory(ods_code="RGN", name="North West Anglia", host_system=que,
                              place=place)
    rgt = OrganisationFactory(ods_code="RGT", name="Cambridge University Hospitals",
                              host_system=que)
    rqq = OrganisationFactory(ods_code="RQQ", name="Neighbouring trust", host_system=qxx)
    framework = FrameworkFactory(code="sof-2021-22", name="SOF 2021/22")

    def propose(quarter, segment, reasons=(), **subject):
        end = {Q1: "2021-06-30", Q2: "2021-09-30"}[quarter]
        subject.setdefault("organisation", None)
        ProposalFactory(framework=framework, quarter=quarter, quarter_end=end, segment=segment,
                        reasons=list(reasons), **subject)

    propose(Q1, 2, system=que)
    propose(Q2, 3, [FINANCE], system=que)
    propose(Q1, 2, organisation=rgn)
    propose(Q2, 3, [QUARTILE], organisation=rgn)
    propose(Q1, 3, [QUARTILE], organisation=rgt)
    propose(Q2, 3, [QUARTILE], organisation=rgt)
    propose(Q1, 2, system=qxx)
    propose(Q2, 2, system=qxx)
    propose(Q1, 2, organisation=rqq)
    propose(Q2, 2, organisation=rqq)
    regional = RoleFactory(kind=Role.Kind.REGIONAL, region=region).user
    published = DecisionFactory(framework=framework, organisation=None, system=que, segment=4,
                                rationale="Critical finance: deficit growing", decided_by=regional)
    DecisionPublication.objects.create(decision=published, published_at=timezone.now(),
                                       published_by=regional)
    DecisionFactory(framework=framework, organisation=rgn, segment=4, rationale=SECRET,
                    decided_by=regional)  # not published
    users = {
        "regional": regional,
        "soag": RoleFactory(kind=Role.Kind.SOAG_MEMBER, region=None, system=que).user,
    }
    return {"region": region, "que": que, "users": users}


def rows_by_code(result):
    return {r.code: r for r in result.rows}


def test_regional_team_sees_segments_changes_reasons_and_unpublished_decisions(quarter_world):
    regional = quarter_world["users"]["regional"]
    result = summary(regional, Q2, quarter_world["region"])
    rows = rows_by_code(result)
    assert set(rows) == {"QUE", "QXX", "RGN", "RGT", "RQQ"}
    assert result.previous_quarter == Q1
    assert (rows["QUE"].now.segment, rows["QUE"].change) == (4, "Down from segment 2")
    assert rows["QUE"].reasons == ["Financial plan not met (new this quarter)",
                                   "Decision: Critical finance: deficit growing"]
    assert rows["RGN"].now.segment == 4 and "not yet published" in rows["RGN"].now.status
    assert rows["RGT"].change == "No change"
    assert rows["RGT"].reasons == ["Bottom quartile on a quarter of metrics"]
    assert [r.code for r in result.changes] == ["QUE", "RGN"]


def test_others_see_published_decisions_and_proposals_only(quarter_world):
    soag = quarter_world["users"]["soag"]
    result = summary(soag, Q2, scope_of(soag))  # a SOAG member: their system's region
    rows = rows_by_code(result)
    assert set(rows) == {"QUE", "RGN", "RGT"}  # the neighbouring system is outside their role
    assert rows["QUE"].now.segment == 4  # published
    assert rows["RGN"].now.segment == 3 and rows["RGN"].now.status == "Proposed, awaiting decision"
    assert SECRET not in " ".join(rows["RGN"].reasons)


def test_unknown_quarter_and_scope_are_clear_errors(quarter_world):
    regional = quarter_world["users"]["regional"]
    with pytest.raises(SummaryRefused, match="no segments for Q4 2030/31: quarters with "
                                             "segments are Q1 2021/22, Q2 2021/22"):
        summary(regional, "Q4 2030/31", quarter_world["region"])
    with pytest.raises(SummaryRefused, match="not a financial quarter label"):
        summary(regional, "autumn", quarter_world["region"])
    with pytest.raises(PermissionError):
        scope_of(quarter_world["users"]["soag"], system="QXX")


def test_page_shows_the_summary_and_downloads_pdf_and_word(quarter_world, client, pdf_text):
    client.force_login(quarter_world["users"]["regional"])
    url = "/reports/segmentation/?quarter=Q2+2021%2F22&scope=system%3AQUE"
    html = client.get(url).content.decode()
    assert "Segmentation summary, Q2 2021/22: Cambridgeshire and Peterborough (QUE)" in html
    assert "Down from segment 2" in html and SECRET in html
    assert 'href="?quarter=Q2+2021%2F22&amp;scope=system%3AQUE&amp;format=pdf"' in html
    pdf = client.get(url + "&format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(pdf_text(pdf.content)).split())
    assert "Changes since Q1 2021/22" in text and "North West Anglia (RGN)" in text
    word = docx.Document(io.BytesIO(client.get(url + "&format=docx").content))
    assert [p.text for p in word.paragraphs if p.style.name == "Heading 2"] == [
        "Segments in Q2 2021/22", "Changes since Q1 2021/22", "Every system and organisation"]
    every = word.tables[-1]
    assert [c.text for c in every.rows[0].cells][:5] == ["Subject", "Kind", "Place", Q1, Q2]
    assert any(row.cells[0].text == "North West Anglia (RGN)" and row.cells[2].text == "North"
               for row in every.rows)


def test_page_refuses_a_system_outside_the_role(quarter_world, client):
    client.force_login(quarter_world["users"]["soag"])
    response = client.get("/reports/segmentation/?quarter=Q2+2021%2F22&scope=system%3AQXX")
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert "Neighbouring" not in response.content.decode()


def test_cli_writes_the_summary(quarter_world, tmp_path):
    out = tmp_path / "summary.docx"
    result = CliRunner().invoke(app, ["report", "segmentation-summary", "--quarter", Q2,
                                      "--system", "QUE", "--format", "docx", "--output",
                                      str(out)])
    assert result.exit_code == 0, result.output
    text = "\n".join(c.text for t in docx.Document(out).tables for r in t.rows for c in r.cells)
    assert "North West Anglia (RGN)" in text
    assert SECRET not in text  # no --user: published decisions only
    refused = CliRunner().invoke(app, ["report", "segmentation-summary", "--quarter",
                                       "Q4 2030/31", "--output", str(tmp_path / "x.pdf")])
    assert refused.exit_code == 1
    assert "no segments for Q4 2030/31" in refused.output
    assert not (tmp_path / "x.pdf").exists()


def test_anonymous_reader_sees_no_unpublished_decision(quarter_world):
    result = summary(AnonymousUser(), Q2, quarter_world["que"], within_roles=False)
    assert rows_by_code(result)["RGN"].now.segment == 3
