"""Key journeys in headless Chromium, with axe accessibility checks on every page visited
(test_every_page.py checks every page the app serves)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility, sign_in


def test_sign_in_is_accessible_and_rejects_a_wrong_password(page, demo_ics):
    page.goto("/sign-in/")
    check_accessibility(page)
    page.fill("#id_username", "icb-lead")
    page.fill("#id_password", "not-the-password")
    page.click("button:has-text('Sign in')")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check_accessibility(page)


def test_dashboard_journey_from_sign_in_to_metric_chart(page, demo_ics):
    sign_in(page, "icb-lead")
    assert "Signed in as icb-lead" in page.content()
    check_accessibility(page)

    page.get_by_role("link", name="Cambridgeshire and Peterborough ICS", exact=True).click()
    page.wait_for_url("**/systems/QUE/")
    expect(page.locator("h2:has-text('System dashboard')")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("link", name="Icon summary", exact=False).first.click()
    page.wait_for_url("**/systems/QUE/icons/")
    check_accessibility(page)
    icon = page.locator("a.oversight-icons__link[href='/organisations/RGT/metrics/AE4HR/']")
    expect(icon.locator("svg[aria-label^='Variation: Special cause concern']")).to_have_count(1)
    icon.click()
    page.wait_for_url("**/organisations/RGT/metrics/AE4HR/")
    chart = page.locator("figure svg[role='img']").first
    expect(chart).to_be_visible()
    expect(page.locator("table.oversight-data tbody tr")).to_have_count(16)
    expect(page.locator("h2:has-text('Among its peers')")).to_be_visible()
    check_accessibility(page)


def test_theme_filter_updates_the_dashboard_in_place(page, demo_ics):
    sign_in(page, "icb-lead")
    page.goto("/systems/QUE/")
    marker = page.evaluate("() => (window.__kept = 'still here')")
    page.select_option("#theme-dashboard", "quality")
    page.wait_for_url(lambda url: "theme=quality" in url)
    assert page.evaluate("() => window.__kept") == marker  # no full page load: HTMX swap
    expect(page.locator("#dashboard h3:has-text('Quality of care')")).to_be_visible()


def test_pages_work_without_javascript(browser, live_server, demo_ics, settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, "icb-lead")
        page.goto("/systems/QUE/")
        page.select_option("#theme-dashboard", "quality")
        page.click(".oversight-theme-filter button")
        page.wait_for_url(lambda url: "theme=quality" in url)
        expect(page.locator("#dashboard h3:has-text('Quality of care')")).to_be_visible()
    finally:
        context.close()


def test_print_stylesheet_hides_navigation(page, demo_ics):
    sign_in(page, "icb-lead")
    page.goto("/organisations/RGT/metrics/AE4HR/")
    page.emulate_media(media="print")
    expect(page.locator("header.nhsuk-header")).to_be_hidden()
    expect(page.locator("figure svg").first).to_be_visible()


def test_accessibility_check_fails_on_a_serious_violation(page, live_server):
    """The axe check itself can fail: an image without a text alternative is critical."""
    page.goto(f"{live_server.url}/sign-in/")
    page.evaluate(
        "() => document.querySelector('main').insertAdjacentHTML("
        "'beforeend', '<img src=\"/static/none.png\">')"
    )
    with pytest.raises(AssertionError, match=r"sign-in with an image \(.*\n +critical image-alt"):
        check_accessibility(page, "sign-in with an image")


def test_upload_with_an_error_shows_the_row_level_report(page, demo_ics, tmp_path):
    """The ingestion page (/imports/) rejects the whole file and lists each problem by row."""
    bad = tmp_path / "ae-may.csv"
    bad.write_text(
        "org_code,metric_code,period_start,period_end,value\n"
        "RGT,AE4HR,2024-05-01,2024-05-31,91.5\n"
        "RGN,AE4HR,2024-05-01,2024-05-31,not-a-number\n"
    )
    sign_in(page, "icb-lead")
    page.goto("/imports/")
    page.set_input_files("input[type=file][name=file]", str(bad))
    page.check("input[name=format][value=template]")
    page.click("button:has-text('Check and load')")
    page.wait_for_selector("#problems")
    report = page.locator("table:has(caption:has-text('every problem found'))")
    first = report.locator("tbody tr").first.locator("td")
    assert "not-a-number" in report.inner_text()
    assert first.nth(1).inner_text().strip() == "3"  # header is row 1
    assert first.nth(2).inner_text().strip() == "value"
