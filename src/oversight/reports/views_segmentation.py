"""The segmentation summary page: pick a quarter and a region or system, read the summary, and
download it as HTML, PDF or Word for the regional team's meeting."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from oversight.access.rules import visible_systems
from oversight.organisations.models import Region
from oversight.reports import formats
from oversight.reports.segmentation_summary import (
    SummaryRefused,
    document,
    quarters,
    scope_of,
    summary,
)
from oversight.ui.forms import NhsForm, choice_field
from oversight.ui.pages import breadcrumbs, page


class SummaryForm(NhsForm):
    """Which quarter, and the region or one system: choices from the database."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"] = choice_field("Framework quarter", [(q, q) for q in quarters()])
        systems = visible_systems(user).select_related("region").order_by("name")
        regions = Region.objects.filter(systems__in=systems).distinct().order_by("name")
        self.fields["scope"] = choice_field("Region or system", [
            *((f"region:{r.code}", f"{r.name} region") for r in regions),
            *((f"system:{s.code}", f"{s.name} ({s.code})") for s in systems),
        ])
        self.fields["format"] = forms.CharField(required=False, widget=forms.HiddenInput)


def summary_page(request: HttpRequest) -> HttpResponse:
    form = SummaryForm(request.GET or None, user=request.user)
    context = {"form": form, "summary": None, "problem": "", "active": "segmentation",
               "breadcrumbs": breadcrumbs(("Segmentation", "/segmentation/"),
                                          ("Segmentation summary", None))}
    if not form.is_bound or not form.is_valid():
        return page(request, "reports/segmentation_summary_page.jinja", context,
                    status=422 if form.is_bound else 200)
    kind, _, code = form.cleaned_data["scope"].partition(":")
    try:
        result = summary(request.user, form.cleaned_data["quarter"],
                         scope_of(request.user, **{kind: code}))
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    except SummaryRefused as exc:
        return page(request, "reports/segmentation_summary_page.jinja",
                    context | {"problem": str(exc)}, status=422)
    fmt = request.GET.get("format")
    if fmt:
        return _download(result, fmt)
    query = request.GET.copy()
    query.pop("format", None)
    return page(request, "reports/segmentation_summary_page.jinja", context | {
        "summary": result, "query": query.urlencode()})


def _download(result, fmt: str) -> HttpResponse:
    try:
        data = formats.render(document(result, timezone.localdate()), fmt, title=result.title,
                              running_header=result.title)
    except formats.FormatError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type=formats.CONTENT_TYPES[fmt])
    stem = f"segmentation-summary-{result.quarter}-{result.scope_name}"
    response["Content-Disposition"] = f'attachment; filename="{formats.filename(stem, fmt)}"'
    return response
