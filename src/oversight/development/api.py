"""JSON API for development plans (django-ninja router, mounted by ``oversight.api``): plans,
their workstreams and actions, checkpoints and their assessments, the maturity matrix; read
within the user's scope (``oversight.development.rules``)."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema

from oversight.development import plans
from oversight.development.models import Checkpoint, Plan
from oversight.development.rules import visible_plans
from oversight.ui.api import NOT_FOUND

router = Router(tags=["development"])


class PlanOut(Schema):
    id: int
    system_code: str
    system_name: str
    title: str
    published_on: dt.date


class ActionOut(Schema):
    id: int
    strand: str
    text: str
    owners: list[str]
    deadline_text: str
    due_date: dt.date | None
    starts: dt.date | None
    ongoing: bool
    status: str
    late: bool


class WorkstreamOut(Schema):
    id: int
    theme_number: int | None
    theme: str
    name: str
    status: str
    owners: list[str]
    actions: list[ActionOut]


class PlanDetailOut(PlanOut):
    executive_leads: str
    regional_lead: str
    workstreams: list[WorkstreamOut]


class AssessmentOut(Schema):
    workstream_id: int | None
    action_id: int | None
    status: str
    commentary: str
    evidence: str
    assessed_by: str | None
    assessed_at: dt.datetime


class CheckpointOut(Schema):
    id: int
    quarter: str
    held_on: dt.date
    summary: str


class CheckpointDetailOut(CheckpointOut):
    counts: dict[str, int]
    late_action_ids: list[int]
    assessments: list[AssessmentOut]


class ScoreOut(Schema):
    assessed_on: dt.date
    level: str


class DomainOut(Schema):
    number: int
    name: str
    response_level: str
    scores: list[ScoreOut]
    change: str


def _plan_out(plan: Plan) -> dict:
    return {
        "id": plan.pk,
        "system_code": plan.system.code,
        "system_name": plan.system.name,
        "title": plan.title,
        "published_on": plan.published_on,
    }


def _visible(request, plan_id: int) -> Plan:
    return get_object_or_404(visible_plans(request.user).select_related("system"), pk=plan_id)


@router.get("/plans", response=list[PlanOut], summary="Development plans the user may see")
def list_plans(request):
    return [_plan_out(p) for p in visible_plans(request.user).select_related("system")]


@router.get("/plans/{plan_id}", response={200: PlanDetailOut, **NOT_FOUND},
            summary="A plan: workstreams, actions")
def get_plan(request, plan_id: int):
    plan = _visible(request, plan_id)
    today = timezone.localdate()
    workstreams = []
    for ws in plans.workstreams_of(plan):
        actions = list(ws.actions.all())
        owners: dict[int, str] = {}
        for a in actions:
            for o in a.owner_list:
                owners.setdefault(o.pk, o.code)
        workstreams.append(
            {
                "id": ws.pk,
                "theme_number": ws.theme.number if ws.theme_id else None,
                "theme": ws.heading,
                "name": ws.name,
                "status": ws.status,
                "owners": list(owners.values()),
                "actions": [
                    {
                        "id": a.pk,
                        "strand": a.strand,
                        "text": a.text,
                        "owners": [o.code for o in a.owner_list],
                        "deadline_text": a.deadline_text,
                        "due_date": a.due,
                        "starts": a.starts,
                        "ongoing": a.ongoing,
                        "status": a.status,
                        "late": a.is_late(today),
                    }
                    for a in actions
                ],
            }
        )
    return _plan_out(plan) | {
        "executive_leads": plan.executive_leads,
        "regional_lead": plan.regional_lead,
        "workstreams": workstreams,
    }


@router.get(
    "/plans/{plan_id}/checkpoints", response={200: list[CheckpointOut], **NOT_FOUND},
    summary="Quarterly checkpoints"
)
def list_checkpoints(request, plan_id: int):
    plan = _visible(request, plan_id)
    return list(plan.checkpoints.order_by("held_on"))


@router.get(
    "/plans/{plan_id}/checkpoints/{checkpoint_id}",
    response={200: CheckpointDetailOut, **NOT_FOUND},
    summary="A checkpoint: statuses by key point, late actions, every assessment",
)
def get_checkpoint(request, plan_id: int, checkpoint_id: int):
    plan = _visible(request, plan_id)
    checkpoint = get_object_or_404(Checkpoint, pk=checkpoint_id, plan=plan)
    report = plans.checkpoint_report(checkpoint)
    return {
        "id": checkpoint.pk,
        "quarter": checkpoint.quarter,
        "held_on": checkpoint.held_on,
        "summary": checkpoint.summary,
        "counts": report.counts,
        "late_action_ids": [a.pk for a in report.late],
        "assessments": [
            {
                "workstream_id": a.workstream_id,
                "action_id": a.action_id,
                "status": a.status,
                "commentary": a.commentary,
                "evidence": a.evidence,
                "assessed_by": a.assessed_by.get_username() if a.assessed_by else None,
                "assessed_at": a.assessed_at,
            }
            for a in checkpoint.assessments.select_related("assessed_by").order_by("id")
        ],
    }


@router.get(
    "/plans/{plan_id}/maturity", response={200: list[DomainOut], **NOT_FOUND},
    summary="Maturity matrix over time"
)
def get_maturity(request, plan_id: int):
    plan = _visible(request, plan_id)
    _, rows = plans.maturity_matrix(plan)
    return [
        {
            "number": r.domain.number,
            "name": r.domain.name,
            "response_level": r.domain.response_level,
            "scores": [{"assessed_on": s.assessed_on, "level": s.level} for s in r.scores],
            "change": r.change,
        }
        for r in rows
    ]
