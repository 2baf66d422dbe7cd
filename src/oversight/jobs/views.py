"""A job's page and the progress fragment it polls (docs/jobs.md)."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from oversight.jobs.background import stop_abandoned
from oversight.jobs.models import Job
from oversight.ui.pages import breadcrumbs, page

#: The HTTP status that tells htmx to stop polling.
STOP_POLLING = 286


def job_of(request: HttpRequest, pk) -> Job:
    """The job `pk`, if the signed-in user started it (a 404 otherwise: nobody learns that
    someone else's job exists). A running job whose worker has gone is recorded as failed
    first (`stop_abandoned`), so no page shows it running for ever."""
    record = get_object_or_404(Job.objects.select_related("started_by"), pk=pk)
    if record.started_by_id != request.user.pk:
        raise Http404("no such job")
    if record.state == Job.State.RUNNING and stop_abandoned(Job.objects.filter(pk=record.pk)):
        record.refresh_from_db()
    return record


def job_page(request: HttpRequest, pk) -> HttpResponse:
    """What a job is doing, then how it ended: its outcome, result link and file, or error."""
    record = job_of(request, pk)
    return page(request, "jobs/job.jinja", {
        "job": record,
        "breadcrumbs": breadcrumbs((record.what, None)),
    })


def job_progress(request: HttpRequest, pk) -> HttpResponse:
    """The progress fragment, polled by htmx every second while the job is unfinished. Once
    it has finished the page holding the fragment reloads (HX-Refresh), so that page shows the
    outcome its own way, and polling stops."""
    record = job_of(request, pk)
    response = render(request, "jobs/_progress_body.jinja", {"job": record})
    response["Cache-Control"] = "no-store"
    if record.finished:
        response.status_code = STOP_POLLING
        response["HX-Refresh"] = "true"
    return response


def job_file(request: HttpRequest, pk) -> FileResponse:
    """The file a finished job produced, to the person who started it."""
    record = job_of(request, pk)
    if record.state != Job.State.SUCCEEDED or not record.result_file:
        raise Http404("this job has no file")
    try:
        handle = record.result_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("the file is no longer stored") from exc
    return FileResponse(handle, as_attachment=True, filename=record.file_name)
