"""Headless Chromium (Debian's package, driven by Playwright) against pytest-django's live server.

Skips with the reason when chromium or Playwright is absent; never runs ``playwright install``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("OVERSIGHT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "browser-test-password-1"



def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        pytest.skip(f"chromium not found at {CHROMIUM} (run scripts/ensure-chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    # Playwright's sync API runs an event loop in this thread while it is open; the ORM calls
    # the fixtures make are still synchronous and safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Any, live_server: Any, settings: Any) -> Iterator[Any]:
    # The live server speaks plain HTTP; CSP stays on (axe is injected with bypass_csp).
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    context = browser.new_context(base_url=live_server.url, bypass_csp=True,
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def check_accessibility(page: Any) -> None:
    """Run axe-core on the page; fail on any serious or critical violation."""
    if not AXE.exists():
        pytest.skip(f"axe-core not found at {AXE} (run npm install)")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
        }"""
    )
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"{page.url}: {serious}"


@pytest.fixture
def demo_ics(transactional_db: Any) -> dict[str, Any]:
    """A small system with two places, two trusts and a metric series each, and a user."""
    from oversight.metrics.models import Observation
    from tests.factories import (
        ImportBatchFactory,
        MetricFactory,
        OrganisationFactory,
        PlaceFactory,
        RoleFactory,
        SystemFactory,
        ThemeFactory,
        UserFactory,
    )

    system = SystemFactory(code="QUE", name="Cambridgeshire and Peterborough ICS")
    north = PlaceFactory(system=system, code="N", name="North ICP")
    south = PlaceFactory(system=system, code="S", name="South ICP")
    theme = ThemeFactory(code="quality", name="Quality of care, access and outcomes")
    metric = MetricFactory(theme=theme, code="AE4HR", name="A&E within 4 hours", unit="%",
                           standard=95, polarity="higher", source="NHS England A&E")
    batch = ImportBatchFactory(file_name="ae.csv")
    steady = [90, 91, 89, 90, 92, 88, 90, 91, 89, 90, 92, 88, 90, 91, 89]
    orgs = {}
    for code, name, place, last in (("RGT", "Cambridge University Hospitals", south, 40),
                                    ("RGN", "North West Anglia", north, 90)):
        org = orgs[code] = OrganisationFactory(ods_code=code, name=name, host_system=system,
                                               place=place)
        for i, v in enumerate([*steady, last]):
            start = dt.date(2023 + i // 12, i % 12 + 1, 1)
            Observation.objects.create(
                metric=metric, organisation=org, period_start=start,
                period_end=start + dt.timedelta(days=27), period_label=start.strftime("%b-%y"),
                value=v, numerator=v * 10, denominator=1000, batch=batch,
            )
    user = UserFactory(username="icb-lead", password=PASSWORD)
    RoleFactory(user=user, kind="icb", region=None, system=system)
    return {"system": system, "metric": metric, "orgs": orgs, "user": user}


def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(lambda url: "/sign-in/" not in url)
