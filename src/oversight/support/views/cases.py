"""The case list (filters, HTMX results) and a case's page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from oversight.metrics.insight import visibility
from oversight.organisations.models import Region
from oversight.support import cases, forms
from oversight.support.actions import working_days_late
from oversight.support.lifecycle import case_events
from oversight.support.models import (
    ACTION_DONE,
    CaseKind,
    CaseStatus,
    Milestone,
    Notification,
    SoagAction,
    SupportCase,
)
from oversight.support.progress import criterion_progress
from oversight.support.rules import visible_actions, visible_cases
from oversight.support.views.common import EVENT_LABELS, case_or_403, render_page
from oversight.ui.pages import breadcrumbs


def _overdue_cases(qs: QuerySet[SupportCase], today: dt.date) -> QuerySet[SupportCase]:
    late_action = SoagAction.objects.filter(case=OuterRef("pk"), due__lt=today).exclude(
        status__in=ACTION_DONE
    )
    late_milestone = Milestone.objects.filter(
        rsp__case=OuterRef("pk"), due__lt=today, achieved_on__isnull=True
    )
    return qs.annotate(late_actions=Exists(late_action), late_milestones=Exists(late_milestone))


def case_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = forms.CaseFilterForm(request.GET or None)
    qs = _overdue_cases(visible_cases(request.user), today).select_related(
        "organisation__region", "system__region", "lead", "framework"
    )
    chosen: dict[str, Any] = {}
    if form.is_valid():
        chosen = form.cleaned_data
    status = chosen.get("status") or "open"
    if status == "open":
        qs = qs.exclude(status=CaseStatus.CLOSED)
    elif status == "closed":
        qs = qs.filter(status=CaseStatus.CLOSED)
    if chosen.get("segment"):
        qs = qs.filter(segment=chosen["segment"])
    if chosen.get("kind"):
        qs = qs.filter(kind=chosen["kind"])
    if chosen.get("region"):
        qs = qs.filter(
            Q(organisation__region__code=chosen["region"])
            | Q(system__region__code=chosen["region"])
        )
    if chosen.get("overdue"):
        qs = qs.filter(Q(late_actions=True) | Q(late_milestones=True))
    context = {
        "active": "support",
        "form": form,
        "cases": list(qs.order_by("-opened_at")[:500]),
        "regions": Region.objects.order_by("name"),
        "chosen": chosen,
        "status": status,
        "kinds": CaseKind.choices,
        "can_open_targeted": request.user.has_perm("support.add_supportcase"),
        "unread": Notification.objects.filter(recipient=request.user, read_at__isnull=True).count(),
        "breadcrumbs": breadcrumbs(("Support", None)),
    }
    template = "support/_case_results.jinja" if request.htmx else "support/case_list.jinja"
    return render_page(request, template, context)


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_or_403(request, pk)
    today = timezone.localdate()
    rsp = getattr(case, "rsp", None) if case.kind == CaseKind.RSP else None
    actions = list(visible_actions(request.user, case.actions.select_related("owner")))
    return render_page(
        request,
        "support/case_detail.jinja",
        {
            "active": "support",
            "case": case,
            "rsp": rsp,
            "today": today,
            "can_manage": request.user.has_perm("support.manage_supportcase", case),
            "events": case_events(case),
            "event_labels": EVENT_LABELS,
            "progress": criterion_progress(case, visibility(request.user)) if rsp else [],
            "milestones": list(rsp.milestones.all()) if rsp else [],
            "blockers": cases.exit_blockers(case) if rsp else [],
            "actions": actions,
            "late": {a.pk: working_days_late(a.due, today) for a in actions},
            "transitions": case.transitions.select_related("by"),
            "package": case.package.all(),
            "breadcrumbs": breadcrumbs(("Support", "/support/"), (case.subject_name, None)),
        },
    )
