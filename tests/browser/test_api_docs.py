"""The API documentation renders its operations offline and under the site's own CSP."""

from typing import Any

import pytest

from tests.browser.conftest import sign_in_as
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_docs_render_operations_under_csp(browser: Any, live_server: Any, settings) -> None:
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    user = RoleFactory(kind="administrator", region=None).user
    # No bypass_csp: the page must work under the Content Security Policy it is served with.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(live_server.url) and not r.url.startswith("data:") else None)
    try:
        sign_in_as(page, live_server.url, user)
        page.goto("/api/docs")
        page.wait_for_selector(".opblock", timeout=15000)
        assert page.locator(".opblock").count() > 0
        assert not outside, outside
        assert not [m for m in refused if "Content Security Policy" in m and "script" in m]
    finally:
        context.close()


def test_pages_load_no_remote_font(page: Any, live_server: Any) -> None:
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(live_server.url) and not r.url.startswith("data:") else None)
    page.goto("/sign-in/")
    page.wait_for_load_state("networkidle")
    assert not outside, outside
