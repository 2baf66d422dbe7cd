"""Support pages: case list and detail, a form page for each step, SOAG actions and
notifications. Thin: permissions from ``oversight.support.rules``, work in ``cases`` and
``actions``. Every form works without JavaScript; HTMX only narrows the list in place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as dj_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from oversight.access.rules import visible_organisations, visible_systems
from oversight.metrics import charts
from oversight.metrics.insight import visibility
from oversight.organisations.models import Organisation, OrganisationKind, Region, System
from oversight.support import cases, forms
from oversight.support.actions import raise_action, working_days_late
from oversight.support.lifecycle import action_events, case_events, fire
from oversight.support.models import (
    ACTION_DONE,
    ActionStatus,
    CaseKind,
    CaseStatus,
    ExitCriterion,
    Milestone,
    Notification,
    SoagAction,
    SupportCase,
)
from oversight.support.progress import criterion_progress, progress_of
from oversight.support.rules import visible_actions, visible_cases

EVENT_LABELS = {
    "start": "Start support (package agreed)",
    "close": "Close the case",
    "escalate": "Escalate to the board",
    "complete": "Complete (evidence recorded)",
    "cancel": "Cancel",
}
ACTION_EVENT_LABELS = EVENT_LABELS | {"start": "Start work"}


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render with the flash messages and the MDC icon helpers."""
    context = {"flash": list(messages.get_messages(request)), "charts": charts} | context
    return render(request, template, context, status=status)


def _crumbs(*items: tuple[str, str | None]) -> list[dict[str, str]]:
    out = [{"href": "/", "text": "Home"}]
    out += [{"href": h, "text": t} if h else {"text": t} for t, h in items]
    return out


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
        "breadcrumbs": _crumbs(("Support", None)),
    }
    template = "support/_case_results.jinja" if request.htmx else "support/case_list.jinja"
    return _page(request, template, context)


def _case_or_403(request: HttpRequest, pk: int) -> SupportCase:
    case = get_object_or_404(
        SupportCase.objects.select_related(
            "organisation__region",
            "system__region",
            "lead",
            "decision__decided_by",
            "framework",
            "follows",
        ),
        pk=pk,
    )
    if not request.user.has_perm("support.view_supportcase", case):
        raise PermissionDenied
    return case


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_403(request, pk)
    today = timezone.localdate()
    rsp = getattr(case, "rsp", None) if case.kind == CaseKind.RSP else None
    actions = list(visible_actions(request.user, case.actions.select_related("owner")))
    return _page(
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
            "breadcrumbs": _crumbs(("Support", "/support/"), (case.subject_name, None)),
        },
    )


@dataclass(frozen=True)
class Step:
    """A form page for one step of a case, or (with ``items``) of one milestone or exit
    criterion of it: ``items`` gives where to find it, ``form`` is then called with the item
    instead of the case, and ``apply`` finds the item as ``form.instance``."""

    title: str
    form: Callable[[HttpRequest, Any], Any]
    apply: Callable[[HttpRequest, SupportCase, Any], str]
    rsp_only: bool = False
    items: Callable[[SupportCase], QuerySet] | None = None


def _rsp_form(cls):
    return lambda request, case: cls(request.POST or None, instance=case.rsp)


def _save_details(request, case, form) -> str:
    form.save()
    return "Case details saved."


def _add_package(request, case, form) -> str:
    item = form.save(commit=False)
    item.case = case
    item.save()
    return f"Added {item.name} to the package."


def _transition(request, case, form) -> str:
    fire(case, form.cleaned_data["event"], request.user, form.cleaned_data["reason"])
    return f"Case is now {case.get_status_display().lower()}."


def _sid(request, case, form) -> str:
    rsp = cases.appoint_sid(case, request.user, **form.cleaned_data)
    return f"System improvement director {rsp.sid_name} recorded."


def _stocktake(request, case, form) -> str:
    cases.record_stocktake(case, request.user, **form.cleaned_data)
    return "Diagnostic stocktake recorded."


def _plan(request, case, form) -> str:
    form.save()
    return "Improvement plan saved."


def _milestone(request, case, form) -> str:
    milestone = cases.add_milestone(case, request.user, **form.cleaned_data)
    return f"Milestone '{milestone.title}' added."


def _change_milestone(request, case, form) -> str:
    milestone = cases.change_milestone(form.instance, request.user, **form.cleaned_data)
    return f"Milestone '{milestone.title}' saved."


def _criterion(request, case, form) -> str:
    cases.add_criterion(case, request.user, **form.cleaned_data)
    return "Exit criterion added."


def _change_criterion(request, case, form) -> str:
    criterion = cases.change_criterion(form.instance, request.user, **form.cleaned_data)
    return f"Exit criterion '{criterion.description}' saved."


def _remove_criterion(request, case, form) -> str:
    description = form.instance.description
    cases.remove_criterion(form.instance, request.user, **form.cleaned_data)
    return f"Exit criterion '{description}' removed."


def _milestones(case: SupportCase) -> QuerySet[Milestone]:
    return Milestone.objects.filter(rsp__case=case)


def _criteria(case: SupportCase) -> QuerySet[ExitCriterion]:
    return ExitCriterion.objects.filter(rsp__case=case).select_related("rsp__case__framework")


def _cqc_entry(request, case, form) -> str:
    cases.record_cqc_entry(case, request.user, **form.cleaned_data)
    return "Entry on CQC's recommendation recorded: exit now needs CQC's recommendation too."


def _cqc(request, case, form) -> str:
    cases.record_cqc_exit_recommendation(case, request.user, **form.cleaned_data)
    return "CQC's recommendation to exit recorded."


def _exit(request, case, form) -> str:
    decision = cases.exit_rsp(case, request.user, reason=form.cleaned_data["reason"])
    return (
        f"{case.subject_name} has exited the Recovery Support Programme: segment "
        f"{decision.segment} recorded."
    )


STEPS: dict[str, Step] = {
    "details": Step(
        "Case details, monitoring and controls",
        lambda r, c: forms.CaseDetailsForm(r.POST or None, instance=c),
        _save_details,
    ),
    "package": Step(
        "Add a package item", lambda r, c: forms.PackageItemForm(r.POST or None), _add_package
    ),
    "transition": Step(
        "Change the case status",
        lambda r, c: forms.TransitionForm(
            r.POST or None, events=[(e, EVENT_LABELS[e]) for e in case_events(c)]
        ),
        _transition,
    ),
    "sid": Step(
        "Appoint the system improvement director", _rsp_form(forms.SidForm), _sid, rsp_only=True
    ),
    "stocktake": Step(
        "Record the diagnostic stocktake", _rsp_form(forms.StocktakeForm), _stocktake, rsp_only=True
    ),
    "plan": Step(
        "Improvement plan and review cycle", _rsp_form(forms.PlanForm), _plan, rsp_only=True
    ),
    "milestone": Step(
        "Add a milestone",
        lambda r, c: forms.MilestoneForm(r.POST or None),
        _milestone,
        rsp_only=True,
    ),
    "milestone-edit": Step(
        "Record achieved or change milestone",
        lambda r, m: forms.MilestoneChangeForm(r.POST or None, instance=m),
        _change_milestone,
        rsp_only=True,
        items=_milestones,
    ),
    "criterion": Step(
        "Add an exit criterion",
        lambda r, c: forms.CriterionForm(r.POST or None, framework=c.framework),
        _criterion,
        rsp_only=True,
    ),
    "criterion-edit": Step(
        "Change exit criterion",
        lambda r, k: forms.CriterionChangeForm(
            r.POST or None, instance=k, framework=k.rsp.case.framework
        ),
        _change_criterion,
        rsp_only=True,
        items=_criteria,
    ),
    "criterion-remove": Step(
        "Remove exit criterion",
        lambda r, k: forms.CriterionRemoveForm(r.POST or None, instance=k),
        _remove_criterion,
        rsp_only=True,
        items=_criteria,
    ),
    "cqc-entry": Step(
        "Record that entry followed CQC's recommendation",
        lambda r, c: forms.CqcEntryForm(r.POST or None),
        _cqc_entry,
        rsp_only=True,
    ),
    "cqc": Step(
        "Record CQC's recommendation to exit",
        lambda r, c: forms.CqcExitForm(r.POST or None),
        _cqc,
        rsp_only=True,
    ),
    "exit": Step(
        "Exit the Recovery Support Programme",
        lambda r, c: forms.ExitForm(r.POST or None),
        _exit,
        rsp_only=True,
    ),
}


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def case_step(request: HttpRequest, pk: int, step: str, item: int | None = None) -> HttpResponse:
    case = _case_or_403(request, pk)
    if not request.user.has_perm("support.manage_supportcase", case):
        raise PermissionDenied
    spec = STEPS.get(step)
    found = spec.items(case).filter(pk=item).first() if spec and spec.items and item else None
    # a case step has no item; an item step has one of this case
    known = spec is not None and (spec.items is None) == (item is None) == (found is None)
    if not known or (spec.rsp_only and case.kind != CaseKind.RSP):
        return _page(request, "support/not_found.jinja", {"active": "support"}, status=404)
    if not case.is_open:
        messages.error(request, "The case is closed: it can no longer change.")
        return redirect(case)
    title = f"{spec.title}: {found}" if found else spec.title
    form = spec.form(request, found or case)
    if request.method == "POST" and form.is_valid():
        try:
            done = spec.apply(request, case, form)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(case)
    return _page(
        request,
        "support/step.jinja",
        {
            "active": "support",
            "case": case,
            "form": form,
            "title": title,
            "step": step,
            "blockers": cases.exit_blockers(case) if step == "exit" else [],
            "breadcrumbs": _crumbs(
                ("Support", "/support/"),
                (case.subject_name, case.get_absolute_url()),
                (title, None),
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


def criterion_judge(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = get_object_or_404(ExitCriterion.objects.select_related("rsp__case"), pk=pk)
    case = _case_or_403(request, criterion.rsp.case_id)
    if not request.user.has_perm("support.manage_supportcase", case):
        raise PermissionDenied
    initial = {"met": "yes" if criterion.met else "no", "evidence": criterion.evidence}
    form = forms.JudgeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            cases.judge_criterion(criterion, request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                f"Recorded: {criterion.description} – {'met' if criterion.met else 'not met'}.",
            )
            return redirect(case)
    return _page(
        request,
        "support/step.jinja",
        {
            "active": "support",
            "case": case,
            "form": form,
            "criterion": criterion,
            "progress": progress_of(criterion, visibility(request.user)),
            "title": f"Judge exit criterion: {criterion.description}",
            "step": "judge",
            "breadcrumbs": _crumbs(
                ("Support", "/support/"),
                (case.subject_name, case.get_absolute_url()),
                ("Judge", None),
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


def _subject_choices(user) -> list[tuple[str, str]]:
    """Organisations (trusts, ICBs, CCGs) and systems the user may raise support for."""
    kinds = [*OrganisationKind.trusts(), OrganisationKind.ICB, OrganisationKind.CCG]
    systems = [
        (f"system:{s.code}", f"{s.name} (system {s.code})")
        for s in visible_systems(user).order_by("name")
    ]
    orgs = [
        (f"organisation:{o.ods_code}", f"{o.name} ({o.ods_code})")
        for o in visible_organisations(user)
        .filter(kind__in=kinds, closed__isnull=True)
        .order_by("name")
    ]
    return systems + orgs


def _subject_for(request: HttpRequest, value: str, perm: str) -> Organisation | System:
    """The chosen organisation or system ("system:QUE", "organisation:RGN"), refused with 403
    unless the user holds ``perm`` for it: checked before anything is written or anyone told."""
    kind, _, code = value.partition(":")
    subject = (
        System.objects.get(code=code)
        if kind == "system"
        else Organisation.objects.get(ods_code=code)
    )
    if not request.user.has_perm(perm, subject):
        raise PermissionDenied
    return subject


def targeted_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("support.add_supportcase"):
        raise PermissionDenied
    form = forms.TargetedCaseForm(request.POST or None)
    form.fields["subject"] = dj_forms.ChoiceField(
        label="Organisation or system",
        choices=_subject_choices(request.user),
        widget=dj_forms.Select(attrs={"class": "nhsuk-select"}),
    )
    form.fields["segment"] = dj_forms.TypedChoiceField(
        label="Framework and segment",
        coerce=str,
        choices=[
            ("sof-2021-22:2", "SOF 2021/22 segment 2"),
            ("nof-2022-23:2", "NOF 2022/23 segment 2"),
            ("nof-2025-26:2", "NOF 2025/26 segment 2"),
        ],
        widget=dj_forms.Select(attrs={"class": "nhsuk-select"}),
    )
    if request.method == "POST" and form.is_valid():
        from oversight.metrics.models import Framework

        code, _, segment = form.cleaned_data["segment"].partition(":")
        subject = _subject_for(request, form.cleaned_data["subject"], "support.add_supportcase")
        try:
            framework = Framework.objects.get(code=code)
            case = cases.open_targeted_case(
                subject, framework, int(segment), request.user, form.cleaned_data["summary"]
            )
        except Framework.DoesNotExist:
            form.add_error("segment", f"The {code} catalogue is not loaded.")
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Targeted support case opened.")
            return redirect(case)
    return _page(
        request,
        "support/step.jinja",
        {
            "active": "support",
            "form": form,
            "title": "Open a targeted support case",
            "step": "targeted",
            "breadcrumbs": _crumbs(("Support", "/support/"), ("Open a targeted case", None)),
        },
        status=400 if request.method == "POST" else 200,
    )


# ----------------------------------------------------------------------------- SOAG actions


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
    return _page(
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
            "breadcrumbs": _crumbs(("Support", "/support/"), ("SOAG actions", None)),
        },
    )


def action_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("support.add_soagaction"):
        raise PermissionDenied
    form = forms.ActionForm(request.POST or None, initial={"case": request.GET.get("case")})
    form.fields["subject"] = dj_forms.ChoiceField(
        label="Organisation or system",
        choices=_subject_choices(request.user),
        widget=dj_forms.Select(attrs={"class": "nhsuk-select"}),
    )
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
        subject = _subject_for(request, data["subject"], "support.add_soagaction")
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
            _add_errors(form, exc)
        else:
            messages.success(request, f"Action '{action.title}' raised.")
            return redirect(action)
    return _page(
        request,
        "support/step.jinja",
        {
            "active": "support",
            "form": form,
            "title": "Raise a SOAG action",
            "step": "action",
            "case": case,
            "breadcrumbs": _crumbs(
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
                _add_errors(form, exc)
            else:
                messages.success(request, "Action updated.")
                return redirect(action)
        status = 400
    today = timezone.localdate()
    return _page(
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
            "breadcrumbs": _crumbs(
                ("Support", "/support/"),
                ("SOAG actions", "/support/actions/"),
                (action.title, None),
            ),
        },
        status=status,
    )


# ---------------------------------------------------------------------------- notifications


def notification_list(request: HttpRequest) -> HttpResponse:
    items = Notification.objects.filter(recipient=request.user).select_related("case", "action")[
        :200
    ]
    return _page(
        request,
        "support/notifications.jinja",
        {
            "active": "support",
            "items": items,
            "breadcrumbs": _crumbs(("Support", "/support/"), ("Notifications", None)),
        },
    )


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    messages.success(request, "Notifications marked as read.")
    return redirect("support_notifications")
