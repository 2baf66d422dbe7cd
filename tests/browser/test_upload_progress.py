"""The upload page's progress bar: with JavaScript the file goes up by XMLHttpRequest, the
progress bar shows, and the summary replaces the page; without JavaScript the plain form post
gives the same summary."""

from typing import Any

from tests.browser.conftest import sign_in

GOOD = "org_code,metric_code,period_start,period_end,value\nRGT,AE4HR,2024-05-01,2024-05-31,91.5\n"


def test_upload_with_javascript_shows_progress_then_the_summary(page: Any, demo_ics, tmp_path):
    path = tmp_path / "ae-may.csv"
    path.write_text(GOOD)
    sign_in(page, "icb-lead")
    page.goto("/imports/")
    sent: list[str] = []
    page.on("request", lambda r: sent.append(f"{r.method} {r.resource_type} {r.url}"))
    page.set_input_files("input[type=file][name=file]", str(path))
    page.check("input[name=format][value=template]")
    page.click("button:has-text('Check and load')")
    page.wait_for_selector("#summary")
    assert any(s.startswith("POST xhr ") and s.endswith("/imports/") for s in sent), sent
    assert "Stored" in page.locator("#summary").inner_text()
    assert page.url.endswith("/imports/")


def test_upload_without_javascript_posts_the_form(
    browser: Any, live_server, demo_ics, tmp_path, settings
):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        path = tmp_path / "ae-may.csv"
        path.write_text(GOOD)
        sign_in(page, "icb-lead")
        page.goto("/imports/")
        assert page.locator("#upload-progress").is_hidden()
        page.set_input_files("input[type=file][name=file]", str(path))
        page.check("input[name=format][value=template]")
        page.click("button:has-text('Check and load')")
        page.wait_for_selector("#summary")
        assert "Stored" in page.locator("#summary").inner_text()
    finally:
        context.close()
