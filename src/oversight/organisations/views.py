"""Directory, organisation and system pages."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from oversight.access.rules import visible_organisations, visible_systems
from oversight.metrics.queries import latest_observations_by_theme
from oversight.organisations.filters import OrganisationFilter
from oversight.organisations.models import Organisation, System


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


def organisation_detail(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = get_object_or_404(
        Organisation.objects.select_related(
            "region", "host_system", "place", "neighbourhood", "successor"
        ),
        ods_code=ods_code.upper(),
    )
    if not request.user.has_perm("organisations.view_organisation", organisation):
        raise PermissionDenied
    return render(
        request,
        "organisations/detail.jinja",
        {
            "active": "organisations",
            "organisation": organisation,
            "systems": organisation.systems.all(),
            "ratings": organisation.cqc_ratings.all(),
            "collaboratives": organisation.collaboratives.all(),
            "themes": latest_observations_by_theme(organisation),
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


def system_detail(request: HttpRequest, code: str) -> HttpResponse:
    system = get_object_or_404(System.objects.select_related("region"), code=code.upper())
    if not request.user.has_perm("organisations.view_system", system):
        raise PermissionDenied
    members = (
        Organisation.objects.filter(host_system=system) | Organisation.objects.filter(
            systems=system)
    ).distinct().select_related("place").order_by("kind", "name")
    return render(
        request,
        "organisations/system.jinja",
        {
            "active": "systems",
            "system": system,
            "icb": system.icb,
            "places": system.places.prefetch_related("neighbourhoods", "organisations"),
            "members": members,
            "collaboratives": system.collaboratives.prefetch_related("members"),
            "breadcrumbs": [
                {"href": "/", "text": "Home"},
                {"href": "/systems/", "text": "Systems"},
                {"text": system.name},
            ],
        },
    )
