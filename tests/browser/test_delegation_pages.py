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
