"""The form page of each step of a case (details, package, status, and the Recovery Support
Programme's appointment, stocktake, plan, milestones, exit criteria, CQC and exit), and judging
an exit criterion."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from oversight.metrics.insight import visibility
from oversight.support import cases, forms
from oversight.support.lifecycle import case_events, fire
from oversight.support.models import CaseKind, ExitCriterion, Milestone, SupportCase
from oversight.support.progress import progress_of
from oversight.support.views.common import EVENT_LABELS, case_or_403, render_page
from oversight.ui.forms import add_errors
from oversight.ui.pages import breadcrumbs


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


def case_step(request: HttpRequest, pk: int, step: str, item: int | None = None) -> HttpResponse:
    case = case_or_403(request, pk)
    if not request.user.has_perm("support.manage_supportcase", case):
        raise PermissionDenied
    spec = STEPS.get(step)
    found = spec.items(case).filter(pk=item).first() if spec and spec.items and item else None
    # a case step has no item; an item step has one of this case
    known = spec is not None and (spec.items is None) == (item is None) == (found is None)
    if not known or (spec.rsp_only and case.kind != CaseKind.RSP):
        return render_page(request, "support/not_found.jinja", {"active": "support"}, status=404)
    if not case.is_open:
        messages.error(request, "The case is closed: it can no longer change.")
        return redirect(case)
    title = f"{spec.title}: {found}" if found else spec.title
    form = spec.form(request, found or case)
    if request.method == "POST" and form.is_valid():
        try:
            done = spec.apply(request, case, form)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(case)
    return render_page(
        request,
        "support/step.jinja",
        {
            "active": "support",
            "case": case,
            "form": form,
            "title": title,
            "step": step,
            "blockers": cases.exit_blockers(case) if step == "exit" else [],
            "breadcrumbs": breadcrumbs(
                ("Support", "/support/"),
                (case.subject_name, case.get_absolute_url()),
                (title, None),
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


def criterion_judge(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = get_object_or_404(ExitCriterion.objects.select_related("rsp__case"), pk=pk)
    case = case_or_403(request, criterion.rsp.case_id)
    if not request.user.has_perm("support.manage_supportcase", case):
        raise PermissionDenied
    initial = {"met": "yes" if criterion.met else "no", "evidence": criterion.evidence}
    form = forms.JudgeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            cases.judge_criterion(criterion, request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                f"Recorded: {criterion.description} – {'met' if criterion.met else 'not met'}.",
            )
            return redirect(case)
    return render_page(
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
            "breadcrumbs": breadcrumbs(
                ("Support", "/support/"),
                (case.subject_name, case.get_absolute_url()),
                ("Judge", None),
            ),
        },
        status=400 if request.method == "POST" else 200,
    )
