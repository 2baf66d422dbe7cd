"""The risk pages in headless Chromium with axe: the ICB team opens the register, follows a heat
map cell to its risks, records a review while the scoring guide is shown, and reads the BAF and
appetite; every page accessible and no wider than a 1,280 px window."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from oversight.risks.editing import add_assurance, add_control, add_gap, raise_risk, set_appetite
from oversight.risks.models import Risk
from tests.browser.conftest import PASSWORD, check_accessibility, sign_in
from tests.risks.conftest import build_world

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db):
    world = build_world()
    world.icb.set_password(PASSWORD)
    world.icb.save()
    set_appetite(user=world.icb, system=world.system, objective=world.finance, level="cautious",
                 reason="Board", approved_on=dt.date(2024, 4, 25), approved_by="ICB board")
    deficit = raise_risk(user=world.icb, system=world.system, title="System deficit",
                         theme="finance", consequence_domain="finance", objective=world.finance,
                         owner=world.icb, current_likelihood=4, current_consequence=4,
                         target_likelihood=2, target_consequence=4, principal=True,
                         assessed_on=dt.date(2025, 4, 28))
    add_control(deficit, world.icb, "Monthly finance recovery meeting")
    add_assurance(deficit, world.icb, line="independent", source="Internal audit",
                  description="Recovery governance", outcome="negative")
    add_gap(deficit, world.icb, kind="assurance", description="No review of savings")
    raise_risk(user=world.icb, system=world.system, title="CUH elective backlog",
               organisations=[world.cuh], theme="operational", consequence_domain="service",
               owner=world.icb, current_likelihood=3, current_consequence=4,
               assessed_on=dt.date(2025, 4, 28))
    return world


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280, page.url


def test_risk_journey(page, live_world):
    sign_in(page, "icb")
    page.goto("/risks/")
    expect(page.get_by_role("heading", name="System risk register")).to_be_visible()
    check_accessibility(page, "risk register")
    _fits(page)
    page.check("#f-outside")  # HTMX narrows the rows in place
    expect(page.locator("#risk-rows")).not_to_contain_text("CUH elective backlog")
    expect(page.locator("#risk-rows")).to_contain_text("System deficit")

    page.get_by_role("link", name="Heat map").first.click()
    check_accessibility(page, "heat map")
    _fits(page)
    page.get_by_role("link", name="with likelihood 3 and consequence 4").first.click()
    expect(page.locator("#risk-rows")).to_contain_text("CUH elective backlog")
    expect(page.locator("#risk-rows")).not_to_contain_text("System deficit")

    risk = Risk.objects.get(title="CUH elective backlog")
    page.get_by_role("link", name=risk.reference).click()
    check_accessibility(page, "a risk")
    _fits(page)
    page.get_by_role("link", name="Record a review").click()
    expect(page.get_by_text("More than 50 per cent")).to_be_visible()  # the scoring guide
    check_accessibility(page, "review form")
    page.select_option("#id_likelihood", "4")
    page.select_option("#id_consequence", "4")
    page.fill("#id_note", "The waiting list grew again")
    page.click("button:has-text('Save')")
    expect(page.get_by_text("Review recorded: current score 16")).to_be_visible()
    risk.refresh_from_db()
    assert risk.current_score == 16 and risk.level == "board"

    page.goto("/risks/?system=QUE")
    page.get_by_role("link", name="Board assurance framework").first.click()
    expect(page.get_by_text("Monthly finance recovery meeting")).to_be_visible()
    check_accessibility(page, "BAF")
    _fits(page)
    page.get_by_role("link", name="Risk appetite").first.click()
    check_accessibility(page, "appetite")
    _fits(page)
    page.click("button:has-text('Record appetite')")  # empty: errors, still accessible
    expect(page.locator(".nhsuk-error-message").first).to_be_visible()
    check_accessibility(page, "appetite form with errors")


def test_forms_import_and_committee_review_are_accessible(page, live_world, tmp_path):
    from django.contrib.auth import get_user_model

    from oversight.governance.models import Position
    from oversight.risks.reviews import add_risk_review
    from tests.factories import (
        AttendanceFactory,
        BodyFactory,
        MeetingFactory,
        MembershipFactory,
    )

    sign_in(page, "icb")
    page.goto("/risks/new/?system=QUE")
    check_accessibility(page, "new risk form")
    page.click("button:has-text('Save')")
    expect(page.locator(".nhsuk-error-message").first).to_be_visible()
    check_accessibility(page, "new risk form with errors")
    _fits(page)

    page.goto("/risks/import/?system=QUE")
    bad = tmp_path / "partner.csv"
    bad.write_text("title,theme,consequence_domain,current_likelihood,current_consequence\n"
                   "Agency spend,weather,finance,3,3\n")
    page.set_input_files("input[type=file][name=file]", str(bad))
    page.click("button:has-text('Import')")
    expect(page.get_by_role("cell", name="theme", exact=True)).to_be_visible()
    check_accessibility(page, "import with a bad row")

    fppg = BodyFactory(short_name="FPPG", name="Financial Performance and Planning Group",
                       kind="finance_group", system=live_world.system)
    risk = Risk.objects.get(title="System deficit")
    risk.lead_committee = fppg
    risk.save(update_fields=["lead_committee"])
    meeting = MeetingFactory(body=fppg, date=dt.date(2025, 9, 25))
    AttendanceFactory(meeting=meeting, person=MembershipFactory(body=fppg).person)
    secretary = get_user_model().objects.create(username="secretary")
    secretary.set_password(PASSWORD)
    secretary.save()
    MembershipFactory(body=fppg, person__user=secretary, position=Position.SECRETARIAT)
    item = add_risk_review(meeting)
    page.goto("/sign-in/")
    page.context.clear_cookies()
    sign_in(page, "secretary")
    page.goto(f"/risks/reviews/{item.pk}/")
    expect(page.get_by_role("heading", name="Risk register review")).to_be_visible()
    check_accessibility(page, "committee risk review")
    page.click("button:has-text('Record the decisions')")
    expect(page.locator(".nhsuk-error-message").first).to_be_visible()
    check_accessibility(page, "committee risk review with errors")
    _fits(page)
