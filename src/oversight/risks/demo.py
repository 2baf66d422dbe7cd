"""The demo's system risk register for Cambridgeshire and Peterborough (called by the demo
loader after the support demo; idempotent).

Seed 004: "A system risk register is now in place and is being further developed into a Board
Assurance Framework. This incorporates all risks from all partners across Health and Care", with
its development risk themes (population focus, effective governance, capabilities and
infrastructure, relationships, collaboration, workforce, opportunities for change, regional ways
of working); seed 003 §10: an overarching register overseen by the board and shared with the
partners. The story runs from April 2024 (the register set up as the system fell behind its
financial plan, docs/demo.md) to September 2025, reviewed quarterly: the financial risk rises to
20 in March 2025 and is held by the System Partnership Board; elective and urgent care risks sit
outside the board's cautious appetite for access; North West Anglia's CQC risk closes when CQC
rates it Good (June 2024). The oversight data then suggests risks (segment 4, bottom quartile,
Requires improvement) for their owners to accept or dismiss.

Lead committees are the governance demo's bodies (``governance/bodies.yaml``, loaded first);
without them the risks have no lead committee. Names of people are demo users, not real
appointments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from oversight.governance.meetings import record_attendance
from oversight.governance.models import Body, Meeting, MeetingKind, MeetingStatus
from oversight.metrics.models import Metric
from oversight.organisations.models import Organisation, System
from oversight.risks import editing
from oversight.risks.lifecycle import escalate, fire
from oversight.risks.models import ReviewDecision, Risk, StrategicObjective
from oversight.risks.reviews import Decision, add_risk_review, decide_risk_review
from oversight.risks.suggest import suggest_risks
from oversight.story import on
from oversight.support.models import CaseKind, SupportCase

SYSTEM = "QUE"
BOARD_APPROVED = dt.date(2024, 4, 25)
OWNER, MANAGER, TRUST_OWNER = "icb-que", "soag-que", "cuh"

OBJECTIVES = [
    ("SO1", "Improve population health and reduce health inequalities",
     "Keep people well: population health management at system, place and neighbourhood.",
     "open"),
    ("SO2", "Deliver safe, high-quality care", "Every partner safe, effective and well-led.",
     "minimal"),
    ("SO3", "Restore access: elective, urgent and emergency care",
     "Recover waiting times, 4-hour performance and ambulance handovers.", "cautious"),
    ("SO4", "Achieve a sustainable financial position",
     "Deliver the system financial plan and return to recurrent balance.", "cautious"),
    ("SO5", "Develop a sustainable, engaged workforce",
     "A workforce plan that is truly ambitious and addresses the system's needs.", "open"),
    ("SO6", "Build effective system governance and partnerships",
     "Leadership in the right places, with robust and streamlined governance.", "eager"),
]

#: Each risk: fields, then its assessments (date, likelihood, consequence, note) oldest first.
RISKS: list[dict[str, Any]] = [
    {
        "title": "System financial plan not delivered", "objective": "SO4", "theme": "finance",
        "domain": "finance", "orgs": [], "lead": "FPPG", "inherent": (5, 4), "target": (2, 4),
        "target_on": dt.date(2026, 3, 31), "principal": True, "board": "limited",
        "metrics": ["FINVAR", "AGENCYCAP"], "case": True,
        "cause": "An underlying deficit across the partners, reliance on non-recurrent savings "
                 "and agency spend above the ceiling.",
        "event": "The system does not deliver its agreed financial plan for the year.",
        "effect": "Deeper deficit, segment 4 and the Recovery Support Programme, restrictions on "
                  "discretionary funding and on capital.",
        "assessed": [
            (dt.date(2024, 4, 29), 3, 4, "Register set up: year-to-date variance behind plan."),
            (dt.date(2024, 7, 29), 4, 4, "Q1 deficit against plan; mandated support (segment 3)."),
            (dt.date(2024, 10, 28), 4, 4, "Recovery plan drafted; savings behind plan."),
            (dt.date(2025, 1, 27), 5, 4, "Month 9 forecast outturn deteriorates."),
            (dt.date(2025, 4, 28), 5, 4, "Segment 4: Recovery Support Programme."),
            (dt.date(2025, 7, 28), 4, 4, "Medium-term financial plan agreed by partners."),
        ],
        "controls": [
            ("Monthly system finance recovery meeting of the partners' finance directors",
             "ICB chief finance officer"),
            ("Agency spend controls: approval above the price cap by the chief executive",
             "Partners' chief nurses"),
            ("Medium-term financial plan agreed by every partner (July 2025)", "ICB board"),
        ],
        "assurances": [
            ("management", "Finance report", "Month 5 finance report to FPPG", "negative",
             dt.date(2025, 9, 18)),
            ("oversight", "Finance committee", "FPPG review of the recovery plan", "positive",
             dt.date(2025, 8, 21)),
            ("independent", "Internal audit", "Review of financial recovery governance",
             "negative", dt.date(2025, 6, 30)),
            ("independent", "NHS England", "Recovery Support Programme monthly review",
             "pending", None),
        ],
        "gaps": [
            ("control", "No system-wide agreement on sharing financial risk between partners"),
            ("assurance", "No independent assurance that savings are recurrent"),
        ],
        "actions": [
            ("Agree a risk-share agreement between partners", 0, dt.date(2025, 11, 28)),
            ("Commission an independent review of recurrent savings", 1, dt.date(2025, 8, 29)),
        ],
    },
    {
        "title": "Elective waiting list keeps growing at Cambridge University Hospitals",
        "objective": "SO3", "theme": "operational", "domain": "service", "orgs": ["RGT"],
        "lead": "SDB", "inherent": (4, 4), "target": (2, 4), "target_on": dt.date(2026, 3, 31),
        "principal": True, "board": "partial", "owner": TRUST_OWNER, "metrics": ["RTT18"],
        "cause": "Demand above pre-pandemic levels and theatre capacity lost to estates work.",
        "event": "Patients wait longer than 18 weeks (and over 65 weeks) for treatment.",
        "effect": "Harm from delayed treatment, breach of the NHS Constitution standard.",
        "assessed": [
            (dt.date(2024, 4, 29), 3, 4, "Backlog stable."),
            (dt.date(2024, 10, 28), 4, 3, "Winter pressures ahead; theatres closed for works."),
            (dt.date(2025, 4, 28), 4, 3, "Waiting list grows 4% in the year."),
        ],
        "controls": [("Weekly patient-tracking list review of long waiters", "CUH COO"),
                     ("Mutual aid with North West Anglia for orthopaedics", "SDB")],
        "assurances": [("management", "Performance report", "Monthly RTT report to SDB",
                        "negative", dt.date(2025, 9, 10))],
        "gaps": [("control", "No agreed system plan for theatre capacity during estates works")],
        "actions": [("Agree system theatre capacity plan", 0, dt.date(2025, 10, 31))],
    },
    {
        "title": "Urgent and emergency care: 4-hour performance and ambulance handovers",
        "objective": "SO3", "theme": "operational", "domain": "safety",
        "orgs": ["RGT", "RGN", "RYC"], "lead": "AEDB", "inherent": (5, 4), "target": (3, 3),
        "target_on": dt.date(2026, 3, 31), "principal": True, "board": "limited",
        "metrics": ["AE4HR"],
        "cause": "Bed occupancy above 95% and delayed discharges into social care.",
        "event": "Long ambulance handover delays and 12-hour waits in emergency departments.",
        "effect": "Avoidable harm to patients waiting, in departments and in the community.",
        "assessed": [
            (dt.date(2024, 4, 29), 4, 4, "Handover delays above the regional average."),
            (dt.date(2024, 10, 28), 4, 4, "Winter plan agreed."),
            (dt.date(2025, 4, 28), 4, 4, "Winter ended with the worst handover month on record."),
        ],
        "controls": [("System winter plan with discharge-to-assess capacity", "AEDB"),
                     ("Handover cohorting at both emergency departments", "Acute chief nurses")],
        "assurances": [("independent", "CQC", "Urgent and emergency care inspection at CUH",
                        "negative", dt.date(2025, 2, 14))],
        "gaps": [("assurance", "No system-wide measure of harm from handover delays")],
        "actions": [("Agree a harm review of handovers over 4 hours", 0, dt.date(2025, 12, 19))],
    },
    {
        "title": "Workforce plan not ambitious enough for the system's needs",
        "objective": "SO5", "theme": "workforce", "domain": "workforce", "orgs": [],
        "lead": "DEG", "inherent": (4, 4), "target": (2, 3), "principal": True,
        "board": "reasonable",
        "cause": "Workforce planning done organisation by organisation.",
        "event": "The system workforce plan does not address vacancies in nursing and care.",
        "effect": "Unsafe staffing, reliance on agency staff and services that cannot grow.",
        "assessed": [(dt.date(2024, 4, 29), 3, 4, "System workforce plan in development."),
                     (dt.date(2025, 4, 28), 3, 4, "Nursing vacancies fall to 7%.")],
        "controls": [("System people board with a single workforce plan", "Chief people officer")],
        "assurances": [("oversight", "Committee report", "People board quarterly report",
                        "positive", dt.date(2025, 7, 2))],
        "gaps": [],
    },
    {
        "title": "Loss of the senior commissioning team through the ICS transition",
        "objective": "SO5", "theme": "workforce", "domain": "objectives", "orgs": ["QUE"],
        "lead": "DEG", "inherent": (4, 3), "target": (2, 3),
        "cause": "Uncertainty over roles as functions transfer and running costs reduce.",
        "event": "Experienced commissioners leave before the transition is complete.",
        "effect": "Key objectives delayed; loss of stability in the ICS.",
        "assessed": [(dt.date(2024, 4, 29), 3, 3, "Retention payments agreed for key posts.")],
        "controls": [("Retention plan for key commissioning posts", "ICB director of people")],
    },
    {
        "title": "Population health management not systematised across places",
        "objective": "SO1", "theme": "population_focus", "domain": "quality", "orgs": [],
        "lead": "CAG", "inherent": (4, 3), "target": (2, 3), "principal": True,
        "board": "reasonable",
        "cause": "Linked data flows from primary care are incomplete.",
        "event": "Population health management is not used to plan services at place.",
        "effect": "Services do not reach those at greatest risk; inequalities widen.",
        "assessed": [(dt.date(2024, 4, 29), 3, 3, "Eclipse Vista rolled out; PHM strategy draft.")],
        "controls": [("Integrated health and care record phase 1", "Chief digital officer")],
        "gaps": [("control", "No agreed split of PHM between system, place and neighbourhood")],
    },
    {
        "title": "ICS development has no meaningful impact on health inequalities",
        "objective": "SO1", "theme": "population_focus", "domain": "reputation", "orgs": [],
        "lead": "CAG", "inherent": (4, 4), "target": (2, 4),
        "cause": "Inequalities work spread across many programmes without shared measures.",
        "event": "Gaps in outcomes between the most and least deprived areas do not narrow.",
        "effect": "Loss of public and partner confidence in the ICS.",
        "assessed": [(dt.date(2024, 4, 29), 3, 4, "Core20PLUS5 measures adopted.")],
    },
    {
        "title": "Boards lack clarity on decisions at each level of the ICS",
        "objective": "SO6", "theme": "effective_governance", "domain": "statutory",
        "orgs": [], "lead": "HCE", "inherent": (3, 3), "target": (1, 3),
        "cause": "Transitional governance while the statutory arrangements settle.",
        "event": "Decisions are taken at the wrong level or twice.",
        "effect": "Delays and challenge to decisions; breach of statutory duties.",
        "assessed": [(dt.date(2024, 4, 29), 2, 3, "Scheme of delegation agreed.")],
    },
    {
        "title": "Place-based infrastructure not in place for the North and South partnerships",
        "objective": "SO6", "theme": "capabilities", "domain": "objectives", "orgs": [],
        "lead": "SDB", "inherent": (4, 3), "target": (2, 3),
        "cause": "Resources and leadership not yet delegated to places.",
        "event": "Integrated care partnerships cannot take on delegated budgets.",
        "effect": "Transformation at place is delayed.",
        "assessed": [(dt.date(2024, 4, 29), 3, 3, "Place leadership models agreed.")],
    },
    {
        "title": "Tensions between partners resulting from changes in roles",
        "objective": "SO6", "theme": "relationships", "domain": "reputation", "orgs": [],
        "lead": "HCE", "inherent": (3, 3), "target": (2, 2),
        "cause": "Changes in commissioning and provider roles.",
        "event": "Relationships between partners break down on contested decisions.",
        "effect": "Slower decisions and loss of trust.",
        "assessed": [(dt.date(2024, 4, 29), 2, 3, "Partnership development sessions held.")],
    },
    {
        "title": "Ways of working with district, county and city councils not effective",
        "objective": "SO6", "theme": "collaboration", "domain": "service", "orgs": [],
        "lead": "HCE", "inherent": (3, 4), "target": (2, 3),
        "cause": "Different planning cycles and governance between the NHS and councils.",
        "event": "Joint plans for discharge and prevention are not delivered.",
        "effect": "Delayed discharges and lost prevention opportunities.",
        "assessed": [(dt.date(2024, 4, 29), 2, 4, "Joint discharge plan with both councils.")],
    },
    {
        "title": "Investment to keep the changes in clinical practice made in the pandemic",
        "objective": "SO3", "theme": "opportunities", "domain": "objectives", "orgs": ["RT1"],
        "lead": "IC", "inherent": (3, 3), "target": (2, 3),
        "cause": "Non-recurrent funding for virtual wards and remote consultations.",
        "event": "Services set up in the pandemic close when funding ends.",
        "effect": "Loss of capacity and a return to older, slower pathways.",
        "assessed": [(dt.date(2024, 4, 29), 3, 3, "Business case for virtual wards submitted.")],
    },
    {
        "title": "Support from NHS England not flexible to local issues",
        "objective": "SO6", "theme": "regional", "domain": "objectives", "orgs": [],
        "lead": "SOAG", "inherent": (2, 3), "target": (1, 3), "review_months": 6,
        "cause": "A national support offer designed for systems in general.",
        "event": "Support does not account for the system's local issues.",
        "effect": "Effort spent on reporting rather than improvement.",
        "assessed": [(dt.date(2024, 4, 29), 2, 2, "Regional support agreed through SOAG.")],
    },
    {
        "title": "Mental health out-of-area placements",
        "objective": "SO2", "theme": "quality", "domain": "safety", "orgs": ["RT1"],
        "lead": "CC", "inherent": (4, 4), "target": (2, 3),
        "cause": "Adult acute mental health beds full; delayed discharges to supported housing.",
        "event": "People are placed in beds far from home.",
        "effect": "Worse outcomes and experience; higher cost.",
        "assessed": [(dt.date(2024, 4, 29), 3, 4, "Bed management review.")],
        "controls": [("Daily system bed call for mental health", "CPFT")],
    },
    {
        "title": "Quality and well-led concerns at North West Anglia (CQC Requires improvement)",
        "objective": "SO2", "theme": "quality", "domain": "quality", "orgs": ["RGN"],
        "lead": "CC", "inherent": (4, 3), "target": (2, 3),
        "cause": "CQC rated the trust Requires improvement, well-led included (March 2022).",
        "event": "Improvements are not sustained after the Recovery Support Programme.",
        "effect": "Further regulatory action; harm to patients.",
        "assessed": [(dt.date(2024, 4, 29), 2, 3, "Transitional support; improvement on track.")],
        "close": (dt.date(2024, 7, 29), "CQC rated the trust Good on 12 June 2024; the "
                  "improvement plan is complete."),
    },
]


@dataclass
class RisksDemoSummary:
    created: list[str] = field(default_factory=list)
    suggested: str = ""
    review: str = ""

    def describe(self) -> str:
        if not self.created:
            return "Risks demo already loaded." + (f" {self.suggested}" if self.suggested else "")
        return (f"Risks demo: the {SYSTEM} register ({len(self.created)} risks), its objectives, "
                f"appetite and BAF; {self.review}. {self.suggested}")


#: The end of the demo's data window (Q2 2025/26, docs/demo.md): when its signals suggest risks.
SUGGESTED_ON = dt.date(2025, 9, 30)


def load_risks_demo() -> RisksDemoSummary:
    """The C&P register (once), then suggestions from the oversight data (idempotent)."""
    summary = RisksDemoSummary()
    try:
        system = System.objects.get(code=SYSTEM)
    except System.DoesNotExist as exc:
        raise RuntimeError(f"load the demo reference data first: {exc}") from exc
    with transaction.atomic():
        if not Risk.objects.filter(system=system, suggestion_key="").exists():
            _register(system, summary)
        with on(SUGGESTED_ON):  # the oversight data's last quarter is in: it suggests risks
            summary.suggested = suggest_risks([system]).describe()
    return summary


def _register(system: System, summary: RisksDemoSummary) -> None:
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=[OWNER, MANAGER, TRUST_OWNER, "demo"])}
    owner = users.get(OWNER) or users.get("demo")
    with on(BOARD_APPROVED):
        objectives = _objectives(system, owner)
    metrics: dict[str, Metric] = {}
    for m in Metric.objects.select_related("framework").order_by("framework__year_start"):
        metrics[m.code] = m
    setting = _Setting(
        system=system, users=users, owner=owner,
        # The governance demo (loaded first) creates the bodies of governance/bodies.yaml.
        bodies={b.short_name: b for b in Body.objects.filter(system=system)},
        objectives=objectives,
        orgs={o.ods_code: o for o in Organisation.objects.filter(
            ods_code__in={c for spec in RISKS for c in spec["orgs"]})},
        metrics=metrics,
        case=SupportCase.objects.filter(system=system, kind=CaseKind.RSP).first(),
    )
    for number, spec in enumerate(RISKS, start=1):
        summary.created.append(_risk(setting, number, spec).reference)
    # The board asked to hold the elective risk itself (a decision, not a rule).
    elective = Risk.objects.get(reference=f"{SYSTEM}-R002")
    with on(dt.date(2025, 5, 1)):
        escalate(elective, "board", owner,
                 "The System Partnership Board asked to oversee elective recovery directly "
                 "while the waiting list grows.")
    summary.review = _soag_review(setting.bodies.get("SOAG"), users.get("demo"))


@dataclass(frozen=True)
class _Setting:
    """What every risk of the demo register is raised against."""

    system: System
    users: dict[str, Any]
    owner: Any
    bodies: dict[str, Body]
    objectives: dict[str, StrategicObjective]
    orgs: dict[str, Organisation]
    metrics: dict[str, Metric]
    case: SupportCase | None


def _objectives(system: System, owner) -> dict[str, StrategicObjective]:
    """The system's strategic objectives, each with the appetite the board approved."""
    objectives = {}
    for order, (code, title, description, level) in enumerate(OBJECTIVES, start=1):
        objectives[code] = StrategicObjective.objects.create(
            system=system, code=code, title=title, description=description, order=order)
        editing.set_appetite(
            user=owner, system=system, objective=objectives[code], level=level,
            statement=f"The board's appetite for risk to {title.lower()} is {level}.",
            approved_on=BOARD_APPROVED, approved_by="System Partnership Board",
            reason="Risk appetite statement approved by the board",
        )
    return objectives


#: The SOAG meeting whose risk register review the demo minutes (the last Tuesday of July 2025).
SOAG_REVIEW = dt.date(2025, 7, 29)


def _soag_review(soag: Body | None, secretary) -> str:
    """The SOAG reviews the risks it leads at its meeting of 29 July 2025: every current member
    present, the review on the agenda, its decision minuted (seed 003: each group reviews its
    register at every meeting)."""
    if soag is None:
        return "no SOAG: no committee review"
    with on(SOAG_REVIEW):
        return _review_at(soag, secretary)


def _review_at(soag: Body, secretary) -> str:
    meeting = Meeting.objects.create(
        body=soag, date=SOAG_REVIEW, kind=MeetingKind.SCHEDULED, status=MeetingStatus.HELD,
        start_time=soag.start_time,
    )
    for membership in soag.memberships.current(SOAG_REVIEW).members():
        record_attendance(meeting, membership.person, user=secretary)
    item = add_risk_review(meeting, secretary)
    try:
        decide_risk_review(item, [
            Decision(r.risk, ReviewDecision.NOTED,
                     "Regional support agreed through the SOAG continues to fit local issues; "
                     "no change to the score.")
            for r in item.risk_reviews.select_related("risk")
        ], secretary)
    except ValidationError as exc:  # e.g. the SOAG's membership no longer makes it quorate
        return f"SOAG risk review of {SOAG_REVIEW:%d %B %Y} listed, not decided: {exc.messages[0]}"
    return f"SOAG risk review of {SOAG_REVIEW:%d %B %Y} minuted"


#: The board's review of the board assurance framework (its level of assurance per risk).
BAF_REVIEW = dt.date(2025, 9, 25)


def _risk(setting: _Setting, number: int, spec: dict[str, Any]) -> Risk:
    """One risk of ``RISKS``, raised, reviewed, closed and assured on the story's days."""
    first_day = spec["assessed"][0][0]
    owner = setting.owner
    who = setting.users.get(spec.get("owner", OWNER)) or owner
    with on(first_day):
        risk = _raise(setting, number, spec, who)
        _controls(risk, who, spec)
    for day, lk, c, text in spec["assessed"][1:]:
        with on(day):
            editing.review_risk(risk, who, likelihood=lk, consequence=c, note=text,
                                reviewed_on=day)
    if "close" in spec:
        day, why = spec["close"]
        with on(day):
            fire(risk, "close", who, why)
    elif len(spec["assessed"]) == 1:
        with on(first_day):  # a first assessment is also the first review
            risk.last_reviewed_on = first_day
            risk.save(update_fields=["last_reviewed_on"])
    if spec.get("board"):
        with on(BAF_REVIEW):
            editing.set_board_assurance(risk, owner, spec["board"],
                                        "Board assurance framework review, September 2025",
                                        on=BAF_REVIEW)
    return risk


def _raise(setting: _Setting, number: int, spec: dict[str, Any], who) -> Risk:
    """The risk as first assessed, on the register."""
    first_day, lk, c, note = spec["assessed"][0]
    users, objectives, case = setting.users, setting.objectives, setting.case
    values: dict[str, Any] = {
        "reference": f"{SYSTEM}-R{number:03d}",
        "cause": spec.get("cause", ""), "event": spec.get("event", ""),
        "effect": spec.get("effect", ""), "objective": objectives[spec["objective"]],
        "theme": spec["theme"], "consequence_domain": spec["domain"], "owner": who,
        "manager": users.get(MANAGER), "lead_committee": setting.bodies.get(spec["lead"]),
        "inherent_likelihood": spec["inherent"][0], "inherent_consequence": spec["inherent"][1],
        "current_likelihood": lk, "current_consequence": c,
        "target_likelihood": spec["target"][0], "target_consequence": spec["target"][1],
        "target_on": spec.get("target_on"), "principal": spec.get("principal", False),
        "review_months": spec.get("review_months", 3),
    }
    if spec.get("case") and case is not None:
        values["support_case"] = case
        values["exit_criterion"] = case.rsp.criteria.filter(metric__code="FINVAR").first()
    risk = editing.raise_risk(
        user=who, system=setting.system, title=spec["title"],
        organisations=[setting.orgs[o] for o in spec["orgs"] if o in setting.orgs],
        metrics=[setting.metrics[m] for m in spec.get("metrics", []) if m in setting.metrics],
        assessed_on=first_day, reason=f"Raised on the system register: {note}", **values,
    )
    risk.assessments.update(note=note)
    return risk


def _controls(risk: Risk, who, spec: dict[str, Any]) -> None:
    """Its controls, assurances, gaps and the actions to close them."""
    for text, runs in spec.get("controls", []):
        editing.add_control(risk, who, text, runs)
    controls = list(risk.controls.all())
    for line, source, text, outcome, dated in spec.get("assurances", []):
        editing.add_assurance(risk, who, line=line, source=source, description=text,
                              outcome=outcome, dated=dated,
                              control=controls[0] if controls else None)
    gaps = [editing.add_gap(risk, who, kind=k, description=t) for k, t in spec.get("gaps", [])]
    for title, gap, due in spec.get("actions", []):
        editing.add_action(risk, who, title=title, owner=who, due=due, gap=gaps[gap])
