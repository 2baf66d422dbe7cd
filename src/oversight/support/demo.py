"""Support cases for the demo dataset (called by the demo loader; idempotent).

- Cambridgeshire and Peterborough (system QUE): placed in segment 4 of SOF 2021/22 for finance
  (seed 000 §1.3: "likely ... SOF 4 due to our financial situation"), a Recovery Support
  Programme case mid-way: SID appointed, diagnostic stocktake done, 2 of 4 exit criteria met,
  SOAG actions (one overdue, one completed).
- North West Anglia NHS Foundation Trust (RGN, the demo's improving trust): entered the RSP on
  CQC's recommendation and exited it, so its RSP case is closed and a transitional mandated
  case follows (segment 3).

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
from oversight.support import cases
from oversight.support.actions import raise_action
from oversight.support.lifecycle import fire
from oversight.support.models import CaseKind, ExitCriterion, Milestone, SupportCase

FRAMEWORK = "sof-2021-22"
SYSTEM = "QUE"
EXITED_TRUST = "RGN"
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
    record_decision(
        user=regional,
        framework=framework,
        subject=system,
        quarter="Q2 2021/22",
        segment=4,
        rationale="Critical finance concerns: underlying deficit and negative variance against "
        "the agreed financial plan; intensive support through the Recovery Support "
        "Programme.",
        system_leader_views="System leaders accept the finance position and welcome the "
        "additional support (SOF 4 exit plan in preparation).",
        effective_from=dt.date(2021, 9, 15),
        publish=True,
    )
    case = SupportCase.objects.get(system=system, kind=CaseKind.RSP)
    case.lead = regional
    case.capital_approval_limit = 15_000_000
    case.save()
    cases.appoint_sid(
        case,
        regional,
        sid_name="System improvement director (national RSP pool)",
        system_agreed_by="ICS interim accountable officer",
        system_agreed_on=dt.date(2021, 10, 4),
        region_agreed_by="Regional director, East of England",
        region_agreed_on=dt.date(2021, 10, 6),
        national_agreed_by="Director of Intensive Support",
        national_agreed_on=dt.date(2021, 10, 8),
    )
    cases.record_stocktake(
        case,
        regional,
        stocktake_on=dt.date(2021, 11, 12),
        root_causes="Underlying deficit across the system; reliance on non-recurrent measures; "
        "agency spend above the ceiling; growth in elective backlog costs.",
        partners_involved="ICS partners (CUH, NWAFT, Royal Papworth, CPFT, CCS), the CCG, the "
        "East of England regional team and the national intensive support "
        "team.",
    )
    rsp = case.rsp
    rsp.plan_summary = (
        "SOF 4 exit plan: medium-term financial plan to recurrent balance, "
        "agency reduction, system-wide efficiency programme."
    )
    rsp.indicative_exit, rsp.review_cycle = dt.date(2023, 3, 31), "monthly"
    rsp.next_review = dt.date(2022, 4, 20)
    rsp.save()
    Milestone.objects.bulk_create(
        [
            Milestone(
                rsp=rsp,
                title="Medium-term financial plan agreed by partners",
                due=dt.date(2021, 12, 31),
                achieved_on=dt.date(2021, 12, 15),
                evidence="ICS board minutes, December 2021",
            ),
            Milestone(rsp=rsp, title="H2 plan delivered", due=dt.date(2022, 3, 31)),
            Milestone(rsp=rsp, title="Recurrent balance", due=dt.date(2023, 3, 31)),
        ]
    )

    def criterion(text: str, code: str | None = None, **kw) -> ExitCriterion:
        return ExitCriterion.objects.create(
            rsp=rsp, description=text, metric=metrics.get(code) if code else None, **kw
        )

    plan = criterion("System financial recovery plan agreed by every partner and the ICS board")
    criterion(
        "Agency spend within the agency ceiling", "AGENCYCAP", threshold=100, direction="at_most"
    )
    criterion(
        "Year-to-date variance against the financial plan at or above plan",
        "FINVAR",
        threshold=0,
        direction="at_least",
    )
    leadership = criterion("Leadership capability review completed and its actions implemented")
    # The two measurable finance criteria stay open: the demo's finance story is a decline.
    cases.judge_criterion(
        plan, regional, met=True, evidence="Plan approved at the ICS board, 15 December 2021"
    )
    cases.judge_criterion(
        leadership,
        regional,
        met=True,
        evidence="Leadership capability review report, February 2022; actions complete",
    )
    soag, icb = _users("soag-que", "icb-que")
    owner = icb or regional
    raise_action(
        user=soag or regional,
        subject=system,
        kind="plan",
        case=case,
        title="Agree the SOF 4 exit plan",
        owner=owner,
        due=dt.date(2021, 11, 30),
        description="Recovery plan with milestones and an indicative exit date.",
    )
    review = raise_action(
        user=soag or regional,
        subject=system,
        kind="external_review",
        case=case,
        title="Expert external review of the run-rate deficit",
        owner=owner,
        due=dt.date(2022, 1, 31),
    )
    review.evidence = "External review report received 24 January 2022"
    fire(review, "complete", owner, "Review delivered and presented to SOAG")
    first = case.actions.get(title="Agree the SOF 4 exit plan")
    fire(first, "start", owner, "Drafting with partners' finance directors")


def _trust_exited(framework: Framework, trust: Organisation, regional, metrics) -> None:
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
    cases.appoint_sid(
        case,
        regional,
        sid_name="Improvement director (national RSP pool)",
        system_agreed_by="ICS interim accountable officer",
        system_agreed_on=dt.date(2021, 7, 12),
        region_agreed_by="Regional director, East of England",
        region_agreed_on=dt.date(2021, 7, 13),
        national_agreed_by="Director of Intensive Support",
        national_agreed_on=dt.date(2021, 7, 14),
    )
    cases.record_stocktake(
        case,
        regional,
        stocktake_on=dt.date(2021, 8, 2),
        root_causes="Emergency department flow; governance of quality; "
        "workforce gaps in key specialties.",
        partners_involved="The trust, the ICS, the region, CQC and the "
        "national intensive support team.",
    )
    ae = metrics.get("AE4HR")
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
    for c, evidence in zip(
        criteria,
        [
            "Board assurance report, February 2022",
            "Trajectory met for three consecutive months",
            "Independent governance review, January 2022",
        ],
        strict=True,
    ):
        cases.judge_criterion(c, regional, met=True, evidence=evidence)
    cases.record_cqc_exit_recommendation(
        case,
        regional,
        recommended_on=dt.date(2022, 3, 1),
        reference="CQC letter recommending exit, March 2022",
    )
    exit_decision = cases.exit_rsp(
        case,
        regional,
        quarter="Q4 2021/22",
        reason="Every exit criterion met and CQC recommends exit.",
    )
    publish_decision(regional, exit_decision)
