"""Record a segment decision in headless Chromium: the regional oversight user opens an
organisation from the segmentation overview, reads the proposal and its reasons, is refused a
departure from the proposal without a rationale, gives one, and sees the decision in the
history. axe checks every state.

The proposal comes from the segmentation tests' national fixture, where R0 ("Trust 0") is
the worst of 8 trusts on every metric and misses its financial plan in March 2022: proposed
segment 4 for Q4 2021/22 on sustained very poor performance and the financial plan (the
figures tests/segmentation/test_segmentation.py derives by hand)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from oversight.metrics.models import Metric
from oversight.segmentation.models import Decision
from oversight.segmentation.proposals import recompute_proposals
from tests.browser.conftest import PASSWORD, Q4, check_accessibility, sign_in

RATIONALE = "Recovery plan agreed with the region; finance improving"


@pytest.fixture
def proposals(transactional_db: Any, regional_user: Any) -> Any:
    regional_user.set_password(PASSWORD)
    regional_user.save()
    recompute_proposals("sof-2021-22")
    return regional_user


def test_record_a_segment_decision(page, proposals):
    sign_in(page, "regional")
    page.get_by_role("link", name="Segmentation", exact=True).first.click()
    page.wait_for_url("**/segmentation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Segmentation")
    check_accessibility(page, "segmentation overview")

    page.get_by_role("link", name="Trust 0", exact=True).click()
    page.wait_for_url("**/segmentation/organisations/R0/**")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Trust 0")
    expect(page.get_by_role("heading", name=Q4, exact=True)).to_be_visible()
    proposed = page.locator("dt:has-text('Proposed') + dd")
    expect(proposed).to_contain_text("Segment 4")
    reasons = page.get_by_role("table", name="Reasons for the proposed segment")
    expect(reasons).to_contain_text("Sustained very poor performance")
    expect(reasons).to_contain_text("Negative variance against the agreed financial plan")
    finvar = Metric.objects.filter(code="FINVAR").first().name  # the catalogue's name
    expect(reasons.get_by_role("link", name=finvar).first).to_have_attribute(
        "href", "/organisations/R0/metrics/FINVAR/"
    )
    expect(page.get_by_label("Segment", exact=True)).to_have_value("4")  # the proposal
    check_accessibility(page, "organisation segmentation with the decision form")

    # segment 3 departs from the proposal: refused without a rationale, nothing written
    page.get_by_label("Segment", exact=True).select_option("3")
    page.get_by_role("button", name="Record decision").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Give a rationale")
    expect(summary.get_by_role("link").first).to_have_attribute("href", "#id_rationale")
    assert Decision.objects.count() == 0
    check_accessibility(page, "decision form refused without a rationale")

    page.get_by_label("Segment", exact=True).select_option("3")
    page.get_by_label("Rationale").fill(RATIONALE)
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_url("**/segmentation/organisations/R0/?framework=sof-2021-22**")
    expect(page.locator(".nhsuk-error-summary")).to_have_count(0)
    expect(page.locator("dt:has-text('Decided') + dd")).to_contain_text("Segment 3 (decided)")
    history = page.locator("h2:has-text('History') + ol")
    entry = history.get_by_role("listitem").filter(has_text=RATIONALE)
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Segment 3 (decided)")
    expect(entry).to_contain_text("by regional")
    expect(entry).to_contain_text("(proposal was 4)")
    check_accessibility(page, "organisation segmentation after the decision")

    decision = Decision.objects.get()
    assert (decision.segment, decision.proposed_segment, decision.quarter) == (3, 4, Q4)
    assert decision.decided_by == proposals and decision.rationale == RATIONALE


def test_decision_refused_then_recorded_is_seen_without_scrolling(page, proposals):
    """The decision form sits under the proposal's headline reasons, not under the whole
    evidence; a refusal puts the error summary at the top of the page, in view and focused;
    the current segment is shown once, at the top."""
    sign_in(page, "regional")
    page.goto(f"/segmentation/organisations/R0/?framework=sof-2021-22&quarter={Q4}")
    panel = page.locator(".oversight-current-segment")
    expect(panel).to_contain_text("Segment 4 proposed")
    expect(panel).to_contain_text("no decision has been recorded yet")
    form_top = page.get_by_role("button", name="Record decision").bounding_box()["y"]
    evidence = page.locator("details.nhsuk-details")
    if evidence.count():
        # the full evidence comes after the form, collapsed
        assert evidence.bounding_box()["y"] > form_top
    page.get_by_label("Segment", exact=True).select_option("3")
    page.get_by_role("button", name="Record decision").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("Give a rationale")
    assert Decision.objects.count() == 0
    check_accessibility(page, "refused decision with the error summary at the top")

    page.get_by_label("Rationale").fill(RATIONALE)
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_url("**/segmentation/organisations/R0/?framework=sof-2021-22**")
    expect(panel).to_contain_text("Segment 3 (decided)")
    expect(panel).to_contain_text(f"Decided for {Q4}")
    assert Decision.objects.get().segment == 3
