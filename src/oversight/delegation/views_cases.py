"""Business-case pages: the pipeline (/governance/business-cases/) by stage and route with the
amounts asked and the fund remaining, and a case with its steps (who, when, which meeting, why,
the members kept out of the decision by a conflict of interest), sign-offs, scores and disputes.
Cases are the STP's published programme: anyone signed in may read them; the forms record a
proposal, each step, the committee's evaluation and the sign-offs (``delegation.rules``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from oversight.delegation import forms
from oversight.delegation.business_cases import (
    SIGN_OFF_BEFORE,
    decide_step,
    deciding_bodies,
    evaluate_case,
    fund_remaining,
    missing_sign_offs,
    next_step,
    pipeline,
    propose,
    route_rules,
    sign_off,
    sign_off_is_final,
    step_rule,
    still_to_decide,
)
from oversight.delegation.conflicts import conflict_lines
from oversight.delegation.models import BusinessCase, CaseStatus, ImprovementProject
from oversight.delegation.recording import record_with, require
from oversight.governance.models import Body
from oversight.ui.pages import breadcrumbs, page

STAGES = [
    ("outline", "Outline business case"),
    ("full", "Full business case"),
    ("decided", "Decided"),
]


def pipeline_page(request: HttpRequest) -> HttpResponse:
    rows = pipeline()
    total, remaining = fund_remaining()
    asked = sum(r["case"].amount_asked for r in rows if r["waiting_for_funding"])
    return page(
        request,
        "delegation/business_cases.jinja",
        {
            "active": "governance",
            "can_propose": request.user.has_perm("delegation.run_case"),
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
            "breadcrumbs": breadcrumbs(("Governance", "/governance/"), ("Business cases", None)),
        },
    )


def _next_action(request: HttpRequest, case: BusinessCase, step: str | None) -> dict | None:
    """The form that records the case's next step, when this user may record it."""
    if step is None:
        return None
    rule = step_rule(step)
    if rule.get("signed_by") == "organisations":
        allowed, where = request.user.has_perm("delegation.run_case", case), "sign-off"
    else:
        bodies = still_to_decide(case, step)
        allowed = _keeps_minutes_of(request.user, bodies)
        where = "evaluate" if step == "evaluation" else "step"
    if not allowed:
        return None
    return {"href": f"{_case_url(case)}{where}/", "text": f"Record: {rule['label'].lower()}"}


def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(pk)
    rules = route_rules()
    step = next_step(case)
    criteria = {c["key"]: c for c in rules["criteria"]}
    sign_offs = list(case.sign_offs.select_related("organisation").order_by("signed_on"))
    return page(
        request,
        "delegation/business_case.jinja",
        {
            "active": "governance",
            "case": case,
            "route": rules["routes"][case.route]["label"],
            "next": step_rule(step)["label"] if step else None,
            "action": _next_action(request, case, step),
            "can_sign_off": request.user.has_perm("delegation.run_case", case)
            and step not in (None, "final_sign_off")
            and case.status in SIGN_OFF_BEFORE,
            "decisions": [
                (step_rule(d.step)["label"], d, conflict_lines(d.item))
                for d in case.decisions.select_related("body", "meeting", "decided_by", "item")
            ],
            "sign_offs": [s for s in sign_offs if not s.final],
            "final_sign_offs": [s for s in sign_offs if s.final],
            "missing": missing_sign_offs(case),
            "missing_final": missing_sign_offs(case, final=True)
            if case.status == CaseStatus.APPROVAL
            else [],
            "scores": [(criteria[s.criterion], s.score) for s in case.scores.all()],
            "outcome": rules["outcomes"].get(case.outcome, {}).get("label"),
            "disputes": case.disputes.select_related("raised_in"),
            "breadcrumbs": breadcrumbs(*_case_trail(case)[:2], (case.title, None)),
        },
    )


# ----------------------------------------------------------------------------- recording

CASES = ("Business cases", "/governance/business-cases/")


def _case(pk: int) -> BusinessCase:
    return get_object_or_404(BusinessCase.objects.select_related("delivery_group"), pk=pk)


def _case_trail(case: BusinessCase) -> tuple[tuple[str, str | None], ...]:
    return (("Governance", "/governance/"), CASES, (case.title, _case_url(case)))


def _case_url(case: BusinessCase) -> str:
    return f"/governance/business-cases/{case.pk}/"


def _keeps_minutes_of(user, bodies: list[str]) -> bool:
    return any(
        user.has_perm("governance.manage_minutes", b)
        for b in Body.objects.filter(short_name__in=bodies)
    )


def case_new(request: HttpRequest) -> HttpResponse:
    require(request, "delegation.run_case")
    form = forms.ProposalForm(request.POST or None)

    def save(data: dict[str, Any]) -> tuple[str, str]:
        case = propose(
            data["title"],
            data["route"],
            amount_asked=data["amount_asked"] or Decimal(0),
            delivery_group=data["delivery_group"],
            organisations=list(data["organisations"]),
            user=request.user,
        )
        return f"Project proposal '{case.title}' recorded.", _case_url(case)

    return record_with(
        request,
        form,
        save,
        back="/governance/business-cases/",
        title="Record a project proposal",
        caption="Business cases",
        trail=(("Governance", "/governance/"), CASES),
        button="Record proposal",
    )


def _step_or_back(request: HttpRequest, case: BusinessCase, wanted: str) -> str | None:
    """The case's next step when it is of the kind this page records, else None (and why)."""
    step = next_step(case)
    if step is None:
        messages.error(request, f"{case.title} has completed its route.")
        return None
    rule = step_rule(step)
    kind = (
        "sign_off"
        if rule.get("signed_by") == "organisations"
        else "evaluation"
        if step == "evaluation"
        else "step"
    )
    if kind != wanted:
        messages.error(request, f"{case.title} waits for: {rule['label']}.")
        return None
    return step


def _meeting_form(request: HttpRequest, form_class: type[forms.StepForm], bodies: list[str]):
    """A step's form offering the past meetings of ``bodies`` whose minutes the user keeps;
    ``?meeting=`` (HTMX, as a meeting is picked) offers that meeting's agenda items only."""
    meetings = forms.recordable_meetings(request.user, bodies)
    return form_class(
        request.POST or None,
        meetings=meetings,
        user=request.user,
        chosen=request.GET.get("meeting"),
    )


def case_step(request: HttpRequest, pk: int) -> HttpResponse:
    """A body's decision on the case's next step, at one of its meetings."""
    case = _case(pk)
    step = _step_or_back(request, case, "step")
    if step is None:
        return redirect(_case_url(case))
    bodies = still_to_decide(case, step)
    if not _keeps_minutes_of(request.user, bodies):
        raise PermissionDenied
    form = _meeting_form(request, forms.StepForm, bodies)

    def save(data: dict[str, Any]) -> tuple[str, str]:
        require(request, "governance.manage_minutes", data["meeting"])
        decide_step(
            case,
            step,
            data["meeting"],
            item=data["item"],
            reason=data["reason"],
            user=request.user,
        )
        said = f"{step_rule(step)['label']}: the decision of {data['meeting'].body.name} recorded."
        return said, _case_url(case)

    return record_with(
        request,
        form,
        save,
        back=_case_url(case),
        title=step_rule(step)["label"],
        caption=case.title,
        trail=_case_trail(case),
        button="Record decision",
        extra={"waiting": bodies},
    )


def case_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    """The Investment Committee's evaluation: scores, outcome, amount awarded."""
    case = _case(pk)
    bodies = deciding_bodies(case, "evaluation")
    if not _keeps_minutes_of(request.user, bodies):
        raise PermissionDenied
    step = _step_or_back(request, case, "evaluation")
    if step is None:
        return redirect(_case_url(case))
    form = _meeting_form(request, forms.EvaluationForm, bodies)

    def save(data: dict[str, Any]) -> tuple[str, str]:
        require(request, "governance.manage_minutes", data["meeting"])
        evaluate_case(
            case,
            data["meeting"],
            scores=form.scores(),
            outcome=data["outcome"],
            amount_awarded=data["amount_awarded"],
            item=data["item"],
            reason=data["reason"],
            user=request.user,
        )
        label = route_rules()["outcomes"][data["outcome"]]["label"]
        return f"Investment Committee: {label}.", _case_url(case)

    missing = missing_sign_offs(case)
    return record_with(
        request,
        form,
        save,
        back=_case_url(case),
        title="Evaluate the full business case",
        caption=case.title,
        trail=_case_trail(case),
        button="Record evaluation",
        extra={
            "intro": f"Amount asked: £{case.amount_asked:,.0f}."
            + (f" Not yet signed off by {', '.join(missing)}." if missing else "")
        },
    )


def case_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    """An affected organisation's formal sign-off: before the Investment Committee, or the
    final sign-off after the HCE's approval."""
    case = _case(pk)
    require(request, "delegation.run_case", case)
    final = sign_off_is_final(case)
    form = forms.SignOffForm(request.POST or None, case=case, final=final)

    def save(data: dict[str, Any]) -> tuple[str, str]:
        sign_off(
            case,
            data["organisation"],
            authority=data["authority"],
            signed_on=data["signed_on"],
            user=request.user,
        )
        what = "Final sign-off" if final else "Sign-off"
        return f"{what} by {data['organisation'].name} recorded.", _case_url(case)

    return record_with(
        request,
        form,
        save,
        back=_case_url(case),
        title="Record the final formal sign-off" if final else "Record a formal sign-off",
        caption=case.title,
        trail=_case_trail(case),
        button="Record sign-off",
        extra={
            "intro": "After the HCE's approval, each relevant organisation signs the case off."
            if final
            else "Delivery groups must ensure sign-off (the CCG CEC, provider boards or someone "
            "with delegated authority) before a case goes to the Investment Committee."
        },
    )
