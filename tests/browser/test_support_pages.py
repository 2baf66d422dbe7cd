"""The support pages in headless Chromium with axe accessibility checks: the regional team
walks an RSP case from the list to the SID form and the actions list."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from oversight.support.models import SupportCase
from tests.browser.conftest import PASSWORD, check_accessibility, sign_in
from tests.support.conftest import build_world, decide

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db):
    world = build_world()
    world.regional.set_password(PASSWORD)
    world.regional.save()
    decide(world, 4, rationale="Critical finance concerns")
    return world


def test_support_pages_are_accessible(page, live_world):
    sign_in(page, "regional")
    page.get_by_role("link", name="Support", exact=True).click()
    page.wait_for_url("**/support/")
    check_accessibility(page)
    page.get_by_role("link", name=live_world.trust.name).click()
    case = SupportCase.objects.get()
    page.wait_for_url(f"**/support/cases/{case.pk}/")
    expect(page.locator("h2:has-text('Recovery Support Programme')")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Record the appointment").click()
    page.wait_for_url(f"**/support/cases/{case.pk}/sid/")
    check_accessibility(page)
    page.click("button:has-text('Save')")  # empty form: errors, still accessible
    expect(page.locator(".nhsuk-error-message").first).to_be_visible()
    check_accessibility(page)
    page.goto("/support/actions/")
    check_accessibility(page)
    page.goto("/support/notifications/")
    check_accessibility(page)
