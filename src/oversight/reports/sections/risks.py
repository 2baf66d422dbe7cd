"""Risks escalated to the board and the board assurance framework summary, from the system's
risk register (``oversight.risks``): the live risks on the register on the day of issue."""

from __future__ import annotations

from typing import Any

from oversight.reports.sections.scope import Scope, day
from oversight.risks.models import LIVE, Risk, StrategicObjective
from oversight.risks.register import Assessed, assess, with_related
from oversight.risks.scoring import scoring_for


def _risk(a: Assessed) -> dict[str, Any]:
    r = a.risk
    band = a.current_band
    target = a.target_band
    return {
        "reference": r.reference,
        "title": r.title,
        "theme": a.theme_name,
        "owner": (r.owner.get_full_name() or r.owner.get_username()) if r.owner_id else "",
        "lead_committee": r.lead_committee.short_name if r.lead_committee_id else "",
        "current_score": r.current_score,
        "current_band": band.name if band else "",
        "target_score": r.target_score,
        "target_band": target.name if target else "",
        "trend": a.trend,
        "outside_appetite": a.outside_appetite,
        "level": a.level_name,
        "board_assurance": a.scoring.assurance_levels[r.board_assurance].name
        if r.board_assurance in a.scoring.assurance_levels else "",
        "board_assurance_on": day(r.board_assurance_on),
        "gaps": [g.description for g in r.gaps.all() if g.closed_on is None],
        "next_review": day(r.next_review),
    }


def risks_section(scope: Scope) -> dict[str, Any] | None:
    live = Risk.objects.filter(system=scope.system, status__in=LIVE,
                               created_at__date__lte=scope.as_at)
    if not Risk.objects.filter(system=scope.system).exists():
        return None
    scoring = scoring_for(scope.system.code)
    board_level = scoring.levels[-1].code
    assessed = assess(with_related(live.prefetch_related("gaps")), scope.as_at)
    escalated = sorted((a for a in assessed if a.risk.level == board_level),
                       key=lambda a: (-(a.risk.current_score or 0), a.risk.reference))
    principal = [a for a in assessed if a.risk.principal]
    objectives = []
    for objective in StrategicObjective.objects.filter(system=scope.system):
        risks = sorted((a for a in principal if a.risk.objective_id == objective.pk),
                       key=lambda a: -(a.risk.current_score or 0))
        if risks:
            objectives.append({"objective": str(objective), "risks": [_risk(a) for a in risks]})
    loose = [a for a in principal if a.risk.objective_id is None]
    if loose:
        objectives.append({"objective": "No strategic objective",
                           "risks": [_risk(a) for a in loose]})
    return {
        "board_level": scoring.level_name(board_level),
        "live": len(assessed),
        "escalated": [_risk(a) for a in escalated],
        "baf": objectives,
    }
