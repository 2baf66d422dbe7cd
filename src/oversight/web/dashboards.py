"""Organisation, place and system pages (moved from ``organisations.views``, which left the
leaf app; the metric page is ``metrics.views_metric``).

Every page checks the per-object rules (``oversight.access.rules``) and computes its figures
with :mod:`oversight.metrics.insight`; HTMX requests for a theme get only the dashboard part.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from markupsafe import Markup

from oversight.access.rules import visible_organisations, visible_systems
from oversight.access.visibility import visible_ratings_filter
from oversight.metrics import charts
from oversight.metrics.insight import Insights, data_version, insights, visibility
from oversight.organisations.models import Organisation, OrganisationKind, Place, System
from oversight.segmentation.decisions import history, newest_current_segment
from oversight.ui.pages import breadcrumbs
from oversight.web.standing import standings

#: Segmentation events (proposals and decisions) shown on an organisation page.
HISTORY_ENTRIES = 8


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
    context["fragment"] = _fragment("dashboards/_organisation_metrics.jinja", context,
                                    organisation.ods_code, *_key_of(context))
    if request.htmx:
        return HttpResponse(context["fragment"])
    return render(
        request,
        "dashboards/detail.jinja",
        context | {
            "systems": organisation.systems.all(),
            "standing": standings(request.user, [organisation])[organisation.pk],
            "history": history(organisation, user=request.user)[:HISTORY_ENTRIES],
            "ratings": organisation.cqc_ratings.filter(visible_ratings_filter(request.user)),
            "collaboratives": organisation.collaboratives.all(),
            "current": _current(organisation, request.user),
            "breadcrumbs": breadcrumbs(
                ("Organisations", "/organisations/"),
                (organisation.name, None),
            ),
        },
    )


def _current(subject: Organisation | System, user) -> dict[str, Any] | None:
    """The current segment panel's context: an ICB is segmented as its system."""
    if isinstance(subject, Organisation) and subject.kind == OrganisationKind.ICB:
        if subject.host_system is None:
            return None
        subject = subject.host_system
    found = newest_current_segment(subject, user)
    if found is None:
        return None
    framework, current = found
    name = ("segmentation_organisation", subject.ods_code) if isinstance(
        subject, Organisation) else ("segmentation_system", subject.code)
    return {"framework": framework, "segment": current,
            "link": reverse(name[0], args=[name[1]]) + f"?framework={framework.code}"}


def system_list(request: HttpRequest) -> HttpResponse:
    systems = visible_systems(request.user).select_related("region").order_by("region", "name")
    return render(request, "dashboards/system_list.jinja",
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
    # Closed organisations (merged or dissolved) are left out of the current dashboard unless
    # asked for (?closed=1); their figures still count in the system and place history.
    with_closed = request.GET.get("closed") == "1"
    shown = [o for o in members if o.pk in visible_ids and (with_closed or o.is_open)]
    closed = sum(1 for o in members if o.pk in visible_ids and not o.is_open)
    hosted = [o for o in members if o.host_system_id == system.pk
              and o.kind != OrganisationKind.ICB]
    groups: dict[str, list[int]] = {}
    columns: list[dict[str, Any]] = []
    sees_all = visible_ids >= {o.pk for o in members}
    if sees_all:
        if place is None:
            groups[f"system:{system.code}"] = [o.pk for o in hosted]
            columns.append({"key": f"system:{system.code}", "heading": f"{system.name} (all)",
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
            columns.append({"key": o.ods_code, "heading": o.short_name, "label": o.name,
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
        "closed_count": closed,
        "with_closed": with_closed,
        "charts": charts,
        "filter_url": request.path,
        "organisation_groups": ORGANISATION_GROUPS,
        "chosen_group": group,
        **_filters(request, found),
    }


def _dashboard_page(request: HttpRequest, template: str, context: dict[str, Any],
                    page: dict[str, Any]) -> HttpResponse:
    """A system or place dashboard: the cached metric tables alone for HTMX, else the page."""
    context["fragment"] = _fragment("dashboards/_dashboard.jinja", _with_rows(context),
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
        "dashboards/system.jinja",
        context,
        {
            "icb": system.icb,
            "places": places,
            "members": members,
            "collaboratives": system.collaboratives.prefetch_related("members"),
            "current": _current(system, request.user),
            "breadcrumbs": breadcrumbs(("Systems", "/systems/"), (system.name, None)),
        },
    )


def system_icons(request: HttpRequest, code: str) -> HttpResponse:
    """Icons-only summary: variation and assurance per metric (rows) x organisation."""
    system = _system_or_403(request, code)
    members = list(_members(system))
    context = _dashboard(request, system, members, [])
    context["columns"] = [c for c in context["columns"] if "organisation" in c]
    context["fragment"] = _fragment("dashboards/_icons_table.jinja", _with_rows(context),
                                    *_key_of(context))
    if request.htmx:
        return HttpResponse(context["fragment"])
    return render(
        request,
        "dashboards/system_icons.jinja",
        context | {"breadcrumbs": breadcrumbs(
            ("Systems", "/systems/"),
            (system.name, system.get_absolute_url()),
            ("Icon summary", None),
        )},
    )


def place_detail(request: HttpRequest, code: str, place_code: str) -> HttpResponse:
    system = _system_or_403(request, code)
    place = get_object_or_404(Place, system=system, code=place_code)
    members = [o for o in _members(system) if o.place_id == place.pk]
    context = _dashboard(request, system, members, [place], place=place)
    return _dashboard_page(
        request,
        "dashboards/place.jinja",
        context,
        {
            "place": place,
            "members": members,
            "standings": standings(request.user, context["shown"]),
            "neighbourhoods": place.neighbourhoods.all(),
            "breadcrumbs": breadcrumbs(
                ("Systems", "/systems/"),
                (system.name, system.get_absolute_url()),
                (place.name, None),
            ),
        },
    )
