"""Report pages under /reports/: the list, a new report, the cover sheet and narrative, the
preview, issuing, and the issued versions with their downloads. Thin: who may do what from
``reports.rules``, the work in ``preparing`` and ``issue``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods

from oversight.jobs.background import start
from oversight.reports import issue as issuing
from oversight.reports.documents import FORMATS, NotRendered, body_of, document
from oversight.reports.forms import NarrativeForm, NewReportForm
from oversight.reports.jobs import issue_report_job, render_version_job
from oversight.reports.models import Report, ReportVersion
from oversight.reports.preparing import board_meetings, start_report
from oversight.reports.rules import preparable_systems, readable
from oversight.ui.forms import add_errors
from oversight.ui.pages import breadcrumbs, page

ACTIVE = "reports"


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200):
    return page(request, template, {"active": ACTIVE} | context, status=status)


def _report(request: HttpRequest, pk: int, perm: str = "reports.view_report") -> Report:
    report = get_object_or_404(
        Report.objects.select_related("system", "meeting__body", "committee"), pk=pk)
    if not request.user.has_perm(perm, report):
        raise PermissionDenied
    if perm == "reports.view_report" and not report.versions.exists() and not (
        request.user.has_perm("reports.prepare_report", report)
    ):
        raise PermissionDenied  # a draft is its preparers' until issued
    return report


def _crumbs(report: Report | None = None, *rest: tuple[str, str | None]):
    trail: list[tuple[str, str | None]] = [("Reports", "/reports/")]
    if report is not None:
        trail.append((f"{report.system.name}: {report.meeting.body.short_name} "
                      f"{report.meeting.date:%-d %B %Y}", report.get_absolute_url()))
    return breadcrumbs(*trail, *rest)


def report_list(request: HttpRequest) -> HttpResponse:
    reports = (readable(request.user).select_related("system", "meeting__body", "committee")
               .prefetch_related("versions__issued_by"))
    return _page(request, "reports/list.jinja", {
        "reports": reports,
        "may_prepare": bool(preparable_systems(request.user)),
        "breadcrumbs": breadcrumbs(("Reports", None)),
    })


@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    systems = preparable_systems(request.user)
    if not systems:
        raise PermissionDenied
    form = NewReportForm(request.POST or None, systems=systems,
                         meetings=list(board_meetings(systems)))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = start_report(data["system"], data["meeting"], since=data["since"],
                                  user=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "The report is started: write its cover sheet and "
                                      "narrative, preview it, then issue it.")
            return redirect("reports:edit", report.pk)
    return _page(request, "reports/form.jinja", {
        "form": form, "title": "New SOAG overview report", "submit": "Start the report",
        "caption": "Reports", "back": "/reports/",
        "breadcrumbs": _crumbs(None, ("New report", None)),
    }, status=422 if form.errors else 200)


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    return _page(request, "reports/detail.jinja", {
        "report": report,
        "versions": report.versions.select_related(
            "issued_by", "paper_version__paper__item__meeting__body").prefetch_related("files")
        .order_by("-number"),
        "may_prepare": request.user.has_perm("reports.prepare_report", report),
        "parts": issuing.parts_of(report),
        "formats": FORMATS,
        "breadcrumbs": breadcrumbs(("Reports", "/reports/"), (str(report), None)),
    })


@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk, "reports.prepare_report")
    form = NarrativeForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "The cover sheet and narrative are saved.")
        return redirect("reports:detail", report.pk)
    return _page(request, "reports/form.jinja", {
        "form": form, "title": "Cover sheet and narrative", "submit": "Save",
        "caption": str(report), "back": report.get_absolute_url(),
        "breadcrumbs": _crumbs(report, ("Cover sheet and narrative", None)),
    }, status=422 if form.errors else 200)


def report_preview(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk, "reports.prepare_report")
    return _page(request, "reports/document_page.jinja", {
        "report": report, "document": body_of(issuing.render_document(issuing.draw(report))),
        "breadcrumbs": _crumbs(report, ("Preview", None)),
    })


@require_http_methods(["GET", "POST"])
def report_issue(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk, "reports.prepare_report")
    if request.method == "POST":  # a background job: its page shows the progress, part by part
        record = start(issue_report_job, user=request.user, what=f"Issue {report}",
                       again=request.path, report_id=report.pk, user_id=request.user.pk)
        return HttpResponseRedirect(record.get_absolute_url(), status=303)
    return _page(request, "reports/issue.jinja", {
        "report": report, "parts": issuing.parts_of(report),
        "next_number": (report.latest.number + 1) if report.latest else 1,
        "breadcrumbs": _crumbs(report, ("Issue", None)),
    })


def _version(request: HttpRequest, pk: int, number: int) -> ReportVersion:
    report = _report(request, pk)
    return get_object_or_404(
        ReportVersion.objects.select_related(
            "issued_by", "paper_version__paper__item__meeting__body",
        ).prefetch_related("files"), report=report, number=number)


def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = _version(request, pk, number)
    report = version.report
    return _page(request, "reports/document_page.jinja", {
        "report": report, "version": version, "formats": FORMATS,
        "document": body_of(version.html),
        "breadcrumbs": _crumbs(report, (f"Version {version.number}", None)),
    })


def version_download(request: HttpRequest, pk: int, number: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("No such format")
    version = _version(request, pk, number)
    try:
        content, content_type, name = document(version, fmt)
    except NotRendered:  # issued before PDF and Word were kept: render them once, as a job
        record = start(render_version_job, user=request.user,
                       what=f"Make {version} as PDF and Word", version_id=version.pk, fmt=fmt)
        return HttpResponseRedirect(record.get_absolute_url(), status=303)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
