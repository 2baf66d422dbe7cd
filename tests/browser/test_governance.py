"""Governance journeys in headless Chromium with axe on every page visited: the secretariat
prepares a meeting (agenda item, paper with its file), marks attendance and sees quoracy change
in place, and records the minutes; a refused extraordinary call shows its error summary at the
top of the page, focused."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from oversight.engine.periods import shift_working_days
from oversight.governance.models import Meeting, MeetingKind, MinuteEntry
from tests.browser.conftest import check_accessibility, sign_in_as
from tests.governance.conftest import soag  # noqa: F401  the governance tests' small SOAG

pytestmark = pytest.mark.browser


@pytest.fixture
def world(request: pytest.FixtureRequest, transactional_db: Any) -> Any:
    """The governance tests' SOAG (``soag``), in a database the live server shares."""
    return request.getfixturevalue("soag")


@pytest.fixture
def secretariat(world: Any) -> Any:
    return world.secretariat.person.user


def test_the_secretariat_prepares_a_meeting_marks_attendance_and_minutes_it(
    page, live_server, world, secretariat, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    sign_in_as(page, live_server.url, secretariat)
    page.goto("/governance/")
    check_accessibility(page, "bodies")
    page.get_by_role("link", name="System Oversight and Assurance Group").click()
    page.wait_for_url("**/governance/SOAG/")
    check_accessibility(page, "body")

    meeting = world.meeting
    page.goto(f"/governance/meetings/{meeting.pk}/")
    check_accessibility(page, "meeting")

    # the agenda: an item, then its paper with a PDF
    page.get_by_role("link", name="Add an agenda item").click()
    check_accessibility(page, "add an item")
    page.get_by_label("Number").fill("1")
    page.get_by_label("Title", exact=True).fill("Urgent and emergency care")
    page.get_by_label("Decision", exact=True).check()
    page.get_by_role("button", name="Add item").click()
    page.wait_for_url(f"**/governance/meetings/{meeting.pk}/#agenda")
    page.get_by_role("link", name="Add a paper to item 1").click()
    page.get_by_label("Title", exact=True).fill("UEC improvement plans")
    page.get_by_label("Assure", exact=True).check()
    page.get_by_label("Purpose of the paper").fill("The ICPs' initial improvement plans.")
    page.get_by_label("Recommendation").fill("SOAG is asked to note the plans.")
    pdf = tmp_path / "uec-plans.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page.set_input_files("input[type=file][name=file]", str(pdf))
    check_accessibility(page, "add a paper")
    page.get_by_role("button", name="Add paper").click()
    page.wait_for_url(f"**/governance/meetings/{meeting.pk}/#paper-*")
    expect(page.get_by_role("link", name="Version 1: uec-plans.pdf")).to_be_visible()

    # attendance: quoracy recomputed in place, without reloading the page
    kept = page.evaluate("() => (window.__kept = 'still here')")
    quoracy = page.locator("#quoracy")
    expect(quoracy).to_contain_text("Not quorate")
    for m in world.icb[:3]:
        page.get_by_label(f"Attendance of {m.person.name}").select_option("present")
        expect(quoracy).to_contain_text(m.person.name)
    expect(quoracy).to_contain_text("no NHS England director")
    director = world.nhse[1].person.name
    page.get_by_label(f"Attendance of {director}").select_option("present")
    expect(quoracy).not_to_contain_text("Not quorate")
    expect(quoracy).to_contain_text("Quorate: 3 ICB members")
    assert page.evaluate("() => window.__kept") == kept  # HTMX swap, no page load
    check_accessibility(page, "meeting with attendance")
    page.get_by_label(f"Attendance of {world.icb[2].person.name}").select_option("apologies")
    expect(quoracy).to_contain_text("only 2 ICB members")
    page.get_by_label(f"Attendance of {world.icb[3].person.name}").select_option("present")
    expect(quoracy).not_to_contain_text("Not quorate")

    # minutes
    page.get_by_role("button", name="Start the draft minutes").click()
    page.get_by_role("link", name="Write the minute of item 1").click()
    check_accessibility(page, "minute form")
    page.get_by_label("Discussion").fill("North and South ICPs set out their plans.")
    page.get_by_label("Decision").fill("Plans agreed; progress against the KPIs next month.")
    page.get_by_label("Level of assurance").select_option("partial")
    page.get_by_role("button", name="Save minute").click()
    page.wait_for_url(f"**/governance/meetings/{meeting.pk}/#minute-*")
    expect(page.locator("#minutes ~ div").first).to_contain_text("Plans agreed")
    entry = MinuteEntry.objects.get()
    assert entry.assurance == "partial" and entry.decided == "consensus"
    check_accessibility(page, "meeting with minutes")
    page.goto("/governance/interests/")
    check_accessibility(page, "register of interests")


def test_a_refused_extraordinary_call_shows_its_error_summary_at_the_top(
    page, live_server, secretariat
):
    sign_in_as(page, live_server.url, secretariat)
    page.goto("/governance/SOAG/")
    too_soon = shift_working_days(timezone.localdate(), 3)
    page.get_by_label("Date of the meeting").fill(too_soon.isoformat())
    page.get_by_label("Specific purpose").fill("Winter pressures")
    page.get_by_role("button", name="Call the meeting").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("at least 7 working days' notice is needed")
    expect(summary).to_be_focused()
    top = summary.bounding_box()["y"]
    assert top < page.locator("h1").bounding_box()["y"]
    check_accessibility(page, "refused extraordinary call")
    assert not Meeting.objects.filter(kind=MeetingKind.EXTRAORDINARY).exists()

    # the summary's link leads to the form; with enough notice the meeting is called
    later = shift_working_days(timezone.localdate(), 10)
    page.get_by_label("Date of the meeting").fill(later.isoformat())
    page.get_by_role("button", name="Call the meeting").click()
    page.wait_for_url("**/governance/meetings/*/")
    expect(page.locator("h1")).to_contain_text("extraordinary meeting")
    assert Meeting.objects.get(kind=MeetingKind.EXTRAORDINARY).date == later
