"""The organisation directory (/organisations/): search and filters, HTMX for the results."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from oversight.access.rules import visible_organisations
from oversight.web.filters import OrganisationFilter


def organisation_list(request: HttpRequest) -> HttpResponse:
    queryset = visible_organisations(request.user).select_related("region", "host_system")
    filterset = OrganisationFilter(request.GET or None, queryset=queryset)
    page = Paginator(filterset.qs.order_by("name"), 50).get_page(request.GET.get("page"))
    template = (
        "dashboards/_directory_results.jinja" if request.htmx else "dashboards/list.jinja"
    )
    return render(
        request,
        template,
        {"active": "organisations", "filter": filterset, "page": page,
         "query": request.GET.copy()},
    )
