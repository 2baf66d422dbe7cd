"""Development plan pages under /development/. Thin: who may see and assess comes from
``oversight.development.rules``, the work from ``plans`` and ``charts``. Every form works
without JavaScript; with HTMX the checkpoint's assessment form opens in place."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from markupsafe import Markup

from oversight.development import charts, forms, key, plans
from oversight.development.models import Checkpoint, Plan, Workstream
from oversight.development.rules import visible_plans
from oversight.ui.pages import breadcrumbs, page


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """A development page (the kit's ``page``) with the plan's key."""
    return page(request, template, {"active": "development", "key": key} | context, status=status)


def _plan_or_403(request: HttpRequest, pk: int) -> Plan:
    plan = get_object_or_404(Plan.objects.select_related("system"), pk=pk)
    if not request.user.has_perm("development.view_plan", plan):
        raise PermissionDenied
    return plan


def _crumbs(plan: Plan | None, *items: tuple[str, str | None]) -> list[dict[str, str]]:
    trail = [("Development plans", "/development/")]
    if plan is not None:
        trail.append((plan.system.name, plan.get_absolute_url()))
    return breadcrumbs(*trail, *items)


def _plan_context(request: HttpRequest, plan: Plan, page: str) -> dict[str, Any]:
    return {
        "plan": plan,
        "section": page,
        "can_assess": request.user.has_perm("development.assess_plan", plan),
    }


def plan_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = []
    for plan in visible_plans(request.user).select_related("system"):
        actions = list(plans.plan_actions(plan))
        rows.append(
            {
                "plan": plan,
                "workstreams": plan.workstreams.count(),
                "actions": len(actions),
                "achieved": sum(a.achieved for a in actions),
                "late": sum(a.is_late(today) for a in actions),
                "latest": plan.checkpoints.order_by("-held_on").first(),
            }
        )
    return _page(
        request,
        "development/plan_list.jinja",
        {
            "rows": rows,
            "today": today,
            "breadcrumbs": _crumbs(None)[:-1] + [{"text": "Development plans"}],
        },
    )


def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_403(request, pk)
    today = timezone.localdate()
    blocks = plans.plan_on_a_page(plan, today)
    late = sum(line.late for g in blocks for t in g.themes for line in t.lines)
    return _page(
        request,
        "development/plan.jinja",
        _plan_context(request, plan, "plan")
        | {
            "blocks": blocks,
            "today": today,
            "late": late,
            "latest": plan.checkpoints.order_by("-held_on").first(),
            "breadcrumbs": _crumbs(None, (plan.system.name, None)),
        },
    )


def workstream_detail(request: HttpRequest, pk: int, ws: int) -> HttpResponse:
    plan = _plan_or_403(request, pk)
    workstream = get_object_or_404(
        Workstream.objects.select_related("theme", "group"), pk=ws, plan=plan
    )
    actions = list(
        workstream.actions.prefetch_related("owner_links__owner").select_related(
            "signed_off_by", "reported_at__body"
        )
    )
    histories = {a.pk: plans.action_history(a) for a in actions}
    return _page(
        request,
        "development/workstream.jinja",
        _plan_context(request, plan, "plan")
        | {
            "workstream": workstream,
            "actions": actions,
            "histories": histories,
            "ws_history": list(
                workstream.assessments.select_related("checkpoint", "assessed_by").order_by(
                    "checkpoint__held_on"
                )
            ),
            "owners": plans.workstream_owners(workstream),
            "priorities": sorted(
                {p for row in workstream.coverage_rows.all() for p in row.priorities.all()},
                key=lambda p: p.order,
            ),
            "today": timezone.localdate(),
            "breadcrumbs": _crumbs(plan, (workstream.name, None)),
        },
    )


def timeline(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_403(request, pk)
    today = timezone.localdate()
    columns, ongoing = plans.timeline(plan)
    workstreams = list(plans.workstreams_of(plan))
    return _page(
        request,
        "development/timeline.jinja",
        _plan_context(request, plan, "timeline")
        | {
            "chart": Markup(charts.timeline_svg(workstreams, columns, ongoing, today)),  # noqa: S704 - built with every text escaped
            "columns": columns,
            "ongoing": ongoing,
            "today": today,
            "late": plans.late_actions(plan, today),
            "breadcrumbs": _crumbs(plan, ("Timeline", None)),
        },
    )


def maturity(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_403(request, pk)
    dates, rows = plans.maturity_matrix(plan)
    return _page(
        request,
        "development/maturity.jinja",
        _plan_context(request, plan, "maturity")
        | {
            "dates": dates,
            "rows": rows,
            "chart": Markup(charts.maturity_svg(dates, rows)),  # noqa: S704 - escaped texts
            "breadcrumbs": _crumbs(plan, ("Maturity matrix", None)),
        },
    )


def arrangements(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_403(request, pk)
    return _page(
        request,
        "development/arrangements.jinja",
        _plan_context(request, plan, "arrangements")
        | {
            "arrangements": list(plan.arrangements.all()),
            "gaps": list(plan.gap_areas.prefetch_related("themes")),
            "themes": list(plan.themes.order_by("number")),
            "breadcrumbs": _crumbs(plan, ("Operating arrangements and gap analysis", None)),
        },
    )


def coverage(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_403(request, pk)
    priorities = list(plan.priorities.all())
    groups: list[tuple[str, int]] = []
    for p in priorities:
        if groups and groups[-1][0] == p.identified_by:
            groups[-1] = (p.identified_by, groups[-1][1] + 1)
        else:
            groups.append((p.identified_by, 1))
    rows = [
        (row, list(row.workstreams.all()), {p.pk for p in row.priorities.all()})
        for row in plan.coverage.prefetch_related("workstreams", "priorities")
    ]
    return _page(
        request,
        "development/coverage.jinja",
        _plan_context(request, plan, "coverage")
        | {
            "priorities": priorities,
            "groups": groups,
            "rows": rows,
            "recommendations": list(plan.recommendations.all()),
            "breadcrumbs": _crumbs(plan, ("Priorities and coverage", None)),
        },
    )


def asks_and_risks(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_403(request, pk)
    risks: dict[str, list] = {}
    for statement in plan.risk_statements.select_related("risk"):
        # The register's entry is shown only to those the register lets see it.
        statement.shown_risk = (
            statement.risk
            if statement.risk_id and request.user.has_perm("risks.view_risk", statement.risk)
            else None
        )
        risks.setdefault(statement.theme, []).append(statement)
    return _page(
        request,
        "development/asks.jinja",
        _plan_context(request, plan, "asks")
        | {
            "asks": list(plan.asks.all()),
            "risks": risks,
            "breadcrumbs": _crumbs(plan, ("Asks of the region and risks", None)),
        },
    )


# ----------------------------------------------------------------------------- checkpoints


def checkpoint_list(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_403(request, pk)
    can_assess = request.user.has_perm("development.assess_plan", plan)
    form = forms.CheckpointForm(request.POST or None, plan=plan)
    status = 200
    if request.method == "POST":
        if not can_assess:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            checkpoint = plans.open_checkpoint(
                plan, data["quarter"], data["held_on"], request.user, data["summary"]
            )
            messages.success(request, f"{checkpoint.quarter} checkpoint opened.")
            return redirect(checkpoint)
        status = 400
    return _page(
        request,
        "development/checkpoint_list.jinja",
        _plan_context(request, plan, "checkpoints")
        | {
            "checkpoints": list(plan.checkpoints.order_by("-held_on").select_related("created_by")),
            "form": form,
            "breadcrumbs": _crumbs(plan, ("Quarterly checkpoints", None)),
        },
        status=status,
    )


def _checkpoint(request: HttpRequest, pk: int, cp: int) -> tuple[Plan, Checkpoint]:
    plan = _plan_or_403(request, pk)
    return plan, get_object_or_404(Checkpoint, pk=cp, plan=plan)


def checkpoint_report(request: HttpRequest, pk: int, cp: int) -> HttpResponse:
    plan, checkpoint = _checkpoint(request, pk, cp)
    report = plans.checkpoint_report(checkpoint)
    return _page(
        request,
        "development/checkpoint.jinja",
        _plan_context(request, plan, "checkpoints")
        | {
            "checkpoint": checkpoint,
            "report": report,
            "breadcrumbs": _crumbs(
                plan,
                ("Quarterly checkpoints", f"/development/{plan.pk}/checkpoints/"),
                (f"{checkpoint.quarter} checkpoint", None),
            ),
        },
    )


def assess_workstream(request: HttpRequest, pk: int, cp: int, ws: int) -> HttpResponse:
    """The assessment of one workstream and its actions at a checkpoint: a page of its own,
    or (HTMX) a fragment opened in place on the checkpoint's report."""
    plan, checkpoint = _checkpoint(request, pk, cp)
    if not request.user.has_perm("development.assess_plan", plan):
        raise PermissionDenied
    workstream = get_object_or_404(Workstream, pk=ws, plan=plan)
    form = forms.AssessWorkstreamForm(
        request.POST or None,
        workstream=workstream,
        checkpoint=checkpoint,
        auto_id=f"id_ws{workstream.pk}_%s",  # ids stay unique with several forms open
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            with transaction.atomic():
                for action in form.actions:
                    plans.record_assessment(
                        checkpoint,
                        action=action,
                        status=data[f"a{action.pk}_status"],
                        commentary=data[f"a{action.pk}_commentary"].strip(),
                        user=request.user,
                    )
                plans.record_assessment(
                    checkpoint,
                    workstream=workstream,
                    status=data["ws_status"],
                    commentary=data["ws_commentary"].strip(),
                    evidence=data["ws_evidence"].strip(),
                    user=request.user,
                )
            messages.success(request, f"{workstream.name} assessed for {checkpoint.quarter}.")
            target = f"{checkpoint.get_absolute_url()}#ws-{workstream.pk}"
            if request.htmx:  # opened in place on the report: reload the report
                response = HttpResponse(status=204)
                response["HX-Refresh"] = "true"
                return response
            return redirect(target)
        # HTMX swaps only successful responses: the fragment with its errors comes back as 200.
        status = 200 if request.htmx else 400
    template = "development/_assess_form.jinja" if request.htmx else "development/assess.jinja"
    return _page(
        request,
        template,
        _plan_context(request, plan, "checkpoints")
        | {
            "checkpoint": checkpoint,
            "workstream": workstream,
            "form": form,
            "breadcrumbs": _crumbs(
                plan,
                ("Quarterly checkpoints", f"/development/{plan.pk}/checkpoints/"),
                (f"{checkpoint.quarter} checkpoint", checkpoint.get_absolute_url()),
                (f"Assess {workstream.name}", None),
            ),
        },
        status=status,
    )
