"""The demo's reports: seed 000's September 2021 overview, written from the demo's own first SOAG
meeting and issued on its story date, and a current one; figures checked against the
database the governance demo wrote."""

from __future__ import annotations

import datetime as dt

import pytest

from oversight.access.models import Role
from oversight.governance.demo import load_governance_demo
from oversight.governance.minutes import current_minutes
from oversight.governance.models import Body, Meeting
from oversight.reports.demo import load_reports_demo
from oversight.reports.models import ReportVersion
from tests.factories import (
    FrameworkFactory,
    OrganisationFactory,
    RegionFactory,
    SystemFactory,
    UserFactory,
)


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    FrameworkFactory(code="sof-2021-22", name="System Oversight Framework 2021/22",
                     year_start=dt.date(2021, 4, 1))
    region = RegionFactory(code="Y61", name="East of England")
    system = SystemFactory(code="QUE", name="Cambridgeshire and Peterborough", region=region)
    for ods in ["RGN", "RGT", "RGM", "RT1", "RYV"]:
        OrganisationFactory(ods_code=ods, host_system=system, region=region)
    Role.objects.create(user=UserFactory(username="demo", password=None), kind="regional",
                        region=region)
    load_governance_demo()
    return load_reports_demo()


def test_september_2021_report_from_the_first_soag_meeting(demo):
    version = ReportVersion.objects.get(report__meeting__date=dt.date(2021, 9, 15))
    assert version.as_at == dt.date(2021, 9, 8)  # papers due five working days before
    assert version.report.meeting.body.short_name == "SPB"
    first = Meeting.objects.get(body__short_name="SOAG", date=dt.date(2021, 8, 31))
    (meeting,) = version.snapshot["soag"]["meetings"]
    assert meeting["date"] == first.date.isoformat()
    minuted = [e for e in current_minutes(first).entries.select_related("item")
               if e.item.part == "A" and (e.discussion or e.decision or e.assurance)]
    assert [e["area"] for e in meeting["entries"]] == [e.item.title for e in minuted]
    escalated = [e.escalation for e in minuted if e.escalate_to_board]
    assert [x["text"] for x in version.snapshot["soag"]["escalations"]] == escalated
    terms = Body.objects.get(short_name="SOAG").terms.get(version="1.7")
    assert version.snapshot["terms"]["version"] == terms.version
    assert "data" not in version.snapshot  # seed 000 promised the data appendix for later
    assert "The Board is asked to note the Terms of Reference" in version.html


def test_a_current_report_and_nothing_issued_twice(demo):
    current = ReportVersion.objects.get(report__meeting__date=dt.date(2025, 9, 17))
    assert current.as_at == dt.date(2025, 9, 10)
    assert "data" in current.snapshot["parts"]
    assert load_reports_demo().issued == []
    assert ReportVersion.objects.count() == 2


def test_each_report_is_a_paper_on_its_board_meetings_agenda_on_the_story_dates(demo):
    for version in ReportVersion.objects.select_related("report__meeting"):
        report = version.report
        item = report.meeting.items.get(number=report.agenda_item)
        (paper,) = item.papers.all()
        assert paper.latest_version == version.paper_version
        assert paper.latest_version.sha256 == version.stored("pdf").sha256
        assert paper.issued_at.date() == version.as_at  # issued when the papers were due
        assert paper.issued_at.date() <= report.meeting.papers_due
        assert paper.latest_version.uploaded_at.date() == version.as_at
        assert {h.history_date.date() for h in item.history.all()} == {version.as_at}
