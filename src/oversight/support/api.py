"""JSON API for support (django-ninja router, mounted by ``oversight.api``): support cases,
RSP cases and SOAG actions, read within the user's scope; actions raised by SOAG and the
regional team. Session authentication with CSRF (django_auth)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from oversight.organisations.models import Organisation, System
from oversight.support.actions import raise_action
from oversight.support.models import CaseKind, SoagAction, SupportCase
from oversight.support.rules import visible_actions, visible_cases
from oversight.ui.api import NOT_FOUND, Problem

router = Router(tags=["support"])


class PackageItemOut(Schema):
    code: str
    name: str
    provider: str


class TransitionOut(Schema):
    event: str
    source: str
    target: str
    by: str | None
    at: dt.datetime
    reason: str


class CaseOut(Schema):
    id: int
    kind: str
    status: str
    segment: int
    framework: str
    subject_code: str
    subject_name: str
    subject_type: str
    region: str | None
    decision_id: int | None
    lead: str | None
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    enhanced_monitoring: str
    extra_reporting: str
    financial_controls: str
    capital_approval_limit: float | None
    advisory_senior_appointments: bool
    package: list[PackageItemOut]
    transitions: list[TransitionOut]


class CriterionOut(Schema):
    id: int
    description: str
    metric: str | None
    direction: str
    threshold: float | None
    cqc_rating: str
    evidence: str
    met: bool | None
    judged_by: str | None
    judged_at: dt.datetime | None


class MilestoneOut(Schema):
    title: str
    due: dt.date
    achieved_on: dt.date | None


class RspOut(Schema):
    case: CaseOut
    sid_name: str
    sid_appointed: bool
    system_agreed_by: str
    system_agreed_on: dt.date | None
    region_agreed_by: str
    region_agreed_on: dt.date | None
    national_agreed_by: str
    national_agreed_on: dt.date | None
    stocktake_on: dt.date | None
    root_causes: str
    partners_involved: str
    indicative_exit: dt.date | None
    review_cycle: str
    next_review: dt.date | None
    entry_on_cqc_recommendation: bool
    cqc_exit_recommended_on: dt.date | None
    criteria: list[CriterionOut]
    criteria_met: int
    milestones: list[MilestoneOut]
    exit_decision_id: int | None


class ActionOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    subject_code: str
    subject_type: str
    case_id: int | None
    owner: str
    due: dt.date
    status: str
    overdue: bool
    evidence: str
    escalated_at: dt.datetime | None
    completed_at: dt.datetime | None


class ActionIn(Schema):
    organisation: str | None = None
    system: str | None = None
    case_id: int | None = None
    kind: str
    title: str
    description: str = ""
    owner: str
    due: dt.date


def _name(user) -> str | None:
    return user.get_username() if user else None


def _case(c: SupportCase) -> dict:
    return {
        "id": c.pk,
        "kind": c.kind,
        "status": c.status,
        "segment": c.segment,
        "framework": c.framework.code,
        "subject_code": c.subject_code,
        "subject_name": c.subject_name,
        "subject_type": "organisation" if c.organisation_id else "system",
        "region": c.region.code if c.region else None,
        "decision_id": c.decision_id,
        "lead": _name(c.lead),
        "opened_at": c.opened_at,
        "closed_at": c.closed_at,
        "enhanced_monitoring": c.enhanced_monitoring,
        "extra_reporting": c.extra_reporting,
        "financial_controls": c.financial_controls,
        "capital_approval_limit": (
            float(c.capital_approval_limit) if c.capital_approval_limit is not None else None
        ),
        "advisory_senior_appointments": c.advisory_senior_appointments,
        "package": [
            {"code": p.code, "name": p.name, "provider": p.provider} for p in c.package.all()
        ],
        "transitions": [
            {
                "event": t.event,
                "source": t.source,
                "target": t.target,
                "by": _name(t.by),
                "at": t.at,
                "reason": t.reason,
            }
            for t in c.transitions.all()
        ],
    }


def _rsp(c: SupportCase) -> dict:
    r = c.rsp
    criteria = list(r.criteria.select_related("metric", "judged_by"))
    fields = [
        "sid_name",
        "system_agreed_by",
        "system_agreed_on",
        "region_agreed_by",
        "region_agreed_on",
        "national_agreed_by",
        "national_agreed_on",
        "stocktake_on",
        "root_causes",
        "partners_involved",
        "indicative_exit",
        "review_cycle",
        "next_review",
        "entry_on_cqc_recommendation",
        "cqc_exit_recommended_on",
        "exit_decision_id",
    ]
    return {f: getattr(r, f) for f in fields} | {
        "case": _case(c),
        "sid_appointed": r.sid_appointed,
        "criteria": [
            {
                "id": k.pk,
                "description": k.description,
                "metric": k.metric.code if k.metric_id else None,
                "direction": k.direction,
                "threshold": k.threshold,
                "cqc_rating": k.cqc_rating,
                "evidence": k.evidence,
                "met": k.met,
                "judged_by": _name(k.judged_by),
                "judged_at": k.judged_at,
            }
            for k in criteria
        ],
        "criteria_met": sum(k.met is True for k in criteria),
        "milestones": [
            {"title": m.title, "due": m.due, "achieved_on": m.achieved_on}
            for m in r.milestones.all()
        ],
    }


def _action(a: SoagAction, cases_seen: set[int]) -> dict:
    """An action as its reader sees it: the case it serves only if the reader may see that case
    (``cases_seen``: a case opened by an unpublished decision is not named to those who may
    not see the decision, ``support.rules.visible_cases``)."""
    return {
        "id": a.pk,
        "kind": a.kind,
        "title": a.title,
        "description": a.description,
        "subject_code": a.organisation.ods_code if a.organisation_id else a.system.code,
        "subject_type": "organisation" if a.organisation_id else "system",
        "case_id": a.case_id if a.case_id in cases_seen else None,
        "owner": a.owner.get_username(),
        "due": a.due,
        "status": a.status,
        "overdue": a.is_overdue(),
        "evidence": a.evidence,
        "escalated_at": a.escalated_at,
        "completed_at": a.completed_at,
    }


def _cases(request, **filters):
    return (
        visible_cases(request.user)
        .filter(**filters)
        .select_related("organisation__region", "system__region", "framework", "lead")
        .prefetch_related("package", "transitions__by")
        .order_by("-opened_at")
    )


@router.get("/cases", response=list[CaseOut])
def list_cases(
    request, kind: str | None = None, status: str | None = None, segment: int | None = None
):
    """Support cases the user may see, newest first."""
    filters = {
        k: v
        for k, v in {"kind": kind, "status": status, "segment": segment}.items()
        if v is not None
    }
    return [_case(c) for c in _cases(request, **filters)]


@router.get("/cases/{case_id}", response={200: CaseOut, **NOT_FOUND})
def read_case(request, case_id: int):
    return _case(get_object_or_404(_cases(request), pk=case_id))


@router.get("/rsp", response=list[RspOut])
def list_rsp(request):
    """Recovery Support Programme cases with their appointment, stocktake and exit criteria."""
    return [_rsp(c) for c in _cases(request, kind=CaseKind.RSP).select_related("rsp")]


@router.get("/rsp/{case_id}", response={200: RspOut, **NOT_FOUND})
def read_rsp(request, case_id: int):
    return _rsp(get_object_or_404(_cases(request, kind=CaseKind.RSP), pk=case_id))


def _actions(request):
    return visible_actions(request.user).select_related("owner", "organisation", "system",
                                                         "case")


def _cases_seen(request, actions: list[SoagAction]) -> set[int]:
    """The cases of ``actions`` the user may see (one query for a whole list)."""
    ids = {a.case_id for a in actions if a.case_id}
    return set(visible_cases(request.user).filter(pk__in=ids).values_list("pk", flat=True))


@router.get("/actions", response=list[ActionOut])
def list_actions(request, status: str | None = None, overdue: bool | None = None):
    qs = _actions(request)
    if status:
        qs = qs.filter(status=status)
    actions = list(qs)
    seen = _cases_seen(request, actions)
    rows = [_action(a, seen) for a in actions]
    return [r for r in rows if overdue is None or r["overdue"] == overdue]


@router.get("/actions/{action_id}", response={200: ActionOut, **NOT_FOUND})
def read_action(request, action_id: int):
    action = get_object_or_404(_actions(request), pk=action_id)
    return _action(action, _cases_seen(request, [action]))


@router.post("/actions", response={201: ActionOut, 403: Problem, 422: Problem})
def create_action(request, payload: ActionIn):
    """Raise a SOAG action for an organisation (ODS code) or a system (code)."""
    if not request.user.has_perm("support.add_soagaction"):
        raise HttpError(403, "Only the regional team and SOAG members raise actions.")
    if bool(payload.organisation) == bool(payload.system):
        raise HttpError(422, "Give either 'organisation' or 'system'.")
    from django.contrib.auth import get_user_model

    subject = (
        Organisation.objects.filter(ods_code=payload.organisation.upper()).first()
        if payload.organisation
        else System.objects.filter(code=payload.system.upper()).first()
    )
    if subject is None:
        raise HttpError(422, f"No such {'organisation' if payload.organisation else 'system'}.")
    if not request.user.has_perm("support.add_soagaction", subject):
        raise HttpError(403, "The subject is outside your scope.")
    owner = get_user_model().objects.filter(username=payload.owner, is_active=True).first()
    if owner is None:
        raise HttpError(422, f"No active user '{payload.owner}'.")
    case = None
    if payload.case_id is not None:
        case = visible_cases(request.user).filter(pk=payload.case_id).first()
        if case is None:
            raise HttpError(422, f"No support case {payload.case_id} you may see.")
    try:
        action = raise_action(
            user=request.user,
            subject=subject,
            kind=payload.kind,
            title=payload.title,
            owner=owner,
            due=payload.due,
            description=payload.description,
            case=case,
        )
    except ValidationError as exc:
        raise HttpError(422, "; ".join(exc.messages)) from None
    return Status(201, _action(action, _cases_seen(request, [action])))
