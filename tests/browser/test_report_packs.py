"""Meeting packs and the segmentation summary in headless Chromium with axe on every page: a
member downloads a meeting's pack and its Part B pack from the meeting page; the regional team
picks a quarter and a system and downloads the summary as PDF and Word."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility, sign_in_as
from tests.governance.conftest import soag  # noqa: F401  the governance tests' small SOAG
from tests.reports.test_meeting_pack import SECRET, business  # noqa: F401
from tests.reports.test_segmentation_summary import quarter_world  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture
def meeting_world(request: pytest.FixtureRequest, transactional_db: Any) -> Any:
    """The meeting pack tests' SOAG meeting and papers, in a database the live server shares."""
    return request.getfixturevalue("business")


@pytest.fixture
def summary_world(request: pytest.FixtureRequest, transactional_db: Any) -> Any:
    return request.getfixturevalue("quarter_world")


def test_a_member_downloads_the_meeting_pack_and_the_part_b_pack(page, live_server,
                                                                  meeting_world):
    from django.contrib.auth import get_user_model

    chair = get_user_model().objects.get(username="chair")
    sign_in_as(page, live_server.url, chair)
    page.goto(f"/governance/meetings/{meeting_world.meeting.pk}/")
    page.get_by_role("link", name="Download the meeting pack").click()
    page.wait_for_url("**/pack/")
    check_accessibility(page, "meeting pack")
    expect(page.get_by_role("table")).not_to_contain_text(SECRET)
    page.get_by_role("button", name="Download the meeting pack (PDF)").click()
    page.wait_for_url("**/jobs/*/")  # the job's page: its progress, then its file
    check_accessibility(page, "meeting pack job")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download SOAG-2021-08-31-meeting-pack").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    page.go_back()
    page.goto(f"/governance/meetings/{meeting_world.meeting.pk}/")
    page.get_by_role("link", name="Download the Part B pack").click()
    page.wait_for_url("**/pack/part-b/")
    check_accessibility(page, "Part B pack")
    expect(page.get_by_role("table")).to_contain_text(SECRET)
    page.get_by_role("button", name="Download the Part B pack (PDF)").click()
    page.wait_for_url("**/jobs/*/")
    expect(page.get_by_role("link", name="Download SOAG-2021-08-31-meeting-pack-part-b"))\
        .to_be_visible()


def test_the_regional_team_downloads_a_segmentation_summary(page, live_server, summary_world):
    sign_in_as(page, live_server.url, summary_world["users"]["regional"])
    page.goto("/segmentation/")
    page.get_by_role("link", name="Segmentation summary for a meeting (PDF, Word)").click()
    check_accessibility(page, "segmentation summary form")
    page.get_by_label("Framework quarter").select_option("Q2 2021/22")
    page.get_by_label("Region or system").select_option(
        label="Cambridgeshire and Peterborough (QUE)")
    page.get_by_role("button", name="Show the summary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Segmentation summary, Q2 2021/22: Cambridgeshire and Peterborough (QUE)")
    check_accessibility(page, "segmentation summary")
    expect(page.get_by_role("table", name="Subjects whose segment moved")).to_contain_text(
        "Down from segment 2")
    for link, suffix in (("Download as PDF", ".pdf"), ("Download as Word", ".docx")):
        with page.expect_download() as download:
            page.get_by_role("link", name=link).click()
        assert download.value.suggested_filename.endswith(suffix)
