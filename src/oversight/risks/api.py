"""JSON API for the risk register (django-ninja router, mounted at /api/risks/ by
``oversight.api``): list and read risks with their scores, band, appetite status, level and
review state, within what the user may see (``risks.rules.visible_risks``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from oversight.risks.models import LIVE
from oversight.risks.register import Assessed, assess, with_related
from oversight.risks.rules import visible_risks
from oversight.ui.api import NOT_FOUND

router = Router(tags=["risks"])


class ScoreOut(Schema):
    likelihood: int | None
    consequence: int | None
    score: int | None
    band: str | None
    on: dt.date | None


class AppetiteOut(Schema):
    level: str | None
    tolerated_up_to: int | None
    outside: bool


class ControlOut(Schema):
    description: str
    owner: str


class AssuranceOut(Schema):
    line: str
    source: str
    description: str
    dated: dt.date | None
    outcome: str


class GapOut(Schema):
    kind: str
    description: str
    closed_on: dt.date | None


class ActionOut(Schema):
    title: str
    owner: str
    due: dt.date
    status: str
    overdue: bool


class AssessmentOut(Schema):
    assessed_on: dt.date
    likelihood: int
    consequence: int
    score: int


class RiskOut(Schema):
    reference: str
    title: str
    system: str
    organisations: list[str]
    status: str
    cause: str
    event: str
    effect: str
    objective: str | None
    theme: str
    consequence_domain: str
    owner: str | None
    manager: str | None
    lead_committee: str | None
    level: str
    held_by: str | None
    inherent: ScoreOut
    current: ScoreOut
    target: ScoreOut
    trend: str
    appetite: AppetiteOut
    review_months: int
    last_reviewed_on: dt.date | None
    next_review: dt.date | None
    review_overdue: bool
    principal: bool
    board_assurance: str | None


class RiskDetailOut(RiskOut):
    controls: list[ControlOut]
    assurances: list[AssuranceOut]
    gaps: list[GapOut]
    actions: list[ActionOut]
    assessments: list[AssessmentOut]
    metrics: list[str]
    support_case_id: int | None


def _score(a: Assessed, which: str) -> dict:
    r = a.risk
    score = getattr(r, f"{which}_score")
    band = a.scoring.band(score)
    return {
        "likelihood": getattr(r, f"{which}_likelihood"),
        "consequence": getattr(r, f"{which}_consequence"),
        "score": score,
        "band": band.code if band else None,
        "on": getattr(r, f"{which}_on"),
    }


def _name(user) -> str | None:
    return user.get_username() if user else None


def _risk(a: Assessed) -> dict:
    r = a.risk
    return {
        "reference": r.reference,
        "title": r.title,
        "system": r.system.code,
        "organisations": sorted(o.ods_code for o in r.organisations.all()),
        "status": r.status,
        "cause": r.cause,
        "event": r.event,
        "effect": r.effect,
        "objective": r.objective.code if r.objective_id else None,
        "theme": r.theme,
        "consequence_domain": r.consequence_domain,
        "owner": _name(r.owner),
        "manager": _name(r.manager),
        "lead_committee": r.lead_committee.short_name if r.lead_committee_id else None,
        "level": r.level,
        "held_by": r.held_by.short_name if r.held_by_id else None,
        "inherent": _score(a, "inherent"),
        "current": _score(a, "current"),
        "target": _score(a, "target"),
        "trend": a.trend,
        "appetite": {
            "level": a.appetite_level.code if a.appetite_level else None,
            "tolerated_up_to": a.appetite_level.tolerated[1] if a.appetite_level else None,
            "outside": a.outside_appetite,
        },
        "review_months": r.review_months,
        "last_reviewed_on": r.last_reviewed_on,
        "next_review": r.next_review,
        "review_overdue": a.review_overdue,
        "principal": r.principal,
        "board_assurance": r.board_assurance or None,
    }


def _qs(request):
    return with_related(
        visible_risks(request.user).select_related("lead_committee", "held_by")
    )


@router.get("/", response=list[RiskOut])
def list_risks(
    request,
    system: str | None = None,
    organisation: str | None = None,
    status: str = "live",
    band: str | None = None,
    outside_appetite: bool | None = None,
    overdue: bool | None = None,
):
    """Risks the user may see, highest current score first. ``status``: live (open or
    tolerated, the default), suggested, closed, dismissed or all; ``organisation``: an ODS
    code, or ``system`` for system-wide risks."""
    qs = _qs(request)
    if status == "live":
        qs = qs.filter(status__in=LIVE)
    elif status != "all":
        qs = qs.filter(status=status)
    if system:
        qs = qs.filter(system__code=system.upper())
    if organisation == "system":
        qs = qs.filter(organisations__isnull=True)
    elif organisation:
        qs = qs.filter(organisations__ods_code=organisation.upper())
    rows = assess(qs, timezone.localdate())
    if band:
        rows = [a for a in rows if a.current_band and a.current_band.code == band]
    if outside_appetite is not None:
        rows = [a for a in rows if a.outside_appetite == outside_appetite]
    if overdue is not None:
        rows = [a for a in rows if a.review_overdue == overdue]
    rows.sort(key=lambda a: (-(a.risk.current_score or 0), a.risk.reference))
    return [_risk(a) for a in rows]


@router.get("/{reference}", response={200: RiskDetailOut, **NOT_FOUND})
def read_risk(request, reference: str):
    """One risk with its controls, assurances, gaps, actions and assessments (404 when it does
    not exist or the user may not see it)."""
    risk = _qs(request).filter(Q(reference=reference)).prefetch_related(
        "controls", "assurances", "gaps", "actions__owner", "metrics"
    ).first()
    if risk is None:
        raise HttpError(404, f"No risk {reference} you may see.")
    a = assess([risk], timezone.localdate())[0]
    today = timezone.localdate()
    return _risk(a) | {
        "controls": [{"description": c.description, "owner": c.owner}
                     for c in risk.controls.all()],
        "assurances": [{"line": s.line, "source": s.source, "description": s.description,
                        "dated": s.dated, "outcome": s.outcome} for s in risk.assurances.all()],
        "gaps": [{"kind": g.kind, "description": g.description, "closed_on": g.closed_on}
                 for g in risk.gaps.all()],
        "actions": [{"title": x.title, "owner": x.owner.get_username(), "due": x.due,
                     "status": x.status, "overdue": x.is_overdue(today)}
                    for x in risk.actions.all()],
        "assessments": [{"assessed_on": s.assessed_on, "likelihood": s.likelihood,
                         "consequence": s.consequence, "score": s.score}
                        for s in risk.assessments.all()],
        "metrics": sorted({m.code for m in risk.metrics.all()}),
        "support_case_id": risk.support_case_id,
    }
