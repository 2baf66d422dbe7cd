"""The SOAG overview report in headless Chromium with axe: the regional team starts a report for
a board meeting, writes its cover sheet, previews it, issues it and reads the issued version;
every page accessible and no wider than a 1,280 px window."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from oversight.access.models import Role
from oversight.reports.models import ReportVersion
from tests.browser.conftest import check_accessibility, sign_in_as
from tests.factories import RoleFactory
from tests.reports.conftest import build_world

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the issued version's PDF and Word, the board's paper
    world = build_world()
    world.report.delete()  # the journey starts it
    world.regional = RoleFactory(kind=Role.Kind.REGIONAL, region=world.system.region).user
    return world


def _checked(page, what: str) -> None:
    check_accessibility(page, what)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280, page.url


def test_report_journey(page, live_server, live_world):
    w = live_world
    sign_in_as(page, live_server.url, w.regional)
    page.goto("/reports/")
    expect(page.get_by_role("heading", name="Board reports")).to_be_visible()
    _checked(page, "report list")
    page.get_by_role("button", name="New report").click()
    _checked(page, "new report")
    page.get_by_role("button", name="Start the report").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose a system.")
    _checked(page, "new report with its errors")
    page.get_by_label("System").select_option(w.system.code)
    page.get_by_label("Board meeting").select_option(str(w.board_meeting.pk))
    page.get_by_label("Period covered from").fill("2021-08-01")
    page.get_by_role("button", name="Start the report").click()
    expect(page.get_by_role("heading", name="Cover sheet and narrative")).to_be_visible()
    _checked(page, "cover sheet and narrative")
    page.get_by_label("Lead (optional)", exact=True).fill(
        "Priya Nair, Joint ICS Interim Accountable Officer")
    page.get_by_label("Assure", exact=True).check()
    page.get_by_label("Commentary: What the group did since the last report").fill(
        "A good first meeting.")
    page.get_by_role("button", name="Save").click()
    _checked(page, "report")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".oversight-report")).to_contain_text(w.uec.item.title)
    expect(page.locator(".oversight-report")).to_contain_text("A good first meeting.")
    _checked(page, "preview")
    page.goto(f"/reports/{w.board_meeting.board_reports.get().pk}/issue/")
    _checked(page, "issue")
    page.get_by_role("button", name="Issue version 1").click()  # a job: its page, then done
    expect(page.get_by_role("link", name="See the result")).to_be_visible()
    _checked(page, "the issuing job")
    page.get_by_role("link", name="See the result").click()
    version = ReportVersion.objects.get()
    expect(page.locator(".oversight-report")).to_contain_text("Marked: Assure")
    _checked(page, "issued version")
    for fmt in ("HTML", "PDF", "DOCX"):
        expect(page.get_by_role("link", name=fmt, exact=True)).to_have_attribute(
            "href", f"/reports/{version.report_id}/versions/1/report.{fmt.lower()}")
    # the issued version is the board meeting's paper: its page lists it
    page.get_by_role("link", name=f"{w.board.name}, 15 September 2021").click()
    expect(page.get_by_text(version.report.title).first).to_be_visible()
    _checked(page, "the board meeting with the report's paper")
