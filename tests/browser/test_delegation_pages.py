"""The scheme of delegation, business-case and urgent-decision pages in a browser: axe on each,
and the "who decides this?" journey from a search to a matter's chain of delegation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility, sign_in_as

pytestmark = pytest.mark.browser


@pytest.fixture
def story(transactional_db: Any) -> Any:
    """The delegation demo on factory bodies and trusts, and a regional user."""
    from oversight.delegation.demo import load_delegation_demo
    from tests.factories import BodyFactory, OrganisationFactory, RoleFactory

    for short in ["SPB", "HCE", "CAG", "FPPG", "IC"]:
        BodyFactory(short_name=short, name=f"The {short}")
    BodyFactory(short_name="DEG", name="The DEG", kind="delivery_group")
    OrganisationFactory(ods_code="RGT", name="Cambridge University Hospitals")
    OrganisationFactory(ods_code="RGN", name="North West Anglia")
    load_delegation_demo()
    return RoleFactory().user


def test_who_decides_journey_and_pages_pass_axe(page: Any, live_server: Any, story: Any) -> None:
    from oversight.delegation.models import BusinessCase

    sign_in_as(page, live_server.url, story)
    page.goto(f"{live_server.url}/governance/delegation/")
    check_accessibility(page, "scheme of delegation")
    page.get_by_label("Who decides this?").fill("approve business cases")
    page.get_by_role("button", name="Search the scheme").click()
    expect(page.locator("#answers")).to_contain_text("1 matter for")
    check_accessibility(page, "scheme of delegation, answered")
    answer = "To approve business cases to support delivery of the STP"
    page.locator("#answers").get_by_role("link", name=answer).click()
    expect(page.locator("h1")).to_have_text(
        "To approve business cases to support delivery of the STP"
    )
    expect(page.locator("ol.nhsuk-list--number")).to_contain_text("STP Board")
    check_accessibility(page, "matter")
    page.goto(f"{live_server.url}/governance/business-cases/")
    expect(page.get_by_role("heading", name="Decided")).to_be_visible()
    expect(page.locator("body")).to_contain_text("Falls prevention")
    check_accessibility(page, "business cases")
    refused = BusinessCase.objects.get(route="local")
    page.goto(f"{live_server.url}/governance/business-cases/{refused.pk}/")
    expect(page.locator("body")).to_contain_text("Do not fund")
    check_accessibility(page, "business case")
    page.goto(f"{live_server.url}/governance/urgent-decisions/")
    expect(page.locator("body")).to_contain_text("Winter escalation beds")
    check_accessibility(page, "urgent decisions")


@pytest.fixture
def recorder(story: Any) -> Any:
    """An administrator: the secretariat of every body under delegation.rules."""
    from tests.factories import RoleFactory

    return RoleFactory(kind="administrator", region=None).user


def test_recording_a_case_an_urgent_ratification_and_a_dispute(
    page: Any, live_server: Any, recorder: Any
) -> None:
    """A secretariat's journey on the forms: a proposal (first refused for what is missing),
    its first step at a CAG meeting; the conflict shown on the refused case; the last partner's
    ratification of the urgent decision; the disputes page. Axe on each form and its errors."""
    sign_in_as(page, live_server.url, recorder)
    page.goto(f"{live_server.url}/governance/business-cases/")
    page.get_by_role("link", name="Record a project proposal").click()
    check_accessibility(page, "proposal form")
    page.get_by_role("button", name="Record proposal").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("This field is required")
    check_accessibility(page, "proposal form with errors")
    page.get_by_label("Title").fill("Community respiratory hub")
    page.get_by_label("No investment").check()
    page.get_by_label("Delivery or enabling group").select_option(label="The DEG")
    page.get_by_label("Affected organisations").select_option(
        label=["Cambridge University Hospitals (RGT)"]
    )
    page.get_by_role("button", name="Record proposal").click()
    expect(page.locator("h1")).to_have_text("Community respiratory hub")
    expect(page.locator("body")).to_contain_text("Project proposal 'Community respiratory hub'")
    page.get_by_role("link", name="Record: set clinical vision").click()
    check_accessibility(page, "step form")
    page.get_by_label("Meeting").select_option(index=1)
    page.get_by_label("Reason").fill("The CAG set the respiratory vision")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator("table").first).to_contain_text("The CAG set the respiratory vision")
    check_accessibility(page, "case after a step")
    page.goto(f"{live_server.url}/governance/business-cases/")
    page.get_by_role("link", name="Discharge to assess hub").click()
    expect(page.locator("body")).to_contain_text(
        "Director of Finance, RGN (demo) declared an organisational financial interest"
    )
    page.goto(f"{live_server.url}/governance/urgent-decisions/")
    page.get_by_role("link", name="Record a ratification").click()
    check_accessibility(page, "ratification form")
    page.get_by_label("Partner").select_option(index=1)
    page.get_by_label("Ratified on").fill("2023-01-26")
    page.get_by_role("button", name="Record").click()
    expect(page.locator("body")).to_contain_text("Ratified 26 Jan 2023")
    page.goto(f"{live_server.url}/governance/disputes/")
    expect(page.locator("body")).to_contain_text("Savings shared in proportion")
    check_accessibility(page, "disputes")
    page.get_by_role("link", name="Refer an issue").click()
    page.get_by_role("button", name="Refer").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check_accessibility(page, "dispute form with errors")
