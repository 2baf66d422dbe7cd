"""The metric page of an organisation: SPC chart, data table, peer ranking, provenance and
rebases of one metric (moved here from the organisation pages, which now live in ``web``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, Resolver404, resolve
from markupsafe import Markup

from oversight.metrics import charts
from oversight.metrics.forms import rebase_form
from oversight.metrics.insight import metric_series, national_ranks, peer_values, visibility
from oversight.metrics.models import Metric, Polarity
from oversight.organisations.models import Organisation, OrganisationKind
from oversight.ui.pages import breadcrumbs


def page_subject(request: HttpRequest, ods_code: str, metric_code: str,
                 ) -> tuple[Organisation, Metric]:
    """The organisation and metric of a metric page, or 404/403: ``?framework=`` picks the
    framework year, else the newest one with figures for the organisation (else the newest)."""
    organisation = get_object_or_404(
        Organisation.objects.select_related("host_system", "region"), ods_code=ods_code.upper()
    )
    if not request.user.has_perm("organisations.view_organisation", organisation):
        raise PermissionDenied
    metric = Metric.by_code(metric_code, request.GET.get("framework") or None, organisation)
    if metric is None:
        raise Http404("No such metric")
    return organisation, metric


def _batch_link(batch_id: int) -> str | None:
    """The ingestion page of an import batch, when the app serves one."""
    path = f"/imports/{batch_id}/"
    try:
        resolve(path)
    except (Resolver404, NoReverseMatch):
        return None
    return path


def organisation_metric(request: HttpRequest, ods_code: str, metric_code: str,
                        rebase_form_shown: Any = None, status: int = 200) -> HttpResponse:
    """SPC chart, data table, peer ranking, provenance and rebases of one metric for one
    organisation (``rebase_form_shown``: a rejected add-a-rebase form to show with its
    errors)."""
    organisation, metric = page_subject(request, ods_code, metric_code)
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
    form = rebase_form_shown
    if may_rebase and form is None and series.points:
        form = rebase_form(organisation, metric, request.user)
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
            "chart": Markup(series.chart_svg(
                f"{metric.name}: monthly movement" if metric.accumulation else metric.name)),
            "rank": rank,
            "peer_count": len(peers) if peers else 0,
            "ranking_svg": ranking_svg,
            "batch_links": batches,
            "charts": charts,
            "kind_label": OrganisationKind(organisation.kind).label,
            "rebase_form": form if may_rebase else None,
            "removable_rebases": removable,
            "breadcrumbs": breadcrumbs(
                ("Organisations", "/organisations/"),
                (organisation.name, organisation.get_absolute_url()),
                (metric.name, None),
            ),
        },
        status=status,
    )
