"""Business-case pages: the pipeline (/governance/business-cases/) by stage and route with the
amounts asked and the fund remaining, and a case with its steps (who, when, which meeting, why),
sign-offs and scores. Cases are the STP's published programme: anyone signed in may read them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from oversight.delegation.business_cases import (
    fund_remaining,
    missing_sign_offs,
    next_step,
    pipeline,
    route_rules,
    step_rule,
)
from oversight.delegation.models import BusinessCase, ImprovementProject

STAGES = [
    ("outline", "Outline business case"),
    ("full", "Full business case"),
    ("decided", "Decided"),
]


def _crumbs(*items: tuple[str, str | None]) -> list[dict[str, str]]:
    out = [{"href": "/", "text": "Home"}, {"href": "/governance/", "text": "Governance"}]
    return out + [{"href": h, "text": t} if h else {"text": t} for t, h in items]


def pipeline_page(request: HttpRequest) -> HttpResponse:
    rows = pipeline()
    total, remaining = fund_remaining()
    asked = sum(r["case"].amount_asked for r in rows if r["waiting_for_funding"])
    return render(
        request,
        "delegation/business_cases.jinja",
        {
            "active": "governance",
            "stages": [
                (key, label, [r for r in rows if r["stage"] == key]) for key, label in STAGES
            ],
            "fund": route_rules()["fund"]["label"],
            "total": total,
            "remaining": remaining,
            "asked_waiting": asked,
            "projects": ImprovementProject.objects.select_related(
                "group", "sro", "signed_off_at_meeting"
            ).order_by("title"),
            "breadcrumbs": _crumbs(("Business cases", None)),
        },
    )


def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(BusinessCase.objects.select_related("delivery_group"), pk=pk)
    rules = route_rules()
    step = next_step(case)
    criteria = {c["key"]: c for c in rules["criteria"]}
    return render(
        request,
        "delegation/business_case.jinja",
        {
            "active": "governance",
            "case": case,
            "route": rules["routes"][case.route]["label"],
            "next": step_rule(step)["label"] if step else None,
            "decisions": [
                (step_rule(d.step)["label"], d)
                for d in case.decisions.select_related("body", "meeting", "decided_by")
            ],
            "sign_offs": case.sign_offs.select_related("organisation"),
            "missing": missing_sign_offs(case),
            "scores": [(criteria[s.criterion], s.score) for s in case.scores.all()],
            "outcome": rules["outcomes"].get(case.outcome, {}).get("label"),
            "breadcrumbs": _crumbs(
                ("Business cases", "/governance/business-cases/"), (case.title, None)
            ),
        },
    )
