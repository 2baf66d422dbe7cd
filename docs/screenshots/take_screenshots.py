"""Screenshots of the main pages for docs/pages.md, in headless Debian Chromium.

    .venv/bin/oversight demo            # serves the demo on http://127.0.0.1:8000/
    .venv/bin/python docs/screenshots/take_screenshots.py [http://127.0.0.1:8000]

Signs in as the demo user and saves docs/screenshots/<page>.png (only 127.0.0.1 is contacted).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGES = {
    "home": "/",
    "system-dashboard": "/systems/QUE/",
    "icon-summary": "/systems/QUE/icons/",
    "place": "/systems/QUE/places/{place}/",
    "organisation": "/organisations/RGT/",
    "metric": "/organisations/RGT/metrics/{metric}/",
    "segmentation": "/segmentation/",
    "segmentation-system": "/segmentation/systems/QUE/?framework=sof-2021-22",
    "nof-league": "/segmentation/league/?framework=nof-2025-26",
    "support-case": "{case}",
    "governance-bodies": "/governance/",
    "governance-body": "/governance/SOAG/?year=2021/22",
    "governance-meeting": "{meeting}",
    "governance-interests": "/governance/interests/",
    "risk-register": "/risks/?system=QUE",
    "risk": "/risks/QUE-R001/",
    "risk-heat-map": "/risks/heat-map/?system=QUE",
    "risk-baf": "/risks/assurance-framework/?system=QUE",
    "development-plan": "{plan}",
    "development-timeline": "{plan}timeline/",
    "delegation-scheme": "/governance/delegation/?q=business+case",
    "business-cases": "/governance/business-cases/",
    "reports": "/reports/",
    "report-version": "{report_version}",
    "meeting-pack": "/reports/meetings/{meeting_id}/pack/",
    "segmentation-summary": "/reports/segmentation/?quarter=Q2+2025/26&scope=system:QUE",
}


def main(base: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(base_url=base, viewport={"width": 1280, "height": 900})
        page.goto("/sign-in/")
        page.fill("#id_username", "demo")
        page.fill("#id_password", "oversight-demo")
        page.click("button:has-text('Sign in')")
        page.wait_for_url(lambda url: "/sign-in/" not in url)
        page.goto("/systems/QUE/")
        place = page.locator("a[href^='/systems/QUE/places/']").first.get_attribute("href")
        page.goto("/organisations/RGT/")
        metric = page.locator("a[href^='/organisations/RGT/metrics/']").first.get_attribute(
            "href")
        page.goto("/support/?kind=rsp")
        case = page.locator("a[href^='/support/cases/']:not([href$='/new/'])").first.get_attribute(
            "href")
        page.goto("/governance/SOAG/?year=2021/22")
        # the demo's November 2021 meeting: a Part B item, a conflicted member excluded
        meeting = page.locator("a[href^='/governance/meetings/']").nth(3).get_attribute("href")
        page.goto("/development/")
        plan = page.locator("a[href^='/development/']:not([href='/development/'])").first
        plan = plan.get_attribute("href")
        page.goto("/reports/")
        report_version = page.locator("a[href*='/versions/']").first.get_attribute("href")
        values = {"place": place.rstrip("/").rsplit("/", 1)[1],
                  "metric": metric.rstrip("/").rsplit("/", 1)[1], "case": case,
                  "meeting": meeting, "meeting_id": meeting.rstrip("/").rsplit("/", 1)[1],
                  "plan": plan, "report_version": report_version}
        for name, path in PAGES.items():
            page.goto(path.format(**values))
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=True,
                            clip={"x": 0, "y": 0, "width": 1280, "height": 1700})
            print(f"{name}: {page.url}")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
