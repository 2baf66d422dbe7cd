"""Support cases for the demo dataset (called by the demo loader; idempotent).

The decisions follow the demo's proposals (docs/demo.md, "The story"; tests/demo check that
they agree):

- Cambridgeshire and Peterborough (system QUE) heads for segment 4 on finance (seed 000 §1.3:
  "likely ... SOF 4 due to our financial situation"): segment 3 for Q1 2024/25 when it falls
  behind its financial plan (mandated support), segment 4 for Q4 2024/25 when its performance
  slips too. Its Recovery Support Programme case is mid-way: SID appointed, diagnostic
  stocktake done, 2 of 4 exit criteria met, SOAG actions (one overdue, one completed).
- North West Anglia NHS Foundation Trust (RGN, the demo's improving trust): entered the RSP on
  CQC's recommendation in 2021 and exited it in March 2022 (its RSP case is closed) into
  transitional mandated support (segment 3); with CQC's Good rating of June 2024 and its
  recovered performance it moves to segment 2 for Q1 2024/25, which closes that case.

Names of people are illustrative roles, not real appointments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from oversight.metrics.models import Framework, Metric
from oversight.organisations.models import Organisation, System
from oversight.segmentation.decisions import publish_decision, record_decision
from oversight.story import on
from oversight.support import cases
from oversight.support.actions import escalate_overdue, raise_action
from oversight.support.lifecycle import fire
from oversight.support.models import CaseKind, ExitCriterion, Milestone, SupportCase

FRAMEWORK = "sof-2021-22"
SYSTEM = "QUE"
EXITED_TRUST = "RGN"
# The quarters of the story's decisions: where the demo's proposals move.
SYSTEM_SEGMENT_3, SYSTEM_SEGMENT_4 = "Q1 2024/25", "Q4 2024/25"
TRUST_SEGMENT_2 = "Q1 2024/25"
DECIDER = "demo"  # the demo's regional user (oversight.demo.reference.DEMO_USERS)


@dataclass
class SupportDemoSummary:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def describe(self) -> str:
        parts = [
            f"Support demo: created {', '.join(self.created)}."
            if self.created
            else "Support demo already loaded."
        ]
        return " ".join(parts)


def load_support_demo() -> SupportDemoSummary:
    """Create the demo's RSP cases (once). Needs the SOF 2021/22 catalogue, system QUE, trust
    RGN and the regional user ``demo`` from the demo loader."""
    summary = SupportDemoSummary()
    try:
        framework = Framework.objects.get(code=FRAMEWORK)
        system = System.objects.get(code=SYSTEM)
        trust = Organisation.objects.get(ods_code=EXITED_TRUST)
        regional = get_user_model().objects.get(username=DECIDER)
    except (
        Framework.DoesNotExist,
        System.DoesNotExist,
        Organisation.DoesNotExist,
        get_user_model().DoesNotExist,
    ) as exc:
        raise RuntimeError(f"load the demo reference data and catalogue first: {exc}") from exc
    metrics = {m.code: m for m in Metric.objects.filter(framework=framework)}
    with transaction.atomic():
        if SupportCase.objects.filter(system=system, kind=CaseKind.RSP).exists():
            summary.skipped.append(f"{SYSTEM} RSP case")
        else:
            _system_mid_way(framework, system, regional, metrics)
            summary.created.append(f"{SYSTEM} RSP case (mid-way)")
        if SupportCase.objects.filter(organisation=trust, kind=CaseKind.RSP).exists():
            summary.skipped.append(f"{EXITED_TRUST} RSP case")
        else:
            _trust_exited(framework, trust, regional, metrics)
            summary.created.append(f"{EXITED_TRUST} RSP case (exited)")
    return summary


def _users(*names: str) -> list:
    found = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    return [found.get(n) for n in names]


def _system_mid_way(framework: Framework, system: System, regional, metrics) -> None:
    with on(dt.date(2024, 7, 18)):
        _system_segment_3(framework, system, regional)
    with on(dt.date(2025, 4, 17)):
        _system_segment_4(framework, system, regional)
    case = SupportCase.objects.get(system=system, kind=CaseKind.RSP)
    with on(dt.date(2025, 4, 22)):
        case.lead = regional
        case.capital_approval_limit = 15_000_000
        case.save()
    with on(dt.date(2025, 5, 12)):
        _appoint_system_sid(case, regional)
    with on(dt.date(2025, 6, 13)):
        _system_stocktake(case, regional)
    _system_criteria_and_actions(case, system, regional, metrics)


def _system_segment_3(framework: Framework, system: System, regional) -> None:
    record_decision(
        user=regional,
        framework=framework,
        subject=system,
        quarter=SYSTEM_SEGMENT_3,
        segment=3,
        rationale="Year-to-date deficit against the agreed financial plan: mandated support "
        "to recover the financial position.",
        system_leader_views="System leaders accept the position; partners' finance directors "
        "are preparing a recovery plan.",
        effective_from=dt.date(2024, 7, 22),
        publish=True,
    )


def _system_segment_4(framework: Framework, system: System, regional) -> None:
    record_decision(
        user=regional,
        framework=framework,
        subject=system,
        quarter=SYSTEM_SEGMENT_4,
        segment=4,
        rationale="Critical finance concerns: the deficit against plan has deepened every "
        "quarter and performance has slipped into the national bottom quartile; intensive "
        "support through the Recovery Support Programme.",
        system_leader_views="System leaders accept the finance position and welcome the "
        "additional support (SOF 4 exit plan in preparation).",
        effective_from=dt.date(2025, 4, 22),
        publish=True,
    )


def _appoint_system_sid(case: SupportCase, regional) -> None:
    cases.appoint_sid(
        case,
        regional,
        sid_name="Dr Priya Nair (national RSP pool)",
        system_agreed_by="ICB chief executive",
        system_agreed_on=dt.date(2025, 5, 6),
        region_agreed_by="Regional director, East of England",
        region_agreed_on=dt.date(2025, 5, 8),
        national_agreed_by="Director of Intensive Support",
        national_agreed_on=dt.date(2025, 5, 12),
    )


def _system_stocktake(case: SupportCase, regional) -> None:
    cases.record_stocktake(
        case,
        regional,
        stocktake_on=dt.date(2025, 6, 13),
        root_causes="Underlying deficit across the system; reliance on non-recurrent measures; "
        "agency spend above the ceiling; growth in elective backlog costs.",
        partners_involved="ICS partners (CUH, NWAFT, Royal Papworth, CPFT, CCS), the ICB, the "
        "East of England regional team and the national intensive support "
        "team.",
    )
    rsp = case.rsp
    rsp.plan_summary = (
        "SOF 4 exit plan: medium-term financial plan to recurrent balance, "
        "agency reduction, system-wide efficiency programme."
    )
    rsp.indicative_exit, rsp.review_cycle = dt.date(2027, 3, 31), "monthly"
    rsp.next_review = dt.date(2025, 10, 15)
    rsp.save()
    Milestone.objects.bulk_create(
        [
            Milestone(
                rsp=rsp,
                title="Medium-term financial plan agreed by partners",
                due=dt.date(2025, 7, 31),
                achieved_on=dt.date(2025, 7, 16),
                evidence="ICB board minutes, July 2025",
            ),
            Milestone(rsp=rsp, title="2025/26 plan delivered to month 6", due=dt.date(2025, 9, 30)),
            Milestone(rsp=rsp, title="Recurrent balance", due=dt.date(2027, 3, 31)),
        ]
    )


def _system_criteria_and_actions(case: SupportCase, system: System, regional, metrics) -> None:
    rsp = case.rsp

    def criterion(text: str, code: str | None = None, **kw) -> ExitCriterion:
        return ExitCriterion.objects.create(
            rsp=rsp, description=text, metric=metrics.get(code) if code else None, **kw
        )

    with on(dt.date(2025, 6, 13)):
        plan = criterion(
            "System financial recovery plan agreed by every partner and the ICB board"
        )
        _measured_criteria(criterion)
        leadership = criterion(
            "Leadership capability review completed and its actions implemented"
        )
    # The two measurable finance criteria stay open: the demo's finance story is a decline.
    with on(dt.date(2025, 7, 16)):
        cases.judge_criterion(
            plan, regional, met=True, evidence="Plan approved at the ICB board, 16 July 2025"
        )
    with on(dt.date(2025, 9, 30)):
        cases.judge_criterion(
            leadership,
            regional,
            met=True,
            evidence="Leadership capability review report, September 2025; actions complete",
        )
    _system_actions(case, system, regional)


def _measured_criteria(criterion) -> None:
    criterion(
        "Agency spend within the agency ceiling", "AGENCYCAP", threshold=100, direction="at_most"
    )
    criterion(
        "Year-to-date variance against the financial plan at or above plan",
        "FINVAR",
        threshold=0,
        direction="at_least",
    )


#: The first working day after the exit plan's due date (30 June 2025): the daily check
#: (`oversight support escalate-overdue`, run hourly by `oversight serve`) escalates it then.
EXIT_PLAN_ESCALATED = dt.date(2025, 7, 1)


def _system_actions(case: SupportCase, system: System, regional) -> None:
    """Two actions SOAG required at its meeting of 27 May 2025: the exit plan (started, now
    overdue, escalated to the board on 1 July 2025 by the overdue check) and an external review
    (delivered in July)."""
    soag, icb = _users("soag-que", "icb-que")
    owner = icb or regional
    with on(dt.date(2025, 5, 27)):
        _raise_system_actions(case, system, soag or regional, owner)
    with on(dt.date(2025, 6, 2)):
        first = case.actions.get(title="Agree the SOF 4 exit plan")
        fire(first, "start", owner, "Drafting with partners' finance directors")
    with on(EXIT_PLAN_ESCALATED):
        escalate_overdue()  # what the server's check does that day: the exit plan is late
    with on(dt.date(2025, 7, 24)):
        review = case.actions.get(title="Expert external review of the run-rate deficit")
        review.evidence = "External review report received 24 July 2025"
        fire(review, "complete", owner, "Review delivered and presented to SOAG")


def _raise_system_actions(case: SupportCase, system: System, raiser, owner) -> None:
    raise_action(
        user=raiser,
        subject=system,
        kind="plan",
        case=case,
        title="Agree the SOF 4 exit plan",
        owner=owner,
        due=dt.date(2025, 6, 30),
        description="Recovery plan with milestones and an indicative exit date.",
    )
    raise_action(
        user=raiser,
        subject=system,
        kind="external_review",
        case=case,
        title="Expert external review of the run-rate deficit",
        owner=owner,
        due=dt.date(2025, 7, 31),
    )


def _trust_exited(framework: Framework, trust: Organisation, regional, metrics) -> None:
    with on(dt.date(2021, 6, 28)):
        record_decision(
            user=regional,
            framework=framework,
            subject=trust,
            quarter="Q1 2021/22",
            segment=4,
            rationale="Critical quality concerns; entry to the Recovery Support Programme on the "
            "recommendation of CQC.",
            effective_from=dt.date(2021, 7, 1),
            publish=True,
        )
    case = SupportCase.objects.get(organisation=trust, kind=CaseKind.RSP)
    with on(dt.date(2021, 7, 1)):
        case.lead = regional
        case.save()
        rsp = cases.record_cqc_entry(
            case,
            regional,
            recommended_on=dt.date(2021, 6, 21),
            reference="CQC letter recommending entry to the RSP, June 2021",
        )
        rsp.plan_summary = "Quality improvement plan with urgent and emergency care recovery."
        rsp.indicative_exit = dt.date(2022, 3, 31)
        rsp.save()
    with on(dt.date(2021, 7, 14)):
        cases.appoint_sid(
            case,
            regional,
            sid_name="Martin Hale (national RSP pool)",
            system_agreed_by="ICS interim accountable officer",
            system_agreed_on=dt.date(2021, 7, 12),
            region_agreed_by="Regional director, East of England",
            region_agreed_on=dt.date(2021, 7, 13),
            national_agreed_by="Director of Intensive Support",
            national_agreed_on=dt.date(2021, 7, 14),
        )
    with on(dt.date(2021, 8, 2)):
        cases.record_stocktake(
            case,
            regional,
            stocktake_on=dt.date(2021, 8, 2),
            root_causes="Emergency department flow; governance of quality; "
            "workforce gaps in key specialties.",
            partners_involved="The trust, the ICS, the region, CQC and the "
            "national intensive support team.",
        )
    _trust_criteria(rsp, regional, metrics.get("AE4HR"))
    with on(dt.date(2022, 3, 1)):
        cases.record_cqc_exit_recommendation(
            case,
            regional,
            recommended_on=dt.date(2022, 3, 1),
            reference="CQC letter recommending exit, March 2022",
        )
    with on(dt.date(2022, 3, 25)):
        exit_decision = cases.exit_rsp(
            case,
            regional,
            quarter="Q4 2021/22",
            reason="Every exit criterion met and CQC recommends exit.",
        )
        publish_decision(regional, exit_decision)
    # Transitional mandated support until the recovery shows in the proposals.
    with on(dt.date(2024, 7, 18)):
        record_decision(
            user=regional,
            framework=framework,
            subject=trust,
            quarter=TRUST_SEGMENT_2,
            segment=2,
            rationale="CQC rated the trust Good (June 2024) and its performance has recovered "
            "from the national bottom quartile: no trigger for mandated support has fired this "
            "quarter.",
            effective_from=dt.date(2024, 7, 22),
            publish=True,
        )


def _trust_criteria(rsp, regional, ae: Metric | None) -> None:
    """The trust's three exit criteria, set at its stocktake and judged met as the evidence
    came in, up to February 2022."""
    with on(dt.date(2021, 8, 2)):
        criteria = [
            ExitCriterion.objects.create(rsp=rsp, description="Quality improvement plan delivered"),
            ExitCriterion.objects.create(
                rsp=rsp,
                description="A&E 4-hour performance at or above 76%",
                metric=ae,
                threshold=76 if ae else None,
                direction="at_least" if ae else "",
            ),
            ExitCriterion.objects.create(
                rsp=rsp, description="Governance review: no material concerns outstanding"
            ),
        ]
    for c, day, evidence in zip(
        criteria,
        [dt.date(2022, 2, 24), dt.date(2022, 2, 3), dt.date(2022, 1, 27)],
        [
            "Board assurance report, February 2022",
            "Trajectory met for three consecutive months",
            "Independent governance review, January 2022",
        ],
        strict=True,
    ):
        with on(day):
            cases.judge_criterion(c, regional, met=True, evidence=evidence)
