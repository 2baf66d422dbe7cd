"""Each committee's risk review at its meetings: an agenda item listing its risks due for review
and those escalated to it; the meeting's decisions move the risks along the reporting line and
the minutes record what it decided for each (seed 003)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from oversight.governance.models import MinuteEntry
from oversight.risks.editing import raise_risk
from oversight.risks.lifecycle import escalate
from oversight.risks.models import CommitteeReview, RiskEvent
from oversight.risks.reviews import Decision, add_risk_review, decide_risk_review
from tests.factories import AttendanceFactory, BodyFactory, MeetingFactory, MembershipFactory


@pytest.fixture
def bodies(world):
    spb = BodyFactory(short_name="SPB", name="System Partnership Board", kind="board",
                      system=world.system)
    hce = BodyFactory(short_name="HCE", name="Health and Care Executive", kind="executive",
                      system=world.system, reports_to=spb)
    fppg = BodyFactory(short_name="FPPG", name="Financial Performance and Planning Group",
                       kind="finance_group", system=world.system, reports_to=hce)
    return {"SPB": spb, "HCE": hce, "FPPG": fppg}


def _meeting(body, day, present=True):
    meeting = MeetingFactory(body=body, date=day)
    member = MembershipFactory(body=body)
    if present:
        AttendanceFactory(meeting=meeting, person=member.person)
    return meeting


def _risk(world, bodies, title, score, reviewed):
    return raise_risk(user=world.icb, system=world.system, title=title, theme="finance",
                      consequence_domain="finance", owner=world.icb,
                      lead_committee=bodies["FPPG"], current_likelihood=score[0],
                      current_consequence=score[1], assessed_on=reviewed)


def test_escalation_follows_the_reporting_line(world, bodies):
    risk = _risk(world, bodies, "Deficit", (4, 4), dt.date(2025, 6, 2))
    assert risk.level == "board" and risk.held_by == bodies["SPB"]  # FPPG -> HCE -> SPB
    escalate(risk, "executive", world.icb, "The board hands it to the executive")
    assert risk.held_by == bodies["HCE"]
    escalate(risk, "group", world.icb, "Back to the finance group")
    assert risk.held_by is None


def test_review_lists_due_and_escalated_risks(world, bodies):
    due = _risk(world, bodies, "Agency spend", (3, 3), dt.date(2025, 3, 3))  # due 3 June
    later = _risk(world, bodies, "Capital", (2, 3), dt.date(2025, 6, 2))  # due 2 September
    up = _risk(world, bodies, "Estates", (2, 3), dt.date(2025, 6, 2))
    escalate(up, "executive", world.icb, "FPPG asked HCE to resolve it")
    item = add_risk_review(_meeting(bodies["FPPG"], dt.date(2025, 6, 26)))
    assert item.title == "Risk register review"
    assert {(r.risk.title, r.listed) for r in item.risk_reviews.all()} == {("Agency spend", "due")}
    hce_item = add_risk_review(_meeting(bodies["HCE"], dt.date(2025, 6, 30)))
    assert [(r.risk, r.listed) for r in hce_item.risk_reviews.all()] == [(up, "escalated")]
    assert later not in [r.risk for r in item.risk_reviews.all()]
    assert due.pk != later.pk


def test_decisions_change_the_risks_and_are_minuted(world, bodies):
    agency = _risk(world, bodies, "Agency spend", (3, 3), dt.date(2025, 3, 3))
    capital = _risk(world, bodies, "Capital", (2, 2), dt.date(2025, 3, 3))
    meeting = _meeting(bodies["FPPG"], dt.date(2025, 6, 26))
    item = add_risk_review(meeting)
    entry = decide_risk_review(item, [
        Decision(agency, "escalate", "Cannot be resolved within the group", 4, 3, "executive"),
        Decision(capital, "close", "Capital plan approved"),
    ], user=world.icb)
    agency.refresh_from_db()
    capital.refresh_from_db()
    assert agency.current_score == 12 and agency.held_by == bodies["HCE"]
    assert agency.last_reviewed_on == dt.date(2025, 6, 26)
    assert capital.status == "closed"
    event = RiskEvent.objects.get(risk=agency, event="escalate")
    assert event.item == item and "FPPG meeting of 26 June 2025" in event.reason
    assert isinstance(entry, MinuteEntry) and entry.item == item
    assert f"{agency.reference} Agency spend: escalated; current score 12; held at Executive " \
           "(HCE)." in entry.decision
    assert f"{capital.reference} Capital: closed" in entry.decision
    reviews = {r.risk_id: r for r in CommitteeReview.objects.all()}
    assert reviews[agency.pk].score_before == 9 and reviews[agency.pk].score_after == 12
    assert reviews[agency.pk].level_after == "executive"


def test_every_listed_risk_needs_a_decision(world, bodies):
    a = _risk(world, bodies, "A", (3, 3), dt.date(2025, 3, 3))
    _risk(world, bodies, "B", (3, 3), dt.date(2025, 3, 3))
    item = add_risk_review(_meeting(bodies["FPPG"], dt.date(2025, 6, 26)))
    with pytest.raises(ValidationError, match="every listed risk"):
        decide_risk_review(item, [Decision(a, "noted", "No change")])


def test_an_inquorate_meeting_changes_nothing(world, bodies):
    risk = _risk(world, bodies, "Agency spend", (3, 3), dt.date(2025, 3, 3))
    item = add_risk_review(_meeting(bodies["FPPG"], dt.date(2025, 6, 26), present=False))
    with pytest.raises(ValidationError, match="No decision can be recorded"):
        decide_risk_review(item, [Decision(risk, "rescored", "Worse", 4, 4)], user=world.icb)
    risk.refresh_from_db()
    assert risk.current_score == 9 and risk.last_reviewed_on is None
    assert not RiskEvent.objects.filter(risk=risk, event="review").exists()


def test_nothing_to_review_is_refused(world, bodies):
    with pytest.raises(ValidationError, match="No risk of FPPG"):
        add_risk_review(_meeting(bodies["FPPG"], dt.date(2025, 6, 26)))


def test_the_secretariat_records_the_review_on_its_page(client, world, bodies):
    from django.contrib.auth import get_user_model

    from oversight.governance.models import Position

    risk = _risk(world, bodies, "Agency spend", (3, 3), dt.date(2025, 3, 3))
    meeting = _meeting(bodies["FPPG"], dt.date(2025, 6, 26))
    secretary = get_user_model().objects.create(username="fppg-secretary")
    MembershipFactory(body=bodies["FPPG"], person__user=secretary,
                      position=Position.SECRETARIAT)
    client.force_login(world.cuh_user)
    assert client.post(f"/risks/reviews/meetings/{meeting.pk}/").status_code == 403
    client.force_login(secretary)
    response = client.post(f"/risks/reviews/meetings/{meeting.pk}/")
    item = meeting.items.get(title="Risk register review")
    assert response.status_code == 302 and response.url == f"/risks/reviews/{item.pk}/"
    page = client.get(response.url).content.decode()
    assert risk.reference in page and "Record the decisions" in page
    prefix = f"r{risk.pk}"
    bad = client.post(response.url, {f"{prefix}-decision": "rescored"})
    assert bad.status_code == 400  # no reason: nothing recorded
    risk.refresh_from_db()
    assert risk.current_score == 9
    done = client.post(response.url, {
        f"{prefix}-decision": "rescored", f"{prefix}-likelihood": "4",
        f"{prefix}-consequence": "3", f"{prefix}-level": "group",
        f"{prefix}-note": "Agency use rose in May",
    })
    assert done.status_code == 302
    risk.refresh_from_db()
    assert risk.current_score == 12
    page = client.get(response.url).content.decode()
    assert "Agency use rose in May" in page and "The minute" in page


def test_the_register_links_its_committee_reviews(client, world, bodies):
    _risk(world, bodies, "Agency spend", (3, 3), dt.date(2025, 3, 3))
    item = add_risk_review(_meeting(bodies["FPPG"], dt.date(2025, 6, 26)))
    client.force_login(world.icb)
    page = client.get("/risks/?system=QUE").content.decode()
    assert f'href="/risks/reviews/{item.pk}/"' in page
    assert "Financial Performance and Planning Group, 26 June 2025" in page
