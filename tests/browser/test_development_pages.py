"""The development plan pages in headless Chromium with axe: the ICB team opens a quarterly
checkpoint, assesses a workstream in place (HTMX) after a refused empty attempt, and reads the
report; every page of the plan is checked for accessibility and for fitting 1,280 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from oversight.development.models import Assessment, Checkpoint
from tests.browser.conftest import PASSWORD, check_accessibility, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def live_plan(transactional_db):
    from oversight.access.models import Role
    from oversight.development.demo import load_development_demo
    from oversight.development.models import Plan
    from tests.factories import RegionFactory, SystemFactory, UserFactory

    region = RegionFactory(code="Y61", name="East of England")
    system = SystemFactory(code="QUE", name="Cambridgeshire and Peterborough", region=region)
    icb = UserFactory(username="icb-que", password=PASSWORD)
    Role.objects.create(user=icb, kind="icb", system=system)
    regional = UserFactory(username="demo", password=PASSWORD)
    Role.objects.create(user=regional, kind="regional", region=region)
    load_development_demo()
    return Plan.objects.get(system=system)


def fits(page) -> None:
    """Nothing wider than the 1,280 px window (a wide table scrolls in its own box)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"{page.url} is {width} px wide"


def test_every_development_page_is_accessible(page, live_plan):
    sign_in(page, "icb-que")
    page.get_by_role("link", name="Development", exact=True).click()
    page.get_by_role("link", name=live_plan.title).click()
    expect(page.locator("h1")).to_have_text(live_plan.title)
    check_accessibility(page, "plan on a page")
    fits(page)
    for link in (
        "Timeline",
        "Quarterly checkpoints",
        "Maturity matrix",
        "Operating arrangements",
        "Priorities",
        "Asks and risks",
    ):
        page.get_by_label("Development plan").get_by_role("link", name=link).click()
        page.wait_for_load_state()
        check_accessibility(page, link)
        fits(page)
    page.goto(f"/development/{live_plan.pk}/")
    page.get_by_role("link", name="Provider collaboratives and places").click()
    expect(page.locator("h1")).to_have_text("Provider collaboratives and places")
    check_accessibility(page, "workstream")
    fits(page)


def test_recording_a_quarterly_checkpoint(page, live_plan):
    sign_in(page, "icb-que")
    page.goto(f"/development/{live_plan.pk}/checkpoints/")
    page.get_by_role("button", name="Open checkpoint").click()  # empty: errors shown
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check_accessibility(page, "checkpoint form with errors")
    page.get_by_label("Quarter").fill("Q1 22/23")
    page.get_by_label("Date of the checkpoint").fill("2022-07-21")
    page.get_by_role("button", name="Open checkpoint").click()
    expect(page.locator("h1")).to_have_text("Q1 2022/23 checkpoint")
    check_accessibility(page, "new checkpoint report")
    # Assess "Engagement" in place: the form opens under the workstream without leaving the page.
    report_url = page.url
    page.get_by_role("link", name="Assess Engagement").click()
    form = page.locator("form.oversight-assess-form")
    expect(form).to_be_visible()
    assert page.url == report_url
    form.get_by_label("Status of the workstream 'Engagement'").select_option("")
    form.get_by_role("button", name="Save assessment").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert page.url == report_url
    check_accessibility(page, "assessment form with errors")
    form = page.locator("form.oversight-assess-form")
    form.get_by_label("Status of the workstream 'Engagement'").select_option("G")
    form.get_by_label("Commentary on the workstream").fill("Engagement strategy agreed")
    form.get_by_label("Evidence").fill("Partnership Board paper, July 2022")
    form.get_by_label("Status of action 1").select_option("G")
    form.get_by_role("button", name="Save assessment").click()
    expect(
        page.locator("#ws-" + str(live_plan.workstreams.get(name="Engagement").pk))
    ).to_contain_text("Engagement strategy agreed")
    check_accessibility(page, "report after the assessment")
    checkpoint = Checkpoint.objects.get(plan=live_plan, quarter="Q1 2022/23")
    saved = Assessment.objects.get(checkpoint=checkpoint, workstream__name="Engagement")
    assert (saved.status, saved.assessed_by.username) == ("G", "icb-que")
    assert saved.evidence == "Partnership Board paper, July 2022"
