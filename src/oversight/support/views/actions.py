"""SOAG actions: the list, raising one, and an action's page (progress and evidence)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from oversight.support import forms
from oversight.support.actions import raise_action, working_days_late
from oversight.support.lifecycle import ACTION_EVENT_LABELS, action_events, fire
from oversight.support.models import ACTION_DONE, ActionStatus, SoagAction
from oversight.support.rules import visible_actions, visible_cases
from oversight.support.views.common import render_page, subject_field, subject_for
from oversight.ui.forms import add_errors
from oversight.ui.pages import breadcrumbs


def action_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    qs = visible_actions(request.user).select_related("owner", "organisation", "system", "case")
    status = request.GET.get("status", "open")
    if status == "open":
        qs = qs.exclude(status__in=ACTION_DONE)
    elif status in ActionStatus.values:
        qs = qs.filter(status=status)
    if request.GET.get("overdue"):
        qs = qs.exclude(status__in=ACTION_DONE).filter(due__lt=today)
    rows = [
        (a, working_days_late(a.due, today) if not a.is_done else 0)
        for a in qs.order_by("due")[:500]
    ]
    return render_page(
        request,
        "support/action_list.jinja",
        {
            "active": "support",
            "rows": rows,
            "today": today,
            "status": status,
            "overdue": bool(request.GET.get("overdue")),
            "statuses": ActionStatus.choices,
            "can_add": request.user.has_perm("support.add_soagaction"),
            "breadcrumbs": breadcrumbs(("Support", "/support/"), ("SOAG actions", None)),
        },
    )


def action_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("support.add_soagaction"):
        raise PermissionDenied
    form = forms.ActionForm(request.POST or None, initial={"case": request.GET.get("case")})
    form.fields["subject"] = subject_field(request.user)
    case_id = request.POST.get("case") or request.GET.get("case")
    case = None
    if case_id and str(case_id).isdigit():
        case = visible_cases(request.user).filter(pk=case_id).first()
        if case and request.method == "GET":
            form.initial["subject"] = (
                f"organisation:{case.organisation.ods_code}"
                if case.organisation_id
                else f"system:{case.system.code}"
            )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subject = subject_for(request, data["subject"], "support.add_soagaction")
        try:
            action = raise_action(
                user=request.user,
                subject=subject,
                kind=data["kind"],
                title=data["title"],
                owner=data["owner"],
                due=data["due"],
                description=data["description"],
                case=case,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Action '{action.title}' raised.")
            return redirect(action)
    return render_page(
        request,
        "support/step.jinja",
        {
            "active": "support",
            "form": form,
            "title": "Raise a SOAG action",
            "step": "action",
            "case": case,
            "breadcrumbs": breadcrumbs(
                ("Support", "/support/"),
                ("SOAG actions", "/support/actions/"),
                ("Raise an action", None),
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(
        SoagAction.objects.select_related("owner", "organisation", "system", "case", "created_by"),
        pk=pk,
    )
    if not request.user.has_perm("support.view_soagaction", action):
        raise PermissionDenied
    can_update = request.user.has_perm("support.update_soagaction", action)
    events = [(e, ACTION_EVENT_LABELS[e]) for e in action_events(action)]
    form = forms.ActionProgressForm(
        request.POST or None, events=events, initial={"evidence": action.evidence}
    )
    status = 200
    if request.method == "POST":
        if not can_update:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                action.evidence = data["evidence"].strip()
                if data["event"]:
                    fire(action, data["event"], request.user, data["reason"])
                else:
                    action.save(update_fields=["evidence"])
            except ValidationError as exc:
                action.refresh_from_db()
                add_errors(form, exc)
            else:
                messages.success(request, "Action updated.")
                return redirect(action)
        status = 400
    today = timezone.localdate()
    return render_page(
        request,
        "support/action_detail.jinja",
        {
            "active": "support",
            "action": action,
            "sees_case": action.case_id is not None
            and request.user.has_perm("support.view_supportcase", action.case),
            "form": form,
            "can_update": can_update,
            "late": working_days_late(action.due, today) if not action.is_done else 0,
            "transitions": action.transitions.select_related("by"),
            "breadcrumbs": breadcrumbs(
                ("Support", "/support/"),
                ("SOAG actions", "/support/actions/"),
                (action.title, None),
            ),
        },
        status=status,
    )
