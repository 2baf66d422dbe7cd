"""Risk pages: the register, a risk and its steps, the heat map, the board assurance framework
and appetite. Thin: who may see and change comes from ``risks.rules``, the work from
``risks.editing`` and ``risks.lifecycle``, what the register says from ``risks.register``."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from oversight.access.rules import visible_organisations, visible_systems
from oversight.governance.models import AgendaItem, Body, Meeting, MeetingStatus
from oversight.metrics import charts as metric_charts
from oversight.metrics.insight import insights, visibility
from oversight.metrics.models import Metric
from oversight.organisations.models import Organisation, OrganisationKind, System
from oversight.risks import editing, forms
from oversight.risks.charts import band_fill, score_chart
from oversight.risks.lifecycle import EVENT_LABELS, escalate, fire, fire_action, risk_events
from oversight.risks.models import LIVE, Risk, RiskAction, RiskStatus, StrategicObjective
from oversight.risks.register import Assessed, assess, assess_one, with_related
from oversight.risks.rules import registers, visible_risks
from oversight.risks.scoring import scoring_for
from oversight.support.lifecycle import ACTION_EVENT_LABELS, action_events
from oversight.support.models import ExitCriterion
from oversight.support.rules import visible_cases
from oversight.ui.pages import breadcrumbs, page


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """A risks page (the kit's ``page``) with the chart helpers its templates use."""
    helpers = {"active": "risks", "charts": metric_charts, "band_fill": band_fill}
    return page(request, template, helpers | context, status=status)


def _crumbs(*items: tuple[str, str | None]) -> list[dict[str, str]]:
    return breadcrumbs(("Risks", "/risks/"), *items)


def _system_of(request: HttpRequest) -> System | None:
    """The register shown: ?system=CODE, else the user's only (or first) visible system with a
    register."""
    systems = visible_systems(request.user)
    code = request.GET.get("system")
    if code:
        return systems.filter(code=code).first()
    with_risks = systems.filter(risks__isnull=False).distinct().order_by("code")
    return with_risks.first() or registers(request.user).order_by("code").first()


# ----------------------------------------------------------------------------- the register

STATUS_FILTERS = {
    "live": ("Open or tolerated", Q(status__in=LIVE)),
    "suggested": ("Suggested (to accept or dismiss)", Q(status=RiskStatus.SUGGESTED)),
    "closed": ("Closed or dismissed", Q(status__in=[RiskStatus.CLOSED, RiskStatus.DISMISSED])),
    "all": ("Any status", Q()),
}


@dataclass
class Filters:
    status: str = "live"
    organisation: str = ""
    committee: str = ""
    objective: str = ""
    theme: str = ""
    band: str = ""
    level: str = ""
    outside: bool = False
    overdue: bool = False
    likelihood: int | None = None
    consequence: int | None = None
    scores: str = "current"

    @classmethod
    def read(cls, get) -> Filters:
        def number(name: str) -> int | None:
            v = get.get(name, "")
            return int(v) if v.isdigit() and 1 <= int(v) <= 5 else None

        status = get.get("status", "live")
        return cls(
            status=status if status in STATUS_FILTERS else "live",
            organisation=get.get("organisation", ""),
            committee=get.get("committee", ""),
            objective=get.get("objective", ""),
            theme=get.get("theme", ""),
            band=get.get("band", ""),
            level=get.get("level", ""),
            outside=get.get("outside") == "1",
            overdue=get.get("overdue") == "1",
            likelihood=number("likelihood"),
            consequence=number("consequence"),
            scores="target" if get.get("scores") == "target" else "current",
        )


def filtered(user, system: System, f: Filters, today: dt.date) -> list[Assessed]:
    """The register of ``system`` as the user may see it, narrowed by the filters."""
    scoring = scoring_for(system.code)
    qs = visible_risks(user, Risk.objects.filter(system=system)).filter(STATUS_FILTERS[f.status][1])
    if f.organisation == "system":
        qs = qs.filter(organisations__isnull=True)
    elif f.organisation:
        qs = qs.filter(organisations__ods_code=f.organisation)
    if f.committee:
        qs = qs.filter(
            Q(lead_committee__short_name=f.committee) | Q(held_by__short_name=f.committee)
        )
    if f.objective.isdigit():
        qs = qs.filter(objective_id=int(f.objective))
    if f.theme:
        qs = qs.filter(theme=f.theme)
    band = next((b for b in scoring.bands if b.code == f.band), None)
    if band:
        qs = qs.filter(current_score__gte=band.min, current_score__lte=band.max)
    if f.level:
        qs = qs.filter(level=f.level)
    if f.overdue:
        qs = qs.filter(status__in=LIVE, next_review__lt=today)
    if f.likelihood and f.consequence:
        qs = qs.filter(**{
            f"{f.scores}_likelihood": f.likelihood, f"{f.scores}_consequence": f.consequence
        })
    rows = assess(with_related(qs.select_related("lead_committee", "held_by")), today)
    if f.outside:
        rows = [r for r in rows if r.outside_appetite]
    return sorted(rows, key=lambda r: (-(r.risk.current_score or 0), r.risk.reference))


def register(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    system = _system_of(request)
    if system is None:
        return _page(request, "risks/register.jinja", {
            "system": None, "rows": [], "breadcrumbs": _crumbs(("Register", None)),
        })
    f = Filters.read(request.GET)
    rows = filtered(request.user, system, f, today)
    scoring = scoring_for(system.code)
    context = {
        "system": system,
        "systems": visible_systems(request.user).filter(risks__isnull=False).distinct(),
        "rows": rows,
        "f": f,
        "scoring": scoring,
        "statuses": [(k, v[0]) for k, v in STATUS_FILTERS.items()],
        "organisations": visible_organisations(request.user)
        .filter(Q(risks__system=system)).distinct().order_by("name"),
        "committees": Body.objects.filter(
            Q(lead_risks__system=system) | Q(escalated_risks__system=system)
        ).distinct().order_by("name"),
        "objectives": StrategicObjective.objects.filter(system=system),
        "can_add": request.user.has_perm("risks.add_risk", system),
        "today": today,
        "breadcrumbs": _crumbs((f"{system.name} register", None)),
    }
    if not request.htmx:
        context |= _committee_reviews(request, system, today)
    template = "risks/_register_rows.jinja" if request.htmx else "risks/register.jinja"
    return _page(request, template, context)


def _committee_reviews(request: HttpRequest, system: System, today: dt.date) -> dict[str, Any]:
    """The latest committee risk reviews of the register's bodies the user may see, and for a
    body's secretariat its next meetings that have no review on the agenda yet."""
    items = [
        i for i in AgendaItem.objects.filter(risk_reviews__risk__system=system).distinct()
        .select_related("meeting__body").order_by("-meeting__date")[:8]
        if request.user.has_perm("governance.view_agendaitem", i)
    ]
    bodies = Body.objects.filter(lead_risks__system=system).distinct()
    upcoming = [
        m for m in Meeting.objects.filter(body__in=bodies, date__gte=today)
        .exclude(status=MeetingStatus.CANCELLED).exclude(items__risk_reviews__isnull=False)
        .select_related("body").order_by("date")[:20]
        if request.user.has_perm("governance.manage_minutes", m)
    ]
    return {"reviews": items, "upcoming": upcoming}


# ----------------------------------------------------------------------------- a risk


def _risk_or_403(request: HttpRequest, reference: str) -> Risk:
    risk = get_object_or_404(
        with_related(Risk.objects.select_related("lead_committee", "held_by", "support_case",
                                                 "exit_criterion")),
        reference=reference,
    )
    if not request.user.has_perm("risks.view_risk", risk):
        raise PermissionDenied
    return risk


def _metric_cells(request: HttpRequest, risk: Risk) -> list[tuple[Metric, Any, Any]]:
    """Each linked metric with its latest value and Making Data Count icons for the risk's
    partner organisations the user may see (a system-wide risk: the system's ICB)."""
    metrics = list(risk.metrics.select_related("theme__framework"))
    if not metrics:
        return []
    subjects = list(visible_organisations(request.user).filter(
        pk__in=[o.pk for o in risk.organisations.all()]))
    if not risk.organisations.exists():
        subjects = list(visible_organisations(request.user).filter(
            kind=OrganisationKind.ICB, ods_code=risk.system.code))
    found = insights(subjects, metrics, rank=False, viewer=visibility(request.user))
    return [(m, o, found.get(o.ods_code, m.pk)) for m in metrics for o in subjects]


def _history(risk: Risk) -> list[dict[str, Any]]:
    """Every saved version of the risk, newest first, with what changed, who and why."""
    out = []
    records = list(risk.history.select_related("history_user").order_by("-history_date")[:50])
    for new, old in zip(records, [*records[1:], None], strict=True):
        changes = []
        if old is not None:
            delta = new.diff_against(old, foreign_keys_are_objs=False)
            changes = [
                (c.field, c.old, c.new) for c in delta.changes
                if c.field not in {"inherent_score", "current_score", "target_score"}
            ]
        out.append({"record": new, "changes": changes})
    return out


def risk_detail(request: HttpRequest, reference: str) -> HttpResponse:
    risk = _risk_or_403(request, reference)
    today = timezone.localdate()
    seen = assess_one(risk, today)
    scoring = seen.scoring
    points = [(a.assessed_on, a.score) for a in risk.assessments.all()]
    assurances = defaultdict(list)
    for a in risk.assurances.select_related("control"):
        assurances[a.line].append(a)
    actions = list(risk.actions.select_related("owner", "gap"))
    return _page(request, "risks/risk.jinja", {
        "risk": risk,
        "seen": seen,
        "scoring": scoring,
        "chart": score_chart(points, scoring, title=f"{risk.reference} scores over time",
                             target=risk.target_score, inherent=risk.inherent_score,
                             until=min(today, risk.next_review or today)),
        "assessments": list(reversed(risk.assessments.all())),
        "controls": list(risk.controls.all()),
        "assurances": assurances,
        "gaps": list(risk.gaps.all()),
        "actions": actions,
        "action_events": {a.pk: action_events(a) for a in actions},
        "action_event_labels": ACTION_EVENT_LABELS,
        "events": list(risk.events.select_related("by", "item__meeting__body")),
        "history": _history(risk),
        "metric_cells": _metric_cells(request, risk),
        "case": risk.support_case if risk.support_case_id and visible_cases(
            request.user).filter(pk=risk.support_case_id).exists() else None,
        "can_manage": request.user.has_perm("risks.manage_risk", risk),
        "statuses": risk_events(risk),
        "today": today,
        "breadcrumbs": _crumbs(
            (f"{risk.system.name} register", f"/risks/?system={risk.system.code}"),
            (risk.reference, None),
        ),
    })


# ----------------------------------------------------------------------------- steps


def _risk_form(request: HttpRequest, system: System, risk: Risk | None) -> forms.RiskForm:
    scoring = scoring_for(system.code)
    partner_ids = set(visible_organisations(request.user).filter(
        Q(host_system=system) | Q(systems=system)).filter(closed__isnull=True)
        .values_list("pk", flat=True))
    if risk is not None:
        partner_ids |= {o.pk for o in risk.organisations.all()}
    partners = Organisation.objects.filter(pk__in=partner_ids)
    initial = {}
    if risk is not None:
        initial = {f: getattr(risk, f) for f in editing.EDITABLE} | {
            "support_case": risk.support_case,
            "exit_criterion": risk.exit_criterion,
            "organisations": list(risk.organisations.all()),
            "metrics": list(risk.metrics.all()),
        }
    cases = visible_cases(request.user).filter(
        Q(system=system) | Q(organisation__host_system=system))
    return forms.RiskForm(
        request.POST or None,
        initial=initial,
        scoring=scoring,
        system=system,
        organisations=partners.order_by("name"),
        objectives=StrategicObjective.objects.filter(system=system),
        bodies=Body.objects.filter(Q(system=system) | Q(system__isnull=True)).order_by("name"),
        metrics=Metric.objects.select_related("framework").order_by("framework__code", "code"),
        cases=cases,
        criteria=ExitCriterion.objects.filter(rsp__case__in=cases),
    )


def _errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _risk_values(data: dict[str, Any]) -> dict[str, Any]:
    fields = (*editing.EDITABLE, "support_case", "exit_criterion")
    return {k: data[k] for k in fields if k in data}


def risk_new(request: HttpRequest) -> HttpResponse:
    system = _system_of(request)
    if system is None or not request.user.has_perm("risks.add_risk", system):
        raise PermissionDenied
    form = _risk_form(request, system, None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = _risk_values(data)
        values.pop("next_review", None) if not values.get("next_review") else None
        try:
            risk = editing.raise_risk(
                user=request.user, system=system, organisations=list(data["organisations"]),
                metrics=list(data["metrics"]), reason=data["reason"], **values,
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, f"Risk {risk.reference} added to the register.")
            return redirect(risk)
    return _form_page(request, form, system, None, "Add a risk to the register", "edit")


def _form_page(
    request: HttpRequest,
    form: Any,
    system: System,
    risk: Risk | None,
    title: str,
    step: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    scoring = scoring_for(system.code)
    crumbs = [(f"{system.name} register", f"/risks/?system={system.code}")]
    if risk is not None:
        crumbs.append((risk.reference, risk.get_absolute_url()))
    crumbs.append((title, None))
    return _page(request, "risks/step.jinja", {
        "form": form, "risk": risk, "system": system, "title": title, "step": step,
        "scoring": scoring, "breadcrumbs": _crumbs(*crumbs), **(extra or {}),
    }, status=400 if request.method == "POST" else 200)


@dataclass(frozen=True)
class Step:
    title: str
    form: Callable[[HttpRequest, Risk], Any]
    apply: Callable[[HttpRequest, Risk, Any], str]


def _edit(request, risk, form) -> str:
    data = form.cleaned_data
    changed = editing.change_risk(
        risk, request.user, data["reason"], organisations=list(data["organisations"]),
        metrics=list(data["metrics"]), **_risk_values(data),
    )
    return f"Saved ({', '.join(changed)} changed)." if changed else "Nothing changed."


def _review(request, risk, form) -> str:
    d = form.cleaned_data
    a = editing.review_risk(risk, request.user, likelihood=d["likelihood"],
                            consequence=d["consequence"], note=d["note"],
                            reviewed_on=d["reviewed_on"])
    return f"Review recorded: current score {a.score}; next review {risk.next_review:%d %B %Y}."


def _status(request, risk, form) -> str:
    fire(risk, form.cleaned_data["event"], request.user, form.cleaned_data["reason"])
    return f"The risk is now {risk.get_status_display().lower()}."


def _escalation(request, risk, form) -> str:
    escalate(risk, form.cleaned_data["level"], request.user, form.cleaned_data["reason"])
    return f"The risk is now held at {scoring_for(risk.system.code).level_name(risk.level)}."


def _control(request, risk, form) -> str:
    editing.add_control(risk, request.user, **form.cleaned_data)
    return "Control added."


def _assurance(request, risk, form) -> str:
    editing.add_assurance(risk, request.user, **form.cleaned_data)
    return "Assurance added."


def _gap(request, risk, form) -> str:
    editing.add_gap(risk, request.user, **form.cleaned_data)
    return "Gap recorded."


def _action(request, risk, form) -> str:
    a = editing.add_action(risk, request.user, **form.cleaned_data)
    return f"Action '{a.title}' added; {a.owner} has been told."


def _board(request, risk, form) -> str:
    d = form.cleaned_data
    editing.set_board_assurance(risk, request.user, d["level"], d["reason"], on=d["on"])
    return "Board assurance recorded."


def _levels(risk: Risk) -> list[tuple[str, str]]:
    return [(lv.code, lv.name) for lv in scoring_for(risk.system.code).levels
            if lv.code != risk.level]


STEPS: dict[str, Step] = {
    "edit": Step("Change the risk", lambda r, k: _risk_form(r, k.system, k), _edit),
    "review": Step(
        "Review the risk",
        lambda r, k: forms.ReviewForm(r.POST or None, initial={
            "likelihood": k.current_likelihood, "consequence": k.current_consequence,
            "reviewed_on": timezone.localdate()}),
        _review,
    ),
    "status": Step(
        "Change the status",
        lambda r, k: forms.StatusForm(
            r.POST or None, events=[(e, EVENT_LABELS[e]) for e in risk_events(k)]),
        _status,
    ),
    "escalation": Step(
        "Escalate or de-escalate",
        lambda r, k: forms.EscalationForm(r.POST or None, levels=_levels(k)),
        _escalation,
    ),
    "control": Step("Add a control", lambda r, k: forms.ControlForm(r.POST or None), _control),
    "assurance": Step(
        "Add an assurance",
        lambda r, k: forms.AssuranceForm(
            r.POST or None, scoring=scoring_for(k.system.code), risk=k),
        _assurance,
    ),
    "gap": Step("Record a gap", lambda r, k: forms.GapForm(r.POST or None), _gap),
    "action": Step(
        "Add an action", lambda r, k: forms.ActionForm(r.POST or None, risk=k), _action
    ),
    "board-assurance": Step(
        "Board assurance",
        lambda r, k: forms.BoardAssuranceForm(
            r.POST or None, scoring=scoring_for(k.system.code),
            initial={"level": k.board_assurance, "on": timezone.localdate()}),
        _board,
    ),
}


def risk_step(request: HttpRequest, reference: str, step: str) -> HttpResponse:
    risk = _risk_or_403(request, reference)
    if not request.user.has_perm("risks.manage_risk", risk):
        raise PermissionDenied
    spec = STEPS.get(step)
    if spec is None:
        raise Http404("No such step")
    form = spec.form(request, risk)
    if request.method == "POST" and form.is_valid():
        try:
            done = spec.apply(request, risk, form)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(risk)
    return _form_page(request, form, risk.system, risk, spec.title, step)


def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(RiskAction.objects.select_related("risk__system", "owner"), pk=pk)
    risk = _risk_or_403(request, action.risk.reference)
    if not (request.user.has_perm("risks.manage_risk", risk) or action.owner_id ==
            request.user.pk):
        raise PermissionDenied
    form = forms.ActionProgressForm(
        request.POST or None,
        events=[(e, ACTION_EVENT_LABELS[e]) for e in action_events(action)],
        initial={"evidence": action.evidence},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            action.evidence = d["evidence"].strip()
            fire_action(action, d["event"], request.user, d["reason"])
        except ValidationError as exc:
            action.refresh_from_db()
            _errors(form, exc)
        else:
            messages.success(request, f"Action '{action.title}' is now "
                                      f"{action.get_status_display().lower()}.")
            return redirect(risk)
    return _form_page(request, form, risk.system, risk, f"Update action: {action.title}",
                      "action-update")


# ----------------------------------------------------------------------------- heat map


def heat_map(request: HttpRequest) -> HttpResponse:
    system = _system_of(request)
    if system is None:
        raise Http404("No register")
    scoring = scoring_for(system.code)
    f = Filters.read(request.GET)
    f.likelihood = f.consequence = None
    rows = filtered(request.user, system, f, timezone.localdate())
    grids = {}
    for which in ("current", "target"):
        counts = Counter(
            (getattr(r.risk, f"{which}_likelihood"), getattr(r.risk, f"{which}_consequence"))
            for r in rows if getattr(r.risk, f"{which}_score")
        )
        grids[which] = counts
    unscored = {w: sum(1 for r in rows if not getattr(r.risk, f"{w}_score"))
                for w in ("current", "target")}
    return _page(request, "risks/heat_map.jinja", {
        "system": system, "scoring": scoring, "grids": grids, "f": f, "rows": rows,
        "unscored": unscored,
        "breadcrumbs": _crumbs((f"{system.name} register", f"/risks/?system={system.code}"),
                               ("Heat map", None)),
    })


# ----------------------------------------------------------------------------- BAF, appetite


def baf(request: HttpRequest) -> HttpResponse:
    system = _system_of(request)
    if system is None:
        raise Http404("No register")
    today = timezone.localdate()
    qs = visible_risks(request.user, Risk.objects.filter(system=system, principal=True,
                                                          status__in=LIVE))
    rows = assess(with_related(qs.prefetch_related("controls", "assurances", "gaps")), today)
    by_objective: dict[int | None, list[Assessed]] = defaultdict(list)
    for r in rows:
        by_objective[r.risk.objective_id].append(r)
    objectives = list(StrategicObjective.objects.filter(system=system))
    sections = [(o, sorted(by_objective.get(o.pk, []), key=lambda r: -(r.risk.current_score or 0)))
                for o in objectives]
    if by_objective.get(None):
        sections.append((None, by_objective[None]))
    return _page(request, "risks/baf.jinja", {
        "system": system, "scoring": scoring_for(system.code), "sections": sections,
        "today": today,
        "breadcrumbs": _crumbs((f"{system.name} register", f"/risks/?system={system.code}"),
                               ("Board assurance framework", None)),
    })


def appetite(request: HttpRequest) -> HttpResponse:
    system = _system_of(request)
    if system is None:
        raise Http404("No register")
    scoring = scoring_for(system.code)
    objectives = StrategicObjective.objects.filter(system=system)
    can_set = request.user.has_perm("risks.set_appetite", system)
    form = forms.AppetiteForm(request.POST or None, scoring=scoring, objectives=objectives)
    status = 200
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                editing.set_appetite(user=request.user, system=system, **d)
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, "Appetite recorded.")
                return redirect(f"/risks/appetite/?system={system.code}")
        status = 400
    rows = filtered(request.user, system, Filters(), timezone.localdate())
    appetites = list(system.risk_appetites.select_related("objective"))
    return _page(request, "risks/appetite.jinja", {
        "system": system, "scoring": scoring, "appetites": appetites,
        "outside": [r for r in rows if r.outside_appetite],
        "form": form, "can_set": can_set,
        "breadcrumbs": _crumbs((f"{system.name} register", f"/risks/?system={system.code}"),
                               ("Risk appetite", None)),
    }, status=status)

