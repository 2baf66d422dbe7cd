"""The report pages end to end with the test client: start a report, write its narrative
(bad input answered on the form), preview, issue, read and download the version; who may."""

from __future__ import annotations

import pytest

from oversight.access.models import Role
from oversight.governance.models import Position
from oversight.reports.models import Report, ReportVersion
from tests.factories import MembershipFactory, PersonFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def regional(world):
    return RoleFactory(kind=Role.Kind.REGIONAL, region=world.system.region).user


def test_the_regional_team_prepares_and_issues_a_report(client, world, regional):
    client.force_login(regional)
    world.report.delete()
    response = client.post("/reports/new/", {"system": world.system.code,
                                             "meeting": world.board_meeting.pk,
                                             "since": "2021-08-01"})
    report = Report.objects.get(meeting=world.board_meeting)
    assert response["Location"] == f"/reports/{report.pk}/edit/"
    assert report.committee == world.soag
    bad = client.post(f"/reports/{report.pk}/edit/", {
        "title": "Overview", "purpose": "inform", "since": "2021-08-01",
        "presented": "FPPG on 12 August"})
    assert bad.status_code == 422 and "write the committee, a comma and the date" in bad.text
    client.post(f"/reports/{report.pk}/edit/", {
        "agenda_item": "2.4", "title": "SOAG overview", "lead": "Jan Thomas",
        "author": "Sharon Fox", "purpose": "assure", "since": "2021-08-01",
        "recommendation": "The Board is asked to note the outcomes of the first meeting.",
        "presented": "FPPG, 2021-08-12", "include_terms": "on",
        "commentary_soag": "A good first meeting."})
    report.refresh_from_db()
    assert report.presented_before == [{"body": "FPPG", "date": "2021-08-12"}]
    assert report.commentary == {"soag": "A good first meeting."}
    preview = client.get(f"/reports/{report.pk}/preview/")
    assert preview.status_code == 200 and "A good first meeting." in preview.text
    assert not ReportVersion.objects.exists()
    issued = client.post(f"/reports/{report.pk}/issue/")  # a job (run at once in tests)
    assert issued.status_code == 303 and issued["Location"].startswith("/jobs/")
    version = ReportVersion.objects.get(report=report)
    assert version.issued_by == regional
    job = client.get(issued["Location"])
    assert "Version 1 of" in job.text and f'href="{version.get_absolute_url()}"' in job.text
    page = client.get(version.get_absolute_url())
    assert "The Board is asked to note the outcomes of the first meeting." in page.text
    download = client.get(f"/reports/{report.pk}/versions/1/report.html")
    assert download.content == version.html.encode()
    assert "attachment" in download["Content-Disposition"]
    api = client.get(f"/api/reports/{report.pk}").json()
    assert api["versions"][0]["sha256"] == version.sha256


def test_a_meeting_of_another_system_is_refused_on_the_form(client, world, regional):
    client.force_login(regional)
    response = client.post("/reports/new/", {"system": world.system.code, "meeting": "999999"})
    assert response.status_code == 422 and "Choose a board meeting from the list." in response.text


def test_the_secretariat_prepares_others_only_read_what_is_issued(client, world):
    clerk = UserFactory(username="clerk")
    MembershipFactory(body=world.soag, person=PersonFactory(user=clerk),
                      position=Position.SECRETARIAT)
    member = RoleFactory(kind=Role.Kind.SOAG_MEMBER, region=None, system=world.system).user
    client.force_login(member)
    assert client.get(f"/reports/{world.report.pk}/").status_code == 403  # a draft
    assert client.get("/reports/new/").status_code == 403
    client.force_login(clerk)
    assert client.post(f"/reports/{world.report.pk}/issue/").status_code == 303
    client.force_login(member)
    assert client.get(f"/reports/{world.report.pk}/versions/1/").status_code == 200
    assert client.get(f"/reports/{world.report.pk}/preview/").status_code == 403
