"""Directory, organisation, place and system pages, and the metric page of an organisation.

Every page checks the per-object rules (``oversight.access.rules``) and computes its figures
with :mod:`oversight.metrics.insight`; HTMX requests for a theme get only the dashboard part.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, Resolver404, resolve
from markupsafe import Markup

from oversight.access.rules import visible_organisations, visible_systems
from oversight.metrics import charts, views_rebases
from oversight.metrics.insight import (
    Insights,
    data_version,
    insights,
    metric_series,
    national_ranks,
    peer_values,
    visibility,
)
from oversight.metrics.models import Metric, Polarity
from oversight.organisations.filters import OrganisationFilter
from oversight.organisations.models import Organisation, OrganisationKind, Place, System
from oversight.organisations.standing import standings
from oversight.segmentation.decisions import history

#: Segmentation events (proposals and decisions) shown on an organisation page.
HISTORY_ENTRIES = 8


def organisation_list(request: HttpRequest) -> HttpResponse:
    queryset = visible_organisations(request.user).select_related("region", "host_system")
    filterset = OrganisationFilter(request.GET or None, queryset=queryset)
    page = Paginator(filterset.qs.order_by("name"), 50).get_page(request.GET.get("page"))
    template = (
        "organisations/_directory_results.jinja" if request.htmx else "organisations/list.jinja"
    )
    return render(
        request,
        template,
        {"active": "organisations", "filter": filterset, "page": page,
         "query": request.GET.copy()},
    )


#: Which organisations a dashboard shows as columns: (label, kinds; None for every kind).
ORGANISATION_GROUPS: dict[str, tuple[str, set[str] | None]] = {
    "trusts": ("ICB and trusts", {OrganisationKind.ICB, OrganisationKind.CCG,
                                  *OrganisationKind.trusts()}),
    "primary_care": ("Primary care networks and practices",
                     {OrganisationKind.PCN, OrganisationKind.PRACTICE}),
    "local_authorities": ("Local authorities", {OrganisationKind.LOCAL_AUTHORITY}),
    "all": ("All organisations", None),
}


def _filters(request: HttpRequest, found: Insights) -> dict[str, Any]:
    """Framework and theme to show (``?framework=``, ``?theme=``): the newest framework with
    data by default; a theme implies its framework."""
    blocks = found.by_theme()
    frameworks = list({b.theme.framework.code: b.theme.framework for b in blocks}.values())
    themes = [b.theme for b in blocks]
    theme = request.GET.get("theme", "")
    framework = request.GET.get("framework", "")
    theme_obj = next((t for t in themes if t.code == theme
                      and (not framework or t.framework.code == framework)), None)
    if theme_obj is not None:
        framework = theme_obj.framework.code
    else:
        theme = ""
    if framework not in {f.code for f in frameworks}:
        framework = frameworks[0].code if frameworks else ""
    shown = [b for b in blocks if b.theme.framework.code == framework
             and (not theme or b.theme.code == theme)]
    return {"blocks": shown, "frameworks": frameworks, "chosen_framework": framework,
            "themes": themes, "chosen_theme": theme}


#: Rendered dashboard fragments are kept this long (they are also keyed by the data version).
FRAGMENT_CACHE_SECONDS = 600


def _fragment(template: str, context: dict[str, Any], *key_parts: Any) -> Markup:
    # ``context["version"]``: the data version the page's figures were computed for.
    """The metric tables of a page, rendered once per data version, columns and filters.

    They depend on nothing else (no user, no CSRF token), and re-rendering hundreds of cells
    costs more than computing them.
    """
    raw = "|".join(str(k) for k in (template, context["version"], *key_parts))
    key = "oversight:fragment:" + hashlib.sha256(raw.encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        html = render_to_string(template, context)
        cache.set(key, html, FRAGMENT_CACHE_SECONDS)
    return Markup(html)


def _with_rows(context: dict[str, Any]) -> dict[str, Any]:
    """Keep only the metrics (rows) that have a value in at least one of the columns shown."""
    keys = {c["key"] for c in context["columns"]}
    present = {m for (subject, m) in context["found"].cells if subject in keys}
    blocks = []
    for b in context["blocks"]:
        metrics = [m for m in b.metrics if m.pk in present]
        if metrics:
            blocks.append(type(b)(b.theme, metrics))
    return context | {"blocks": blocks}


def _key_of(context: dict[str, Any]) -> tuple[Any, ...]:
    return (
        context.get("chosen_framework"), context.get("chosen_theme"),
        tuple(c["key"] for c in context.get("columns", ())),
        tuple(c["href"] or "" for c in context.get("columns", ())),
    )


def organisation_detail(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = get_object_or_404(
        Organisation.objects.select_related(
            "region", "host_system", "place", "neighbourhood", "successor"
        ),
        ods_code=ods_code.upper(),
    )
    if not request.user.has_perm("organisations.view_organisation", organisation):
        raise PermissionDenied
    viewer = visibility(request.user)
    version = f"{data_version()}:{viewer.token}"
    found = insights([organisation], version=version, viewer=viewer)
    context = {
        "version": version,
        "active": "organisations",
        "organisation": organisation,
        "found": found,
        "charts": charts,
        "filter_url": request.path,
        **_filters(request, found),
    }
    context["fragment"] = _fragment("organisations/_organisation_metrics.jinja", context,
                                    organisation.ods_code, *_key_of(context))
    if request.htmx:
        return HttpResponse(context["fragment"])
    return render(
        request,
        "organisations/detail.jinja",
        context | {
            "systems": organisation.systems.all(),
            "standing": standings(request.user, [organisation])[organisation.pk],
            "history": history(organisation, user=request.user)[:HISTORY_ENTRIES],
            "ratings": organisation.cqc_ratings.all(),
            "collaboratives": organisation.collaboratives.all(),
            "breadcrumbs": [
                {"href": "/", "text": "Home"},
                {"href": "/organisations/", "text": "Organisations"},
                {"text": organisation.name},
            ],
        },
    )


def system_list(request: HttpRequest) -> HttpResponse:
    systems = visible_systems(request.user).select_related("region").order_by("region", "name")
    return render(request, "organisations/system_list.jinja",
                  {"active": "systems", "systems": systems})


def _system_or_403(request: HttpRequest, code: str) -> System:
    system = get_object_or_404(System.objects.select_related("region"), code=code.upper())
    if not request.user.has_perm("organisations.view_system", system):
        raise PermissionDenied
    return system


def _members(system: System) -> QuerySet[Organisation]:
    """Organisations hosted by, or serving, the system."""
    return (
        Organisation.objects.filter(host_system=system)
        | Organisation.objects.filter(systems=system)
    ).distinct().select_related("place").order_by("kind", "name")


def _dashboard(
    request: HttpRequest, system: System, members: list[Organisation],
    places: list[Place], *, place: Place | None = None,
) -> dict[str, Any]:
    """Context shared by the system and place dashboards.

    Aggregates (system, places) are shown only to users who may see every organisation in
    them, so an organisation user never learns a neighbour's figures by subtraction.
    """
    visible_ids = set(
        visible_organisations(request.user).filter(pk__in=[o.pk for o in members])
        .values_list("pk", flat=True)
    )
    shown = [o for o in members if o.pk in visible_ids]
    hosted = [o for o in members if o.host_system_id == system.pk
              and o.kind != OrganisationKind.ICB]
    groups: dict[str, list[int]] = {}
    columns: list[dict[str, Any]] = []
    sees_all = visible_ids >= {o.pk for o in members}
    if sees_all:
        if place is None:
            groups[f"system:{system.code}"] = [o.pk for o in hosted]
            columns.append({"key": f"system:{system.code}", "heading": system.code,
                            "label": f"{system.name} (all organisations)", "href": None})
        for p in places:
            ids = [o.pk for o in hosted if o.place_id == p.pk]
            if ids:
                groups[f"place:{p.code}"] = ids
                columns.append({
                    "key": f"place:{p.code}", "heading": p.name, "label": p.name,
                    "href": None if place else f"/systems/{system.code}/places/{p.code}/",
                })
    group = request.GET.get("organisations", "")
    if group not in ORGANISATION_GROUPS:
        group = "all" if place is not None else "trusts"
    kinds = ORGANISATION_GROUPS[group][1]
    for o in shown:
        if kinds is None or o.kind in kinds:
            columns.append({"key": o.ods_code, "heading": o.ods_code, "label": o.name,
                            "href": o.get_absolute_url(), "organisation": o})
    viewer = visibility(request.user)
    version = f"{data_version()}:{viewer.token}"
    found = insights(shown, groups=groups, version=version, viewer=viewer)
    return {
        "version": version,
        "active": "systems",
        "system": system,
        "found": found,
        "columns": columns,
        "sees_all": sees_all,
        "shown": shown,  # the members the user may see
        "charts": charts,
        "filter_url": request.path,
        "organisation_groups": ORGANISATION_GROUPS,
        "chosen_group": group,
        **_filters(request, found),
    }


def _dashboard_page(request: HttpRequest, template: str, context: dict[str, Any],
                    page: dict[str, Any]) -> HttpResponse:
    """A system or place dashboard: the cached metric tables alone for HTMX, else the page."""
    context["fragment"] = _fragment("organisations/_dashboard.jinja", _with_rows(context),
                                    context["sees_all"], *_key_of(context))
    if request.htmx:
        return HttpResponse(context["fragment"])
    return render(request, template, context | page)


def system_detail(request: HttpRequest, code: str) -> HttpResponse:
    system = _system_or_403(request, code)
    members = list(_members(system))
    places = list(system.places.prefetch_related("neighbourhoods", "organisations"))
    context = _dashboard(request, system, members, places)
    return _dashboard_page(
        request,
        "organisations/system.jinja",
        context,
        {
            "icb": system.icb,
            "places": places,
            "members": members,
            "collaboratives": system.collaboratives.prefetch_related("members"),
            "breadcrumbs": [
                {"href": "/", "text": "Home"},
                {"href": "/systems/", "text": "Systems"},
                {"text": system.name},
            ],
        },
    )


def system_icons(request: HttpRequest, code: str) -> HttpResponse:
    """Icons-only summary: variation and assurance per metric (rows) x organisation."""
    system = _system_or_403(request, code)
    members = list(_members(system))
    context = _dashboard(request, system, members, [])
    context["columns"] = [c for c in context["columns"] if "organisation" in c]
    context["fragment"] = _fragment("organisations/_icons_table.jinja", _with_rows(context),
                                    *_key_of(context))
    if request.htmx:
        return HttpResponse(context["fragment"])
    return render(
        request,
        "organisations/system_icons.jinja",
        context | {"breadcrumbs": [
            {"href": "/", "text": "Home"},
            {"href": "/systems/", "text": "Systems"},
            {"href": system.get_absolute_url(), "text": system.name},
            {"text": "Icon summary"},
        ]},
    )


def place_detail(request: HttpRequest, code: str, place_code: str) -> HttpResponse:
    system = _system_or_403(request, code)
    place = get_object_or_404(Place, system=system, code=place_code)
    members = [o for o in _members(system) if o.place_id == place.pk]
    context = _dashboard(request, system, members, [place], place=place)
    return _dashboard_page(
        request,
        "organisations/place.jinja",
        context,
        {
            "place": place,
            "members": members,
            "standings": standings(request.user, context["shown"]),
            "neighbourhoods": place.neighbourhoods.all(),
            "breadcrumbs": [
                {"href": "/", "text": "Home"},
                {"href": "/systems/", "text": "Systems"},
                {"href": system.get_absolute_url(), "text": system.name},
                {"text": place.name},
            ],
        },
    )


def _batch_link(batch_id: int) -> str | None:
    """The ingestion page of an import batch, when the app serves one."""
    path = f"/imports/{batch_id}/"
    try:
        resolve(path)
    except (Resolver404, NoReverseMatch):
        return None
    return path


def organisation_metric(request: HttpRequest, ods_code: str, metric_code: str,
                        rebase_form: Any = None, status: int = 200) -> HttpResponse:
    """SPC chart, data table, peer ranking, provenance and rebases of one metric for one
    organisation (``rebase_form``: a rejected add-a-rebase form to show with its errors)."""
    organisation = get_object_or_404(
        Organisation.objects.select_related("host_system", "region"), ods_code=ods_code.upper()
    )
    if not request.user.has_perm("organisations.view_organisation", organisation):
        raise PermissionDenied
    candidates = list(
        Metric.objects.filter(code=metric_code).select_related("theme", "framework")
        .order_by("-framework__year_start")
    )
    wanted = request.GET.get("framework")
    if wanted:
        candidates = [m for m in candidates if m.framework.code == wanted]
    if not candidates:
        raise Http404("No such metric")
    with_data = [m for m in candidates if m.observations.filter(organisation=organisation).exists()]
    metric = (with_data or candidates)[0]
    series = metric_series(organisation, metric, visibility(request.user))
    latest = series.latest
    rank = peers = None
    ranking_svg = Markup("")
    if latest is not None and metric.polarity != Polarity.NEUTRAL:
        rank = national_ranks(metric, latest.period_start).get(organisation.pk)
        if rank is not None:
            peers = peer_values(metric, latest.period_start, organisation.kind)
            ranking_svg = charts.ranking_chart(
                peers, highlight=organisation.pk, unit=metric.unit,
                higher_is_better=metric.polarity == Polarity.HIGHER_IS_BETTER,
                lower_quartile=rank.lower_quartile, median=rank.median,
                upper_quartile=rank.upper_quartile,
                title=f"{metric.name}, {latest.period_label}",
            )
    batches = {p.batch_id: _batch_link(p.batch_id) for p in series.points}
    may_rebase = request.user.has_perm("metrics.record_rebase", organisation)
    if may_rebase and rebase_form is None and series.points:
        rebase_form = views_rebases.rebase_form(organisation, metric, request.user)
    removable = {r.pk for r in series.rebases
                 if request.user.has_perm("metrics.record_rebase", r.organisation)}
    return render(
        request,
        "metrics/metric.jinja",
        {
            "active": "organisations",
            "organisation": organisation,
            "metric": metric,
            "series": series,
            "chart": Markup(series.chart_svg(metric.name)),
            "rank": rank,
            "peer_count": len(peers) if peers else 0,
            "ranking_svg": ranking_svg,
            "batch_links": batches,
            "charts": charts,
            "kind_label": OrganisationKind(organisation.kind).label,
            "rebase_form": rebase_form if may_rebase else None,
            "removable_rebases": removable,
            "breadcrumbs": [
                {"href": "/", "text": "Home"},
                {"href": "/organisations/", "text": "Organisations"},
                {"href": organisation.get_absolute_url(), "text": organisation.name},
                {"text": metric.name},
            ],
        },
        status=status,
    )
