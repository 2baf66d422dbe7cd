"""The demo's development plan: seed 004 whole (``demo_plan.yaml``) and the quarterly
checkpoints held since (called by the demo loader; idempotent).

The plan of 31 March 2021 is loaded as written. Its checkpoints follow the plan's own
calendar: the ICB team assessed Q1, Q2 and Q3 2021/22 (22 July 2021, 21 October 2021,
20 January 2022) and the regional team Q4 2021/22 (21 April 2022). An action due by the end of
a checkpoint's quarter is achieved at it unless it is one of the few that slipped (``SLIPPED``:
their statuses and commentary are the demo's illustration, not the system's record); an action
due later is "plan agreed and on track", a phase under way "delivering significant milestones".
So the demo shows actions achieved late, actions still late, and the history of each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from oversight.development import key, plans
from oversight.development.models import (
    Action,
    Ask,
    Assessment,
    CoverageRow,
    GapArea,
    MaturityDomain,
    MaturityScore,
    OperatingArrangement,
    Plan,
    Priority,
    Recommendation,
    RiskStatement,
    Workstream,
)
from oversight.engine.periods import quarter_end
from oversight.organisations.models import System
from oversight.story import on

PLAN_FILE = Path(__file__).with_name("demo_plan.yaml")


#: The checkpoints held since the plan: quarter, date held, who assessed (demo usernames).
CHECKPOINTS = (
    ("Q1 2021/22", dt.date(2021, 7, 22), "icb-que"),
    ("Q2 2021/22", dt.date(2021, 10, 21), "icb-que"),
    ("Q3 2021/22", dt.date(2022, 1, 20), "icb-que"),
    ("Q4 2021/22", dt.date(2022, 4, 21), "demo"),
)

#: Actions that slipped: their status at each checkpoint (Q1..Q4) and what was said.
SLIPPED: dict[str, tuple[tuple[str, str, str, str], str]] = {
    "Confirm delegated functions at each level": (
        ("AR", "A", "G", "G"),
        "Held until the national guidance on ICS functions and delegation is published.",
    ),
    "System-wide Children and Young People collaborative to operate in shadow form": (
        ("A", "R", "AR", "AR"),
        "Discussion ongoing with both local authorities on the collaborative's scope.",
    ),
    "Develop Acute and specialist care collaborative plans for NHS providers": (
        ("A", "AR", "A", "GA"),
        "Acute to acute collaboration plan re-scoped after the region's feedback.",
    ),
    "Agree winding down process for CCGs": (
        ("A", "AR", "A", "G"),
        "Timetable follows the Health and Care Bill; agreed once its dates were known.",
    ),
    "Phase 1 of our Integrated health and care record solution, which will deliver the Shared "
    "Care Record MVS 1.0": (
        ("GA", "GA", "G", "G"),
        "Go-live moved from September to December 2021 for supplier testing.",
    ),
    "Update estates strategy": (
        ("A", "GA", "GA", "GA"),
        "Draft strategy written; waits for the capital settlement before sign-off.",
    ),
    "Develop quality improvement dashboard that shows performance against quality indicators "
    "at the system, place, and individual organisation level": (
        ("A", "A", "AR", "A"),
        "Indicator set agreed late; dashboard build re-planned.",
    ),
    "Create and implement new information sharing agreements between providers and between "
    "providers and the CCG": (
        ("A", "A", "A", "GA"),
        "Agreements signed by four of six providers.",
    ),
}


@dataclass
class DevelopmentDemoSummary:
    created: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if not self.created:
            return "Development plan demo already loaded."
        return f"Development plan demo: created {', '.join(self.created)}."


@lru_cache(maxsize=1)
def plan_data() -> dict:
    return yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8"))


def load_development_demo() -> DevelopmentDemoSummary:
    """Load seed 004's plan for system QUE and its checkpoints, once. Needs the demo's system
    QUE and its users ``icb-que`` and ``demo``."""
    data = plan_data()
    summary = DevelopmentDemoSummary()
    meta = data["plan"]
    try:
        system = System.objects.get(code=meta["system"])
    except System.DoesNotExist as exc:
        raise RuntimeError(f"load the demo reference data first: {exc}") from exc
    existing = Plan.objects.filter(system=system, published_on=meta["published_on"]).first()
    if existing is not None:
        summary.created += link_governance(existing) + link_risks(existing)
        return summary
    with transaction.atomic():
        with on(meta["published_on"]):  # the plan and its history bear the plan's date
            plan = load_plan(system, data)
        summary.created.append(
            f"{plan.title} ({plan.workstreams.count()} workstreams, "
            f"{Action.objects.filter(workstream__plan=plan).count()} actions)"
        )
        held = load_checkpoints(plan)
        summary.created.append(f"{held} quarterly checkpoints")
        summary.created += link_governance(plan) + link_risks(plan)
    return summary


def load_plan(system: System, data: dict) -> Plan:
    """The whole plan from its data file."""
    meta = data["plan"]
    plan = plans.create_plan(
        system,
        meta["title"],
        meta["published_on"],
        executive_leads=meta.get("executive_leads", ""),
        regional_lead=meta.get("regional_lead", ""),
        summary=meta.get("summary", ""),
        ambition=meta.get("ambition", ""),
    )
    themes = {t.number: t for t in plan.themes.all()}
    groups = {g.name: g for g in plan.groups.all()}
    workstreams: dict[str, Workstream] = {}
    for order, spec in enumerate(data["workstreams"], start=1):
        theme = themes.get(spec["theme"]) if isinstance(spec["theme"], int) else None
        ws = Workstream.objects.create(
            plan=plan,
            theme=theme,
            group=None if theme else groups[spec["theme"]],
            name=spec["name"],
            order=order,
        )
        workstreams[ws.name] = ws
        n = 0
        for strand in spec["strands"]:
            owners = plans.owners_for(plan, strand["owner"])
            for item in strand["actions"]:
                n += 1
                plans.add_action(
                    ws, item["text"], item["deadline"], owners, strand.get("heading", ""), n
                )
    _load_context(plan, data, themes, workstreams)
    return plan


def _load_context(plan: Plan, data: dict, themes: dict, workstreams: dict) -> None:
    maturity = data["maturity"]
    for number, name, response, levels in maturity["domains"]:
        domain = MaturityDomain.objects.create(
            plan=plan, number=number, name=name, response_level=response
        )
        for day, level in zip(maturity["assessments"], levels, strict=True):
            MaturityScore.objects.create(domain=domain, assessed_on=day, level=level)
    for number, name, written in data["arrangements"]:
        point = key.read_status(written)
        OperatingArrangement.objects.create(
            plan=plan, number=number, name=name, progress=point.code, written_as=written
        )
    for order, gap in enumerate(data["gap_analysis"], start=1):
        area = GapArea.objects.create(
            plan=plan,
            section=gap["section"],
            heading=gap["heading"],
            arrangement=gap["arrangement"],
            current_arrangements=gap["current"],
            development_areas=gap["development"],
            order=order,
        )
        area.themes.set([themes[n] for n in gap["themes"]])
    for number, rec in enumerate(data["recommendations"], start=1):
        Recommendation.objects.create(
            plan=plan, number=number, area=rec["area"], text=rec["text"], response=rec["response"]
        )
    priorities = [
        Priority.objects.create(plan=plan, identified_by=by, name=name, order=i)
        for i, (by, name) in enumerate(data["priorities"], start=1)
    ]
    for order, row in enumerate(data["coverage"], start=1):
        coverage = CoverageRow.objects.create(plan=plan, label=row["row"], order=order)
        coverage.workstreams.set([workstreams[n] for n in row.get("workstreams", [row["row"]])])
        coverage.priorities.set(
            [p for p, tick in zip(priorities, row["ticks"], strict=True) if tick == "x"]
        )
    for order, ask in enumerate(data["asks"], start=1):
        Ask.objects.create(plan=plan, area=ask["area"], items=ask["items"], order=order)
    order = 0
    for theme, statements in data["risks"].items():
        for statement in statements:
            order += 1
            RiskStatement.objects.create(plan=plan, theme=theme, statement=statement, order=order)


#: Milestones signed off by a governance body (by its short name), as the plan says.
SIGNED_OFF = {
    "Development Plan engagement and ratification with System Leaders group, Partnership Board "
    "and other system colleagues to formally sign it off through the current system governance "
    "processes": "SPB",
}


def link_governance(plan: Plan) -> list[str]:
    """Link the milestones the plan says a body signs off to that body, once the governance
    bodies are loaded (``oversight.governance``); nothing while they are not."""
    # Governance is a sibling domain: its model is looked up in the app registry, as the
    # foreign key names it, not imported (docs/architecture.md).
    Body = apps.get_model("governance", "Body")
    linked = []
    for text, short_name in SIGNED_OFF.items():
        body = Body.objects.filter(short_name=short_name).first()
        action = Action.objects.filter(workstream__plan=plan, text=text).first()
        if body and action and action.signed_off_by_id != body.pk:
            with on(plan.published_on):  # a fact the plan states: dated by the plan
                action.signed_off_by = body
                action._change_reason = "signed off by the governance body the plan names"
                action.save(update_fields=["signed_off_by"])
            linked.append(f"sign-off of '{text[:40]}…' by {body.short_name}")
    return linked


#: Risk statements held in detail on the system's risk register (the risks demo's titles).
ON_THE_REGISTER = {
    "A systemised approach to planning and implementation of Population Health Management": (
        "Population health management not systematised across places"
    ),
    "Ensuring a meaningful impact on health inequalities": (
        "ICS development has no meaningful impact on health inequalities"
    ),
    "Ensuring boards have clarity on all key areas across all ICS levels": (
        "Boards lack clarity on decisions at each level of the ICS"
    ),
    "Achieving effective ground-up, local place-based infrastructure": (
        "Place-based infrastructure not in place for the North and South partnerships"
    ),
    "Resolving tensions resulting from changes": (
        "Tensions between partners resulting from changes in roles"
    ),
    "Developing effective ways of working with and between district, county and city councils, "
    "primary care and acute partners to benefit our system": (
        "Ways of working with district, county and city councils not effective"
    ),
    "Retaining the senior commissioning team and the inter-dependencies of system role "
    "recruitment": "Loss of the senior commissioning team through the ICS transition",
    "Developing a workforce plan that is truly ambitious and addresses the system needs": (
        "Workforce plan not ambitious enough for the system's needs"
    ),
    "How to secure the investment to maintain the changes in clinical practice we have made "
    "during pandemic": "Investment to keep the changes in clinical practice made in the pandemic",
    "How to work with NHSE/I to develop an approach to support that is flexible and accounts for "
    "our local issues": "Support from NHS England not flexible to local issues",
}


def link_risks(plan: Plan) -> list[str]:
    """Link the plan's risk statements to the risk register's entries that hold their detail,
    once the register is loaded (``oversight.risks``, a sibling domain: looked up in the app
    registry)."""
    Risk = apps.get_model("risks", "Risk")
    linked = 0
    for statement in plan.risk_statements.filter(risk__isnull=True):
        title = ON_THE_REGISTER.get(statement.statement)
        risk = Risk.objects.filter(system=plan.system, title=title).first() if title else None
        if risk is not None:
            # linked on the story's day the register first assessed the risk (not before the plan)
            with on(max(plan.published_on, risk.inherent_on or plan.published_on)):
                statement.risk = risk
                statement._change_reason = "the risk register holds its detail"
                statement.save(update_fields=["risk"])
            linked += 1
    if not linked:
        return []
    return [f"{linked} risk statement{'' if linked == 1 else 's'} linked to the risk register"]


def _status_at(action: Action, index: int, end: dt.date) -> tuple[str, str]:
    slipped = SLIPPED.get(action.text)
    if slipped:
        statuses, commentary = slipped
        return statuses[index], commentary
    if action.due is not None and action.due <= end:
        return "G", "Delivered."
    if action.starts is not None and action.starts <= end:
        return "GA", "Phase under way."
    return "A", "On track for its deadline."


def load_checkpoints(plan: Plan) -> int:
    """The demo's quarterly checkpoints: every action and workstream assessed at each, the
    assessments and status changes recorded in their history on the day the checkpoint was
    held, by its assessor. (In bulk: four checkpoints of the whole plan are 516 assessments.)"""
    User = get_user_model()
    tz = timezone.get_current_timezone()
    workstreams = list(plans.workstreams_of(plan))
    for index, (quarter, held_on, username) in enumerate(CHECKPOINTS):
        user = User.objects.filter(username=username).first()
        with on(held_on):  # the checkpoint's history bears the day it was held
            checkpoint = plans.open_checkpoint(
                plan,
                quarter,
                held_on,
                user,
                summary=f"{quarter} checkpoint of the ICS development plan.",
            )
        at = dt.datetime.combine(held_on, dt.time(10, 0), tzinfo=tz)
        end = quarter_end(quarter)
        assessments: list[Assessment] = []
        changed_actions: list[Action] = []
        changed_workstreams: list[Workstream] = []
        for ws in workstreams:
            statuses = []
            for action in ws.actions.all():
                status, commentary = _status_at(action, index, end)
                statuses.append(status)
                assessments.append(
                    Assessment(
                        checkpoint=checkpoint,
                        action=action,
                        status=status,
                        commentary=commentary,
                        assessed_by=user,
                        assessed_at=at,
                    )
                )
                if action.status != status:
                    action.status = status
                    changed_actions.append(action)
            worst = key.worst(statuses)
            assessments.append(
                Assessment(
                    checkpoint=checkpoint,
                    workstream=ws,
                    status=worst,
                    commentary=f"The least advanced of its {len(statuses)} actions.",
                    assessed_by=user,
                    assessed_at=at,
                )
            )
            if ws.status != worst:
                ws.status = worst
                changed_workstreams.append(ws)
        reason = f"{quarter} checkpoint"
        history = {"default_user": user, "default_date": at, "default_change_reason": reason}
        bulk_create_with_history(assessments, Assessment, **history)
        bulk_update_with_history(changed_actions, Action, ["status"], **history)
        bulk_update_with_history(changed_workstreams, Workstream, ["status"], **history)
    return len(CHECKPOINTS)
