"""Segmentation pages: overview, organisation and system pages, NOF league table, rules."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from oversight.access.rules import visible_organisations, visible_systems
from oversight.engine import nof
from oversight.engine.segmentation import nof_what_if
from oversight.engine.triggers import CriteriaRules, RulesError, what_if
from oversight.frameworks import rules_path
from oversight.metrics.insight import insights, visibility
from oversight.metrics.models import Framework, Metric
from oversight.organisations.models import Organisation, OrganisationKind, Region, System
from oversight.organisations.subjects import subject_keys
from oversight.segmentation.decisions import (
    SEGMENTS,
    current_segment,
    decided_segments,
    history,
    publish_decision,
    record_decision,
    visible_decision,
)
from oversight.segmentation.models import Decision, Proposal
from oversight.segmentation.proposals import SegmentationError, domains_not_assessed, load_rules
from oversight.ui.forms import error_list
from oversight.ui.pages import breadcrumbs

#: A decision's number as the publish button posts it (a bigint's worth of digits at most).
DECISION_NUMBER = re.compile(r"[0-9]{1,18}")

NOF_2025 = "nof-2025-26"


def _frameworks() -> list[Framework]:
    """Frameworks that have a segmentation rules file, newest first."""
    return [f for f in Framework.objects.order_by("-year_start") if rules_path(f.code).is_file()]


def _framework(request: HttpRequest, available: list[Framework],
               problems: list[str] | None = None) -> Framework | None:
    """The framework asked for; an unknown one is a problem said on the page (``problems``),
    and the default (the newest with proposals) is shown instead."""
    code = request.GET.get("framework") or request.POST.get("framework")
    if code:
        for f in available:
            if f.code == code:
                return f
        if problems is None:
            raise Http404(f"No segmentation rules for framework '{code}'.")
        problems.append(f"There is no framework year '{code}' with segmentation rules: "
                        "showing the newest instead.")
    with_data = set(Proposal.objects.filter(current=True).values_list("framework_id", flat=True))
    for f in available:
        if f.id in with_data:
            return f
    return available[0] if available else None


def _quarters(framework: Framework) -> list[str]:
    rows = (Proposal.objects.filter(framework=framework, current=True)
            .values_list("quarter", "quarter_end").distinct())
    return [q for q, _ in sorted(set(rows), key=lambda r: r[1], reverse=True)]


def _quarter(request: HttpRequest, quarters: list[str], framework: Framework | None,
             problems: list[str]) -> str:
    """The quarter asked for (``?quarter=``), else the latest; one without proposals is a
    problem said on the page, and the latest is shown instead."""
    latest = quarters[0] if quarters else ""
    asked = request.GET.get("quarter") or request.POST.get("quarter")
    if not asked or asked in quarters:
        return asked or latest
    name = framework.name if framework else "this framework"
    problems.append(f"There are no proposals for '{asked}' under {name}"
                    + (f": showing {latest}, the latest." if latest else "."))
    return latest


def metric_url(ods_code: str, metric: str) -> str:
    """The metric page (with its SPC chart) of an organisation: the dashboards' URL contract."""
    return f"/organisations/{ods_code}/metrics/{metric}/"


# ----------------------------------------------------------------------------- overview


def overview(request: HttpRequest) -> HttpResponse:
    available = _frameworks()
    problems: list[str] = []
    framework = _framework(request, available, problems)
    quarters = _quarters(framework) if framework else []
    quarter = _quarter(request, quarters, framework, problems)
    previous = quarters[quarters.index(quarter) + 1] if quarter in quarters[:-1] else None
    region = request.GET.get("region", "")
    system_code = request.GET.get("system", "")
    kind = request.GET.get("kind", "")
    segment = request.GET.get("segment", "")

    orgs = visible_organisations(request.user)
    systems = visible_systems(request.user)
    if region:
        orgs, systems = orgs.filter(region__code=region), systems.filter(region__code=region)
    if system_code:
        orgs = orgs.filter(host_system__code=system_code)
        systems = systems.filter(code=system_code)
    if kind == "system":
        orgs = orgs.none()
    elif kind:
        orgs, systems = orgs.filter(kind=kind), systems.none()

    rows: list[dict[str, Any]] = []
    if framework and quarter:
        base = Proposal.objects.filter(framework=framework, current=True)
        now = {(p.organisation_id, p.system_id): p for p in base.filter(quarter=quarter).filter(
            organisation__in=orgs).select_related("organisation", "organisation__host_system")}
        now.update({(p.organisation_id, p.system_id): p for p in base.filter(
            quarter=quarter, system__in=systems).select_related("system")})
        before = {(o, s): seg for o, s, seg in base.filter(quarter=previous).values_list(
            "organisation_id", "system_id", "segment")} if previous else {}
        decided = decided_segments(request.user, framework=framework, quarter=quarter)
        for key, p in now.items():
            subject = p.organisation or p.system
            rows.append({
                "proposal": p, "subject": subject,
                "code": p.subject_code, "is_system": p.system_id is not None,
                "kind": "Integrated care system" if p.system_id else
                        p.organisation.get_kind_display(),
                "previous": before.get(key), "decided": decided.get(key),
                "fired": [_why(r) for r in p.reasons
                          if r.get("summary") or r["rule"] in (
                              "dramatic_drop", "sustained_poor", "financial_plan", "cqc",
                              "critical_quality", "critical_finance", "licence_breach",
                              "commissioning_plan", "capability_gap", "local_priority",
                              "average_score", "financial_override", "recovery_support")],
                "warnings": len(p.warnings),
            })
        if segment.isdigit():  # proposed or decided: who is, or may be, in the segment
            rows = [r for r in rows if int(segment) in (r["proposal"].segment, r["decided"])]
        rows.sort(key=lambda r: (-r["proposal"].segment, r["subject"].name))
        concerns = _concern_counts(request.user, framework, rows)
        for r in rows:
            r["fired"] = list(dict.fromkeys(r["fired"]))
            r["concerns"] = concerns.get(r["code"], 0)
    context = {
        "active": "segmentation", "frameworks": available, "framework": framework,
        "quarters": quarters, "quarter": quarter, "previous": previous, "rows": rows,
        "filter_problems": problems,
        "regions": Region.objects.all(), "systems": visible_systems(request.user),
        "kinds": [("system", "Integrated care system")] + [
            (k.value, k.label) for k in OrganisationKind if k.value in {
                "ccg", "acute", "mental_health", "community", "mental_health_community",
                "ambulance"}],
        "segments": SEGMENTS[framework.method] if framework else (),
        "selected": {"region": region, "system": system_code, "kind": kind, "segment": segment},
        "breadcrumbs": breadcrumbs(("Segmentation", None)),
    }
    template = (
        "segmentation/_overview_rows.jinja" if request.htmx else "segmentation/overview.jinja"
    )
    return render(request, template, context)


def _why(reason: dict[str, Any]) -> str:
    """A reason in a few words for the overview's Why column."""
    if reason["rule"] == "average_score":  # NOF 2025/26: the average places the segment
        return f"Average metric score {reason['value']:.2f}"
    return reason.get("label") or reason["rule"]


def _concern_counts(user, framework: Framework, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Series of the framework's metrics showing special-cause concern now, per subject code
    (a system through its ICB, as it is segmented), from the figures the user may see."""
    organisations = [r["subject"] for r in rows if not r["is_system"]]
    organisations += Organisation.objects.filter(
        kind=OrganisationKind.ICB, ods_code__in=[r["code"] for r in rows if r["is_system"]]
    )
    if not organisations:
        return {}
    metrics = list(Metric.objects.filter(framework=framework).select_related("theme__framework"))
    found = insights(organisations, metrics, rank=False, viewer=visibility(user))
    return found.concern_counts()


# ----------------------------------------------------------------------------- subject pages


class DecisionForm(forms.Form):
    quarter = forms.CharField(widget=forms.HiddenInput)
    framework = forms.CharField(widget=forms.HiddenInput)
    segment = forms.TypedChoiceField(coerce=int, choices=[])
    rationale = forms.CharField(required=False, widget=forms.Textarea)
    system_leader_views = forms.CharField(required=False, widget=forms.Textarea,
                                          label="Views of system leaders")
    effective_from = forms.DateField(label="Date effective")

    def __init__(self, *args: Any, segments: tuple[int, ...] = (1, 2, 3, 4), **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["segment"].choices = [(s, f"Segment {s}") for s in segments]


def _rules_or_none(framework: Framework) -> CriteriaRules | nof.NofRules | None:
    try:
        return load_rules(framework)
    except (SegmentationError, RulesError):
        return None


def _not_assessed(framework: Framework, rules: CriteriaRules | nof.NofRules | None
                  ) -> dict[str, dict[str, Any]]:
    """Per trust kind, the domains of a scored framework it is not assessed on and a sentence
    saying so, for pages that would otherwise show those domains empty."""
    if not isinstance(rules, nof.NofRules):
        return {}
    out = {}
    for kind, names in domains_not_assessed(framework, rules).items():
        domains, those = " or ".join(names).lower(), "that domain" if len(names) == 1 else (
            "those domains")
        out[kind] = {
            "domains": names,
            "text": f"{OrganisationKind(kind).label}s are not assessed on {domains} in the "
            f"{framework.name}: no metric of {those} applies to them, so their average score "
            "rests on the other domains.",
        }
    return out


def _what_if(rules: CriteriaRules | nof.NofRules | None,
             proposal: Proposal | None) -> list[dict[str, Any]]:
    if rules is None or proposal is None:
        return []
    if isinstance(rules, CriteriaRules):
        return what_if(rules, proposal.facts, proposal.reasons)
    return nof_what_if(proposal.facts, rules.override_floor)


def _judgement(rules: CriteriaRules | nof.NofRules | None,
               proposal: Proposal | None) -> list[str]:
    """What only the regional team's judgement can assess for this proposal (rules file)."""
    if not isinstance(rules, CriteriaRules) or proposal is None:
        return []
    kind = proposal.facts.get("kind", "")
    sections = {1: ["segment_1"], 3: ["mandated_support"],
                4: ["mandated_support", "segment_4"]}.get(proposal.segment, [])
    return [item for section in sections for item in rules.judgement_for(section, kind)]


def _place_rollup(system: System, members: list[Proposal],
                  segments: tuple[int, ...]) -> list[dict[str, Any]]:
    """Organisation -> place -> system: per place of the system (then organisations serving the
    system from outside any place), how many organisations stand in each segment, decided where
    a decision is visible, else proposed. The members are sorted by place in passing."""
    def place_of(p: Proposal) -> str:
        place = p.organisation.place
        return place.name if place and place.system_id == system.pk else ""

    members.sort(key=lambda p: (place_of(p) == "", place_of(p)))  # stable: segment, name kept
    rows: dict[str, dict[str, Any]] = {}
    for p in members:
        row = rows.setdefault(place_of(p), {"place": place_of(p) or "Not in a place",
                                            "counts": dict.fromkeys(segments, 0)})
        row["counts"][p.decided_segment or p.segment] += 1
    return list(rows.values())


def headline_reasons(reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first reason of each rule that fired, in their order: what the decider reads above
    the form (the full evidence, often a hundred rows, is below it)."""
    seen: set[str] = set()
    out = []
    for r in reasons:
        if r.get("rule") not in seen:
            seen.add(r.get("rule"))
            out.append(r)
    return out


def _subject_page(request: HttpRequest, subject: Organisation | System) -> HttpResponse:
    available = _frameworks()
    framework = _framework(request, available)
    if framework is None:
        raise Http404("No framework has segmentation rules.")
    quarters = _quarters(framework)
    problems: list[str] = []
    quarter = _quarter(request, quarters, framework, problems)
    is_org = isinstance(subject, Organisation)
    can_decide = request.user.has_perm("segmentation.decide", subject)
    form = None
    if request.method == "POST" and request.POST.get("publish"):
        if not DECISION_NUMBER.fullmatch(request.POST["publish"]):
            return HttpResponseBadRequest("publish must name a decision by its number")
        decision = get_object_or_404(Decision.objects.select_related("organisation", "system"),
                                     pk=int(request.POST["publish"]), framework=framework,
                                     **subject_keys(subject))
        publish_decision(request.user, decision)
        return redirect(request.path + f"?framework={framework.code}&quarter={decision.quarter}")
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied("Only the regional oversight team may record a decision.")
        form = DecisionForm(request.POST, segments=SEGMENTS[framework.method])
        if form.is_valid():
            try:
                record_decision(
                    user=request.user, framework=framework, subject=subject,
                    quarter=form.cleaned_data["quarter"], segment=form.cleaned_data["segment"],
                    rationale=form.cleaned_data["rationale"],
                    system_leader_views=form.cleaned_data["system_leader_views"],
                    effective_from=form.cleaned_data["effective_from"],
                )
            except ValidationError as exc:
                for fieldname, errors in exc.message_dict.items():
                    form.add_error(fieldname if fieldname in form.fields else None, errors)
            else:
                url = request.path + f"?framework={framework.code}&quarter={quarter}"
                return redirect(url)
    lookup = {"organisation": subject} if is_org else {"system": subject}
    proposal = Proposal.objects.filter(framework=framework, quarter=quarter, current=True,
                                       **lookup).first()
    decision = visible_decision(framework, subject, quarter, request.user) if quarter else None
    if form is None and can_decide and quarter:
        form = DecisionForm(initial={
            "quarter": quarter, "framework": framework.code,
            "segment": proposal.segment if proposal else 2,
            "effective_from": dt.date.today(),
        }, segments=SEGMENTS[framework.method])
    code = subject.ods_code if is_org else subject.code
    related: dict[str, Any] = {}
    if is_org and subject.host_system_id:
        related["system"] = subject.host_system
        related["system_proposal"] = Proposal.objects.filter(
            framework=framework, quarter=quarter, current=True, system=subject.host_system
        ).first()
    if not is_org:
        members = (Organisation.objects.filter(host_system=subject) | Organisation.objects.filter(
            systems=subject)).distinct()
        related["members"] = list(Proposal.objects.filter(
            framework=framework, quarter=quarter, current=True, organisation__in=members
        ).select_related("organisation__place").order_by("segment", "organisation__name"))
        decided = decided_segments(request.user, framework=framework, quarter=quarter,
                                   organisation__in=members)
        for p in related["members"]:
            p.decided_segment = decided.get((p.organisation_id, None))
        related["places"] = _place_rollup(subject, related["members"], SEGMENTS[framework.method])
    evidence_code = code
    rules = _rules_or_none(framework)
    cited = {r["metric"] for r in (proposal.reasons or []) if r.get("metric")} if proposal else ()
    metric_names = dict(Metric.objects.filter(framework=framework, code__in=cited)
                        .values_list("code", "name"))
    return render(request, "segmentation/subject.jinja", {
        "active": "segmentation", "subject": subject, "is_org": is_org, "code": code,
        "framework": framework, "frameworks": available, "quarters": quarters,
        "quarter": quarter, "proposal": proposal, "decision": decision,
        "filter_problems": problems,
        "what_if": _what_if(rules, proposal),
        "not_assessed": _not_assessed(framework, rules).get(subject.kind) if is_org else None,
        "judgement": _judgement(rules, proposal),
        "segment_labels": {n: rules.labels[f"segment_{n}"] for n in (1, 3, 4)}
        if isinstance(rules, CriteriaRules) else {},
        "segments_systems": getattr(rules, "systems", False),  # the scored method: no systems
        "history": history(subject, framework, request.user),
        "form": form, "can_decide": can_decide, "metric_url": metric_url,
        "metric_names": metric_names,
        # errors not about one field link to the decision form
        "error_list": error_list(form, {NON_FIELD_ERRORS: "#decision"}) if form else [],
        "headline": headline_reasons(proposal.reasons or []) if proposal else [],
        "current": current_segment(framework, subject, request.user),
        "evidence_code": evidence_code, **related,
        "breadcrumbs": breadcrumbs(
            ("Segmentation", reverse("segmentation")),
            (subject.name, None),
        ),
    })


def organisation(request: HttpRequest, ods_code: str) -> HttpResponse:
    org = get_object_or_404(Organisation.objects.select_related("host_system", "region"),
                            ods_code=ods_code.upper())
    if not request.user.has_perm("organisations.view_organisation", org):
        raise PermissionDenied
    if org.kind == OrganisationKind.ICB and System.objects.filter(code=org.ods_code).exists():
        # an ICB is segmented as its system
        return redirect("segmentation_system", org.ods_code)
    return _subject_page(request, org)


def system(request: HttpRequest, code: str) -> HttpResponse:
    sys_ = get_object_or_404(System.objects.select_related("region"), code=code.upper())
    if not request.user.has_perm("organisations.view_system", sys_):
        raise PermissionDenied
    return _subject_page(request, sys_)


# ----------------------------------------------------------------------------- league, rules


def league(request: HttpRequest) -> HttpResponse:
    framework = Framework.objects.filter(code=NOF_2025).first()
    quarters = _quarters(framework) if framework else []
    problems: list[str] = []
    quarter = _quarter(request, quarters, framework, problems)
    peer = request.GET.get("peer_group", "")
    rows = []
    if framework and quarter:
        visible = visible_organisations(request.user)
        rows = list(Proposal.objects.filter(
            framework=framework, quarter=quarter, current=True, organisation__in=visible
        ).select_related("organisation", "organisation__region"))
    peer_groups = sorted({p.facts.get("peer_group", "") for p in rows})
    rules = _rules_or_none(framework) if framework else None
    cut_summary = league_cut_points(rows, rules) if isinstance(rules, nof.NofRules) else []
    if peer:
        rows = [p for p in rows if p.facts.get("peer_group") == peer]
    rows.sort(key=lambda p: (p.facts.get("peer_group", ""), p.facts.get("rank", 0),
                             p.organisation.ods_code))
    domains: dict[str, str] = {}
    if framework is not None and rules_path(framework.code).is_file():
        domains = nof.load_rules(rules_path(framework.code)).domains
    if not any(d is not None for p in rows for d in p.facts.get("domains", {}).values()):
        domains = {}  # league-table trusts only: no domain scores to show
    not_assessed = _not_assessed(framework, rules) if domains else {}
    template = "segmentation/_league_rows.jinja" if request.htmx else "segmentation/league.jinja"
    return render(request, template, {
        "active": "segmentation", "framework": framework, "quarters": quarters,
        "quarter": quarter, "rows": rows, "peer_groups": peer_groups, "peer": peer,
        "filter_problems": problems,
        "domains": domains, "cut_summary": cut_summary, "not_assessed": not_assessed,
        "breadcrumbs": breadcrumbs(
            ("Segmentation", reverse("segmentation")),
            ("NOF 2025/26 league table", None),
        ),
    })


def league_cut_points(rows: list[Proposal], rules: nof.NofRules) -> list[dict[str, Any]]:
    """The cut points behind the league table's segments and the population they were taken
    over: one entry for pooled cut points, else one per trust type."""
    seen: dict[str, dict[str, Any]] = {}
    for p in rows:
        f = p.facts
        key = "" if rules.cut_rule.pooled else f.get("peer_group", "")
        if key in seen or "population_text" not in f:
            continue
        whole = f.get("national_population")
        bounds = f.get("bounds") or []
        seen[key] = {
            "peer_group": key, "cuts": ", ".join(f"{c:.4f}" for c in f["cuts"]),
            "quartiles": ", ".join(f"{c:.4f}" for c in f.get("quartile_cuts", [])),
            "bounded": bool(f.get("bounded")),
            "population_text": f["population_text"],
            "incomplete": rules.cut_rule.uses_population and (
                whole is None or f["population"] < whole),
            "bounds": "; ".join(
                f"{name} from {_end(bounds[2 * k])} to below {_end(bounds[2 * k + 1])}"
                for k, name in enumerate(nof.CUT_NAMES)) if any(
                b is not None for b in bounds) else "",
        }
    return list(seen.values())


def _end(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def rules_page(request: HttpRequest, code: str) -> HttpResponse:
    framework = get_object_or_404(Framework, code=code)
    try:
        rules = load_rules(framework)
    except SegmentationError as exc:
        raise Http404(str(exc)) from exc
    rows: list[tuple[str, str, str]]
    if isinstance(rules, CriteriaRules):
        rows = rules.describe(kind_names=dict(OrganisationKind.choices))
    else:
        rows = [("Segments", "Unadjusted segment", f"average metric score against cut points: "
                 f"{rules.cut_rule.describe()}"),
                *([("Segments", "National population", ", ".join(
                    f"{kind} {n}" for kind, n in rules.cut_rule.national_population.items())
                    + " (a quarter with fewer loaded is incomplete: the published segments "
                      "bound its cut points)")] if rules.cut_rule.uses_population else []),
                ("Segments", "Financial override", f"{rules.override_flag}: held at segment "
                 f"{rules.override_floor} or worse"),
                ("Segments", "Recovery Support Programme", f"{rules.recovery_flag}: segment "
                 f"{rules.recovery_segment}"),
                ("Scores", "Published decimals", str(rules.decimals))]
        for mid, r in rules.metrics.items():
            rows.append((rules.domains[r.domain], mid, nof.SCORING_METHODS[r.method]
                         + (f" {nof.SCORING_POPULATIONS[r.population]}"
                            if r.method == "rank_scaled" else "")
                         + (f" from {r.value_metric}" if r.value_metric else "")
                         + ("" if r.counts else " (not counted directly)")
                         + (f"; bands {', '.join(f'>= {m:g}: {s:g}' for m, s in r.bands)}, "
                            f"otherwise {r.otherwise:g}" if r.bands else "")))
    return render(request, "segmentation/rules.jinja", {
        "active": "segmentation", "framework": framework, "rules": rules, "rows": rows,
        "path": rules_path(code).relative_to(rules_path(code).parents[3]),
        "frameworks": _frameworks(),
        "breadcrumbs": breadcrumbs(
            ("Segmentation", reverse("segmentation")),
            (f"{framework.name} rules", None),
        ),
    })

