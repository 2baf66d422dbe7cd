"""Record and remove rebases from the metric page of an organisation.

Thin views: validation and storage live in :mod:`oversight.metrics.rebases`; an invalid form
re-renders the metric page with its errors (no JavaScript needed).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from oversight.metrics.forms import EVERY_ORGANISATION, rebase_form
from oversight.metrics.models import Metric, Rebase
from oversight.metrics.rebases import RebaseError, record_rebase
from oversight.metrics.views_metric import organisation_metric, page_subject
from oversight.organisations.models import Organisation
from oversight.ui.pages import breadcrumbs


def _page(organisation: Organisation, metric: Metric) -> str:
    return (reverse("organisation_metric", args=[organisation.ods_code, metric.code])
            + f"?framework={metric.framework.code}")


@require_POST
def rebase_add(request: HttpRequest, ods_code: str, metric_code: str) -> HttpResponse:
    organisation, metric = page_subject(request, ods_code, metric_code)
    if not request.user.has_perm("metrics.record_rebase", organisation):
        raise PermissionDenied
    form = rebase_form(organisation, metric, request.user, request.POST)
    if form.is_valid():
        every = form.cleaned_data["applies_to"] == EVERY_ORGANISATION
        try:
            record_rebase(metric, None if every else organisation, form.cleaned_data["date"],
                          form.cleaned_data["reason"], request.user)
        except RebaseError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect(_page(organisation, metric) + "#rebases")
    return organisation_metric(request, organisation.ods_code, metric.code,
                               rebase_form_shown=form, status=400)


def rebase_remove(request: HttpRequest, ods_code: str, metric_code: str,
                  pk: int) -> HttpResponse:
    """GET: ask to confirm; POST: remove (the history keeps what was removed, by whom)."""
    organisation, metric = page_subject(request, ods_code, metric_code)
    rebase = get_object_or_404(
        Rebase.objects.select_related("organisation", "recorded_by", "metric"),
        pk=pk, metric=metric,
    )
    if rebase.organisation_id not in (None, organisation.pk):
        raise Http404("No such rebase for this organisation")
    if not request.user.has_perm("metrics.record_rebase", rebase.organisation):
        raise PermissionDenied
    page = _page(organisation, metric)
    if request.method == "POST":
        rebase.delete()
        return redirect(page + "#rebases")
    return render(request, "metrics/rebase_remove.jinja", {
        "active": "organisations", "organisation": organisation, "metric": metric,
        "rebase": rebase, "back": page,
        "breadcrumbs": breadcrumbs(
            (organisation.name, organisation.get_absolute_url()),
            (metric.name, page),
            ("Remove a rebase", None),
        ),
    })
