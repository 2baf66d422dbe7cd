"""Rebases on the metric page in a browser: record (with an error first), see the marker,
remove after confirming; without JavaScript, and every page state passes axe."""

from __future__ import annotations

import pytest

from tests.browser.conftest import check_accessibility, sign_in

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect


def test_record_and_remove_a_rebase_without_javascript(browser, live_server, demo_ics, settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, java_script_enabled=False
    )
    page = context.new_page()
    try:
        sign_in(page, "icb-lead")
        page.goto("/organisations/RGT/metrics/AE4HR/")
        expect(page.locator("h2#rebases")).to_be_visible()
        page.select_option("#rebase-date", "2023-07-01")
        page.click("button:has-text('Record rebase')")
        expect(page.locator(".nhsuk-error-summary")).to_contain_text(
            "Enter the reason for the rebase"
        )
        page.fill("#rebase-reason", "New same-day emergency care pathway")
        page.click("button:has-text('Record rebase')")
        page.wait_for_url("**/organisations/RGT/metrics/AE4HR/**")
        expect(page.locator("svg .spc-rebase-marker")).to_have_count(1)
        expect(page.locator("td:has-text('New same-day emergency care pathway')")).to_be_visible()
        page.get_by_role("link", name="Remove the rebase from 1 July 2023").click()
        expect(page.locator("h1")).to_contain_text("Remove the rebase from 1 July 2023?")
        page.click("button:has-text('Remove rebase')")
        expect(page.locator("text=No rebase is recorded")).to_be_visible()
    finally:
        context.close()


def test_metric_page_with_rebase_form_and_errors_is_accessible(page, demo_ics):
    sign_in(page, "icb-lead")
    page.goto("/organisations/RGT/metrics/AE4HR/")
    check_accessibility(page)
    page.click("button:has-text('Record rebase')")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check_accessibility(page)
    page.select_option("#rebase-date", "2023-07-01")
    page.fill("#rebase-reason", "New pathway")
    page.click("button:has-text('Record rebase')")
    expect(page.locator("svg .spc-rebase-marker")).to_have_count(1)
    check_accessibility(page)
    page.get_by_role("link", name="Remove the rebase from 1 July 2023").click()
    expect(page.locator("h1")).to_contain_text("Remove the rebase")
    check_accessibility(page)
