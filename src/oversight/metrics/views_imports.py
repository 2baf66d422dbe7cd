"""Data loads: upload a file, see every batch, and the history of any stored figure.

Thin views: validation and storage live in `oversight.metrics.importing`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from oversight.access.visibility import batch_restriction, may_see, visible_batches_filter
from oversight.jobs.background import start
from oversight.jobs.views import job_of
from oversight.metrics import uploads
from oversight.metrics.importing import FORMATS
from oversight.metrics.importing import template as template_format
from oversight.metrics.models import Framework, ImportBatch, Observation, ObservationRevision
from oversight.metrics.rules import visible_batches
from oversight.organisations.models import CqcRatingRevision
from oversight.ui.pages import breadcrumbs

FORMAT_LABELS = {
    "template": "Oversight template (CSV or XLSX)",
    "nof": "NHS England NOF publication (CSV)",
    "ae": "NHS England A&E attendances and emergency admissions, monthly (CSV)",
    "cqc": "CQC ratings (CSV)",
    "ods": "NHS England ODS organisations or successors (etr.csv, ICB, sub-ICB location, succ.csv)",
    "places": "Systems and places of organisations (CSV or XLSX)",
}
#: The data loads page, first in the breadcrumbs of its batch and observation pages.
DATA_LOADS = ("Data loads", "/imports/")


def _require_loader(request: HttpRequest) -> None:
    if not request.user.has_perm("metrics.load_data"):
        raise PermissionDenied


def import_list(request: HttpRequest) -> HttpResponse:
    """The upload form and the list of batches. A valid upload is stored and loaded by a
    background job; the answer is a redirect to the upload's page (`upload_detail`)."""
    _require_loader(request)
    if request.method != "POST":
        return _data_loads(request, {})
    upload = request.FILES.get("file")
    fmt = request.POST.get("format", "")
    dry_run = request.POST.get("dry_run") == "1"
    framework_code = request.POST.get("framework") or None
    chosen = {"chosen": fmt, "dry_run": dry_run, "framework_code": framework_code}
    if upload is None:
        return _data_loads(request, chosen | {"form_error": "Select a file to upload"}, 400)
    if fmt not in FORMATS:
        return _data_loads(request, chosen | {"format_error": "Select the layout of the file"},
                           400)
    record = start(
        uploads.load_upload, user=request.user,
        what=f"{'Check' if dry_run else 'Load'} {upload.name}"[:255],
        again=request.path, path=uploads.store(upload), file_name=upload.name, fmt=fmt,
        user_id=request.user.pk, framework_code=framework_code, dry_run=dry_run,
    )
    response = redirect("import_upload", pk=record.pk)
    response.status_code = 303  # see the upload's page, by GET
    return response


def upload_detail(request: HttpRequest, pk) -> HttpResponse:
    """One upload: its progress while its job runs (the page reloads when it ends), then the
    summary or the problem report (status 422: the file was rejected), above the form."""
    _require_loader(request)
    record = job_of(request, pk)
    outcome = uploads.outcome_context(record)
    status = 422 if "rejected" in outcome else 200
    return _data_loads(request, {"job": record, **outcome}, status)


def _data_loads(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    context = {
        "active": "imports",
        "formats": FORMAT_LABELS,
        "chosen": "template",
        "frameworks": Framework.objects.all(),
        "breadcrumbs": breadcrumbs(("Data loads", None)),
    } | context
    context["format_items"] = [
        {"value": v, "text": t, "checked": v == context["chosen"]} for v, t in FORMAT_LABELS.items()
    ]
    context["framework_items"] = [
        {"value": "", "text": "Default: the latest framework that has each metric"},
        *(
            {"value": f.code, "text": f.name, "selected": f.code == context.get("framework_code")}
            for f in context["frameworks"]
        ),
    ]
    context["page"] = Paginator(visible_batches(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "metrics/imports/list.jinja", context, status=status)


def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch.objects.select_related("created_by", "framework"), pk=pk)
    if not request.user.has_perm("metrics.view_importbatch", batch):
        raise PermissionDenied
    observations = batch.observations.select_related("metric", "organisation").order_by(
        "source_row"
    )
    revisions = (
        ObservationRevision.objects.filter(superseded_by=batch)
        .select_related("observation__metric", "observation__organisation")
        .order_by("observation_id")
    )
    return render(
        request,
        "metrics/imports/batch.jinja",
        {
            "active": "imports",
            "batch": batch,
            "page": Paginator(observations, 100).get_page(request.GET.get("page")),
            "revisions": revisions[:500],
            "revision_count": revisions.count(),
            "ratings": batch.cqc_ratings.select_related("organisation")[:500],
            "rating_revisions": CqcRatingRevision.objects.filter(
                superseded_by=batch
            ).select_related("rating__organisation")[:500],
            "may_publish": batch.status == ImportBatch.Status.APPLIED
            and request.user.has_perm("metrics.publish_importbatch", batch),
            "breadcrumbs": breadcrumbs(DATA_LOADS, (f"Batch {batch.pk}", None)),
        },
    )


@require_POST
def batch_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish an organisation's batch: its figures become visible to everyone who may see
    the organisation (SOAG members included)."""
    batch = get_object_or_404(ImportBatch, pk=pk, status=ImportBatch.Status.APPLIED)
    if not request.user.has_perm("metrics.publish_importbatch", batch):
        raise PermissionDenied
    # Conditional update: two people publishing at once record the first.
    ImportBatch.objects.filter(pk=batch.pk, published_at__isnull=True).update(
        published_at=timezone.now(), published_by=request.user
    )
    return redirect("import_batch", pk=batch.pk)


def observation_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The current value of one figure and every value it held before, with their batches."""
    observation = get_object_or_404(
        Observation.objects.select_related("metric__framework", "organisation", "batch"), pk=pk
    )
    if not request.user.has_perm("organisations.view_organisation", observation.organisation):
        raise PermissionDenied
    # A figure from an unpublished load, and the values earlier unpublished loads gave it, are
    # seen only by those who see the organisation's unpublished data (SOAG members do not).
    if not may_see(request.user, batch_restriction(observation.batch)):
        raise PermissionDenied("This figure is not published yet.")
    seen = ImportBatch.objects.filter(visible_batches_filter(request.user))
    revisions = list(observation.revisions.filter(batch__in=seen)
                     .select_related("batch", "superseded_by").order_by("-id"))
    named = {observation.batch_id, *(r.batch_id for r in revisions),
             *(r.superseded_by_id for r in revisions)}
    return render(
        request,
        "metrics/imports/history.jinja",
        {
            "active": "imports",
            "observation": observation,
            "revisions": revisions,
            # batches are linked only where the reader may open them (visible_batches)
            "openable": set(visible_batches(request.user).filter(pk__in=named)
                            .values_list("pk", flat=True)),
            "breadcrumbs": breadcrumbs(DATA_LOADS, (f"Observation {observation.pk}", None)),
        },
    )


def template_download(request: HttpRequest, code: str) -> HttpResponse:
    framework = get_object_or_404(Framework, code=code)
    xlsx = request.GET.get("xlsx") == "1"
    data = template_format.blank(framework, xlsx=xlsx)
    kind = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if xlsx
        else "text/csv; charset=utf-8"
    )
    response = HttpResponse(data, content_type=kind)
    name = f"oversight-template-{framework.code}.{'xlsx' if xlsx else 'csv'}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
