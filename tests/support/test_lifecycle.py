"""The support life cycle end to end: a trust enters segment 4, the RSP case opens, the SID is
appointed, the stocktake recorded, criteria met one by one, exit refused while one is unmet,
then exit with CQC's recommendation moves the trust to the transitional segment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from oversight.segmentation.decisions import record_decision
from oversight.support import cases
from oversight.support.lifecycle import fire
from oversight.support.models import (
    CaseKind,
    CaseStatus,
    Notification,
    SupportCase,
    Transition,
)
from oversight.support.offers import support_offers
from tests.factories import ExitCriterionFactory, MetricFactory, ThemeFactory
from tests.support.conftest import decide


def appoint(case) -> None:
    cases.appoint_sid(
        case,
        None,
        sid_name="Dr A Director",
        system_agreed_by="ICB chief executive",
        system_agreed_on=dt.date(2021, 10, 4),
        region_agreed_by="Regional director",
        region_agreed_on=dt.date(2021, 10, 5),
        national_agreed_by="Director of Intensive Support",
        national_agreed_on=dt.date(2021, 10, 6),
    )


def test_segment_4_decision_opens_rsp_case_and_tells_owners(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decision = decide(world, 4)
    case = SupportCase.objects.get()
    assert (case.kind, case.segment, case.decision, case.organisation) == (
        CaseKind.RSP,
        4,
        decision,
        world.trust,
    )
    assert case.status == CaseStatus.OPEN
    assert case.rsp.sid_appointed is False
    # package items and requirements come from sof-2021-22/support.yaml
    seg4 = support_offers("sof-2021-22").for_segment(4)
    assert [p.code for p in case.package.all()] == [o.code for o in seg4.offers]
    assert case.advisory_senior_appointments is True
    assert "capital approval" in case.financial_controls
    # owners: the region's team and the system's ICB team, in the app and by email
    told = set(Notification.objects.filter(case=case).values_list("recipient__username", flat=True))
    assert told == {"regional", "icb"}
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["icb@example.nhs.uk", "regional@example.nhs.uk"]
    assert f"/support/cases/{case.pk}/" in mail.outbox[0].body
    opened = Transition.objects.get(case=case)
    assert (opened.event, opened.by, opened.target) == ("open", world.regional, "open")


def test_repeated_decision_does_not_duplicate_the_open_case(world):
    decide(world, 4)
    decide(world, 4, rationale="Confirmed after system leaders' views")  # supersedes
    decide(world, 4, quarter="Q3 2021/22")
    assert SupportCase.objects.count() == 1


def test_segment_3_opens_mandated_and_segment_2_ends_it(world):
    decide(world, 3)
    case = SupportCase.objects.get()
    assert case.kind == CaseKind.MANDATED
    decide(world, 2, quarter="Q3 2021/22")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.transitions.last().event == "close"


def test_mandated_case_escalates_to_rsp(world):
    decide(world, 3)
    mandated = SupportCase.objects.get()
    decide(world, 4, quarter="Q3 2021/22")
    mandated.refresh_from_db()
    rsp = SupportCase.objects.get(kind=CaseKind.RSP)
    assert mandated.status == CaseStatus.CLOSED
    assert mandated.transitions.last().event == "supersede"
    assert rsp.follows == mandated


def test_segment_1_and_2_open_nothing(world):
    decide(world, 2)
    decide(world, 1, quarter="Q3 2021/22")
    assert not SupportCase.objects.exists()


def test_system_decision_opens_a_system_case(world):
    decide(world, 4, subject=world.system)
    case = SupportCase.objects.get()
    assert case.system == world.system and case.organisation is None


def test_rsp_cannot_be_closed_by_hand(world):
    decide(world, 4)
    case = SupportCase.objects.get()
    with pytest.raises(ValidationError, match="ends only by exit"):
        fire(case, "close", world.regional, "Trying to end it early")
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_transition_needs_a_reason(world):
    decide(world, 3)
    with pytest.raises(ValidationError, match="Say why"):
        fire(SupportCase.objects.get(), "start", world.regional, "  ")


def test_full_rsp_life_cycle_to_exit_with_cqc_recommendation(world):
    decide(world, 4)
    case = SupportCase.objects.get()
    cases.record_cqc_entry(
        case, world.regional, recommended_on=dt.date(2021, 6, 21), reference="CQC letter"
    )
    entry = case.transitions.get(event="cqc_entry")
    assert (entry.by, entry.source, entry.target) == (world.regional, "open", "open")
    assert "CQC letter" in entry.reason
    with pytest.raises(ValidationError, match="already recorded"):
        cases.record_cqc_entry(
            case, world.regional, recommended_on=dt.date(2021, 6, 22), reference="Again"
        )

    # SID appointed jointly: the case starts
    with pytest.raises(ValidationError, match="appointed jointly"):
        cases.appoint_sid(
            case,
            world.regional,
            sid_name="Dr A Director",
            system_agreed_by="",
            system_agreed_on=None,
            region_agreed_by="",
            region_agreed_on=None,
            national_agreed_by="",
            national_agreed_on=None,
        )
    appoint(case)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
    assert case.rsp.sid_appointed_on == dt.date(2021, 10, 6)

    cases.record_stocktake(
        case,
        world.regional,
        root_causes="Underlying deficit; agency staffing; estate",
        partners_involved="ICB, region, national intensive support team",
        stocktake_on=dt.date(2021, 11, 1),
    )
    theme = ThemeFactory(framework=world.framework)
    metric = MetricFactory(
        theme=theme,
        code="FIN1",
        name="Run-rate deficit",
        unit="£m",
        polarity="lower",
        valid_min=None,
        valid_max=None,
    )
    criteria = [
        ExitCriterionFactory(
            rsp=case.rsp,
            description="Deficit at most £5m",
            metric=metric,
            threshold=5,
            direction="at_most",
        ),
        ExitCriterionFactory(
            rsp=case.rsp, description="CQC Good overall", cqc_rating="good"
        ),
        ExitCriterionFactory(rsp=case.rsp, description="Leadership capability review"),
    ]
    for i, criterion in enumerate(criteria):
        blockers = cases.exit_blockers(case)
        assert f"Exit criterion not met: {criterion.description}" in blockers
        with pytest.raises(ValidationError):
            cases.exit_rsp(case, world.regional, reason="Too early", quarter="Q4 2022/23")
        for met in (True, False):
            with pytest.raises(ValidationError, match="evidence"):
                cases.judge_criterion(criterion, world.regional, met=met, evidence=" ")
        cases.judge_criterion(criterion, world.regional, met=True, evidence=f"Board paper {i + 1}")
    criteria[2].refresh_from_db()
    assert criteria[2].judged_by == world.regional and criteria[2].judged_at is not None
    judged = case.transitions.filter(event="criterion_judged").order_by("at", "pk")
    assert [t.reason for t in judged] == [
        f"Exit criterion '{c.description}' judged met: Board paper {i + 1}"
        for i, c in enumerate(criteria)
    ]
    assert {t.by for t in judged} == {world.regional}

    # every criterion met, but entry followed CQC's recommendation: CQC's is still needed
    assert cases.exit_blockers(case) == [
        "Entry followed a CQC recommendation: CQC's recommendation to exit is needed."
    ]
    with pytest.raises(ValidationError, match="CQC"):
        cases.exit_rsp(case, world.regional, reason="Criteria met", quarter="Q4 2022/23")
    cases.record_cqc_exit_recommendation(
        case, world.regional, recommended_on=dt.date(2023, 2, 1), reference="CQC letter 2023-02-01"
    )
    decision = cases.exit_rsp(
        case, world.regional, reason="All criteria met; CQC recommends", quarter="Q4 2022/23"
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    assert decision.segment == 3 and decision.organisation == world.trust
    assert decision.decided_by == world.regional
    assert case.rsp.exit_decision == decision
    assert case.transitions.last().event == "exit"
    # the transitional segment brings mandated support, following the RSP case
    follow_on = SupportCase.objects.exclude(pk=case.pk).get()
    assert (follow_on.kind, follow_on.segment, follow_on.follows) == (CaseKind.MANDATED, 3, case)


def test_exit_needs_the_regional_decide_permission(world):
    decide(world, 4)
    case = SupportCase.objects.get()
    appoint(case)
    cases.record_stocktake(
        case,
        world.regional,
        root_causes="x",
        partners_involved="y",
        stocktake_on=dt.date(2021, 11, 1),
    )
    c = ExitCriterionFactory(rsp=case.rsp, description="Plan delivered")
    cases.judge_criterion(c, world.regional, met=True, evidence="Audit")
    with pytest.raises(PermissionDenied):
        cases.exit_rsp(case, world.icb, reason="ICB tries", quarter="Q4 2022/23")
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE  # atomic: nothing changed


def test_a_long_judgement_is_kept_whole_in_the_case_history(world):
    # The demo's criterion: the note (146 characters) is longer than the version history's
    # change reason column (100), which PostgreSQL enforces.
    decide(world, 4)
    case = SupportCase.objects.get()
    appoint(case)
    c = ExitCriterionFactory(
        rsp=case.rsp,
        description="System financial recovery plan agreed by every partner and the ICB board",
    )
    cases.judge_criterion(
        c, world.regional, met=True, evidence="Plan approved at the ICB board, 16 July 2025"
    )
    judged = case.transitions.get(event="criterion_judged")
    assert judged.reason == (
        "Exit criterion 'System financial recovery plan agreed by every partner and the ICB "
        "board' judged met: Plan approved at the ICB board, 16 July 2025"
    )
    assert c.history.latest().history_change_reason == (
        "Exit criterion 'System financial recovery plan agreed by every partner and the ICB "
        "board' judged me…"
    )


def test_nof_2025_26_segment_5_is_the_rsp(world):
    from tests.factories import FrameworkFactory

    nof = FrameworkFactory(
        code="nof-2025-26",
        name="NHS Oversight Framework 2025/26",
        year_start=dt.date(2025, 4, 1),
        method="scored",
    )
    record_decision(
        user=world.regional,
        framework=nof,
        subject=world.trust,
        quarter="Q2 2025/26",
        segment=5,
        rationale="In RSP",
    )
    assert SupportCase.objects.get().kind == CaseKind.RSP
    assert support_offers("nof-2025-26").rsp.exit_segment == 4


def test_a_status_change_reads_in_words() -> None:
    """The case and action history say 'start: open → in progress', not 'start: open →
    in_progress' or 'open: – → open'."""
    from oversight.support.models import Transition

    assert Transition(action_id=1, event="start", source="open",
                      target="in_progress").describe() == "start: open → in progress"
    assert Transition(action_id=1, event="raise", source="",
                      target="open").describe() == "raise: open"
    assert Transition(case_id=1, event="record_stocktake", source="active",
                      target="active").describe() == "record stocktake"
    assert Transition(action_id=1, event="escalate", source="in_progress",
                      target="escalated").describe() == (
        "escalate: in progress → escalated to the board")
