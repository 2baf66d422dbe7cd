"""The business-case route (seed 003 §9.1.1): every route's order of steps, each a decision of
the right body at a quorate meeting; the affected organisations' sign-off before the Investment
Committee; the committee's scores and outcome (a refusal ends the case)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from oversight.delegation.business_cases import (
    decide_step,
    evaluate_case,
    missing_sign_offs,
    next_step,
    propose,
    sign_off,
    still_to_decide,
)
from oversight.delegation.models import CaseStatus, CriterionScore
from oversight.governance.meetings import record_attendance
from tests.factories import (
    AgendaItemFactory,
    BodyFactory,
    ConflictRulingFactory,
    MeetingFactory,
    MembershipFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db

SCORES = {"priorities": 4, "quality": 3, "return": 2, "deliverability": 4}


@pytest.fixture
def meetings():
    out = {}
    for short in ["CAG", "HCE", "DEG", "FPPG", "IC"]:
        body = BodyFactory(short_name=short, name=f"The {short}")
        member = MembershipFactory(body=body)
        meeting = MeetingFactory(body=body, date=dt.date(2018, 2, 1))
        record_attendance(meeting, member.person)
        out[short] = meeting
    return out


@pytest.fixture
def orgs():
    return [OrganisationFactory(), OrganisationFactory()]


def _case(route, meetings, orgs, amount=Decimal("250000")):
    return propose(
        "Frailty hub",
        route,
        amount_asked=amount if route != "none" else Decimal(0),
        delivery_group=meetings["DEG"].body,
        organisations=orgs,
    )


def _outline(case, meetings):
    for step, bodies in [
        ("clinical_vision", ["CAG"]),
        ("vision", ["HCE"]),
        ("gateway", ["DEG"]),
        ("proposals", ["CAG", "FPPG"]),
        ("full_case", ["DEG"]),
    ]:
        for b in bodies:
            assert next_step(case) == step
            decide_step(case, step, meetings[b], reason=f"{step} agreed")
    assert case.status == CaseStatus.FULL_CASE


def _sign_all(case, orgs):
    for o in orgs:
        sign_off(case, o, authority="Board", signed_on=dt.date(2018, 3, 1))


@pytest.mark.parametrize("route", ["sif", "local"])
def test_investment_routes_go_through_the_committee(route, meetings, orgs):
    case = _case(route, meetings, orgs)
    _outline(case, meetings)
    assert next_step(case) == "evaluation"
    _sign_all(case, orgs)
    evaluate_case(case, meetings["IC"], scores=SCORES, outcome="full", reason="Strong fit")
    assert case.status == CaseStatus.EVALUATION and case.amount_awarded == Decimal("250000")
    assert CriterionScore.objects.filter(case=case).count() == 4
    decide_step(case, "approval", meetings["HCE"], reason="Approved")
    assert case.status == CaseStatus.APPROVAL
    assert [d.step for d in case.decisions.all()] == [
        "clinical_vision", "vision", "gateway", "proposals", "proposals", "full_case",
        "evaluation", "approval",
    ]  # fmt: skip


def test_no_investment_skips_the_committee(meetings, orgs):
    case = _case("none", meetings, orgs)
    _outline(case, meetings)
    assert next_step(case) == "approval"
    with pytest.raises(ValidationError, match="waits for: Approve full business case"):
        evaluate_case(case, meetings["IC"], scores=SCORES, outcome="full", reason="x")
    decide_step(case, "approval", meetings["HCE"], reason="In line with the STP")
    assert case.status == CaseStatus.APPROVAL


def test_sign_off_is_enforced_before_the_committee(meetings, orgs):
    case = _case("sif", meetings, orgs)
    _outline(case, meetings)
    sign_off(case, orgs[0], authority="CCG CEC", signed_on=dt.date(2018, 3, 1))
    with pytest.raises(ValidationError, match=f"waiting for {orgs[1].name}"):
        evaluate_case(case, meetings["IC"], scores=SCORES, outcome="full", reason="x")
    case.refresh_from_db()
    assert case.status == CaseStatus.FULL_CASE and not case.scores.exists()


def test_refused_at_the_committee(meetings, orgs):
    case = _case("sif", meetings, orgs)
    _outline(case, meetings)
    _sign_all(case, orgs)
    evaluate_case(case, meetings["IC"], scores=SCORES, outcome="not", reason="Low return")
    assert case.status == CaseStatus.REFUSED and next_step(case) is None
    with pytest.raises(ValidationError):
        decide_step(case, "approval", meetings["HCE"], reason="x")


def test_a_step_cannot_be_skipped_or_taken_by_the_wrong_body(meetings, orgs):
    case = _case("sif", meetings, orgs)
    with pytest.raises(ValidationError, match="waits for: Set clinical vision"):
        decide_step(case, "vision", meetings["HCE"], reason="x")
    with pytest.raises(ValidationError, match="decided by CAG, not The HCE"):
        decide_step(case, "clinical_vision", meetings["HCE"], reason="x")
    decide_step(case, "clinical_vision", meetings["CAG"], reason="Vision set")
    decide_step(case, "vision", meetings["HCE"], reason="ok")
    decide_step(case, "gateway", meetings["DEG"], reason="ok")
    decide_step(case, "proposals", meetings["CAG"], reason="CAG agrees")
    assert case.status == CaseStatus.GATEWAY  # joint: waits for the FPPG too


def test_an_inquorate_meeting_decides_no_step(meetings, orgs):
    case = _case("sif", meetings, orgs)
    cag = meetings["CAG"].body
    MembershipFactory(body=cag)
    MembershipFactory(body=cag)  # 1 of 3 present: no majority
    with pytest.raises(ValidationError, match="The CAG on 1 February 2018"):
        decide_step(case, "clinical_vision", meetings["CAG"], reason="x")


def test_scores_and_outcome_are_checked(meetings, orgs):
    case = _case("sif", meetings, orgs)
    _outline(case, meetings)
    _sign_all(case, orgs)
    with pytest.raises(ValidationError, match="Score every criterion"):
        evaluate_case(case, meetings["IC"], scores={"quality": 3}, outcome="full", reason="x")
    with pytest.raises(ValidationError, match="score 0 to 5"):
        evaluate_case(
            case, meetings["IC"], scores=SCORES | {"return": 9}, outcome="full", reason="x"
        )
    with pytest.raises(ValidationError, match="less than asked"):
        evaluate_case(case, meetings["IC"], scores=SCORES, outcome="part", reason="x")
    evaluate_case(
        case, meetings["IC"], scores=SCORES, outcome="part", amount_awarded=Decimal("100000"),
        reason="Half the pilot",
    )  # fmt: skip
    assert case.amount_awarded == Decimal("100000")


def test_pipeline_page_by_stage_with_the_fund_remaining(client, meetings, orgs):
    from tests.factories import RoleFactory

    client.force_login(RoleFactory().user)
    done = _case("sif", meetings, orgs, amount=Decimal("400000"))
    _outline(done, meetings)
    _sign_all(done, orgs)
    evaluate_case(
        done, meetings["IC"], scores=SCORES, outcome="part", amount_awarded=Decimal("150000"),
        reason="Pilot first",
    )  # fmt: skip
    waiting = _case("sif", meetings, orgs, amount=Decimal("90000"))
    _outline(waiting, meetings)
    html = client.get("/governance/business-cases/").content.decode()
    # 5,000,000 (the demo fund) - 150,000 awarded = 4,850,000; 90,000 waits for the committee.
    assert "£4,850,000" in html and "£90,000" in html
    page = client.get(f"/governance/business-cases/{done.pk}/").content.decode()
    assert "Fund in part: £150,000" in page and "Pilot first" in page and "4 of 5" in page
    assert client.get("/governance/business-cases/999999/").status_code == 404


def _approved(route, meetings, orgs):
    case = _case(route, meetings, orgs)
    _outline(case, meetings)
    if route != "none":
        _sign_all(case, orgs)
        evaluate_case(case, meetings["IC"], scores=SCORES, outcome="full", reason="Strong fit")
    decide_step(case, "approval", meetings["HCE"], reason="Approved")
    return case


@pytest.mark.parametrize("route", ["sif", "local", "none"])
def test_final_sign_off_by_every_organisation_completes_the_route(route, meetings, orgs):
    """Seed 003 §9.1.1: after the HCE's approval, "appropriate formal sign off from relevant
    local organisation(s)" on every route."""
    case = _approved(route, meetings, orgs)
    assert next_step(case) == "final_sign_off"
    assert missing_sign_offs(case, final=True) == [o.name for o in orgs]
    with pytest.raises(ValidationError, match="each organisation's formal sign-off"):
        decide_step(case, "final_sign_off", meetings["HCE"], reason="x")
    first = sign_off(case, orgs[0], authority="Board", signed_on=dt.date.today())
    assert first.final and case.status == CaseStatus.APPROVAL
    with pytest.raises(ValidationError, match="already given its final sign-off"):
        sign_off(case, orgs[0], authority="Board", signed_on=dt.date.today())
    sign_off(case, orgs[1], authority="Delegated authority", signed_on=dt.date.today())
    case.refresh_from_db()
    assert case.status == CaseStatus.SIGNED_OFF and next_step(case) is None
    assert case.history.first().history_change_reason == "Final formal sign-off complete"


def test_final_sign_off_only_after_approval_and_not_before_it(meetings, orgs):
    case = _case("sif", meetings, orgs)
    _outline(case, meetings)
    _sign_all(case, orgs)
    evaluate_case(case, meetings["IC"], scores=SCORES, outcome="full", reason="Strong fit")
    with pytest.raises(ValidationError, match="sign-off before the Investment Committee is past"):
        sign_off(case, orgs[0], authority="Board", signed_on=dt.date(2018, 3, 2))
    decide_step(case, "approval", meetings["HCE"], reason="Approved")
    with pytest.raises(ValidationError, match="comes after the HCE's approval"):
        sign_off(case, orgs[0], authority="Board", signed_on=dt.date(2000, 1, 1))
    assert not case.sign_offs.filter(final=True).exists()


def test_a_proposal_names_its_organisations(meetings):
    with pytest.raises(ValidationError, match="Name the organisations"):
        propose("Frailty hub", "sif", amount_asked=Decimal(1), delivery_group=None)
    with pytest.raises(ValidationError, match="cannot be negative"):
        propose("x", "sif", amount_asked=Decimal(-1), delivery_group=None,
                organisations=[OrganisationFactory()])  # fmt: skip


def test_a_body_decides_a_joint_step_once(meetings, orgs):
    case = _case("sif", meetings, orgs)
    for step, short in [("clinical_vision", "CAG"), ("vision", "HCE"), ("gateway", "DEG")]:
        decide_step(case, step, meetings[short], reason="ok")
    decide_step(case, "proposals", meetings["CAG"], reason="CAG agrees")
    assert still_to_decide(case, "proposals") == ["FPPG"]
    with pytest.raises(ValidationError, match="The CAG has already decided"):
        decide_step(case, "proposals", meetings["CAG"], reason="again")


def test_a_step_under_an_item_counts_quoracy_without_the_excluded(meetings, orgs):
    """A member excluded for a conflict of interest leaves the item: with them gone the CAG
    (one member) is inquorate for it, and no step is decided."""
    case = _case("sif", meetings, orgs)
    cag = meetings["CAG"]
    member = cag.attendances.get().person
    item = AgendaItemFactory(meeting=cag)
    ConflictRulingFactory(item=item, person=member, ruling="excluded")
    with pytest.raises(ValidationError, match="The CAG on 1 February 2018"):
        decide_step(case, "clinical_vision", cag, item=item, reason="x")
    other = AgendaItemFactory(meeting=meetings["HCE"])
    with pytest.raises(ValidationError, match="not on the agenda of that meeting"):
        decide_step(case, "clinical_vision", cag, item=other, reason="x")
    assert not case.decisions.exists()
