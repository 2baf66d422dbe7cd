"""Reports' background jobs (docs/jobs.md): issuing a report, and rendering the stored PDF and
Word of a version issued before they were kept. The page starts them and shows their progress;
the command line runs the same functions under a progress bar."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from oversight.jobs.background import JobFailed, Outcome, job, progress
from oversight.reports import documents
from oversight.reports.issue import issue_report as issuing
from oversight.reports.models import Report, ReportVersion


def issue_report(report_id: int, user_id: int | None = None) -> Outcome:
    """Draw, freeze and render a new version of the report and put it on the board meeting's
    agenda; its page is the outcome."""
    report = (Report.objects.select_related("system", "meeting__body", "committee")
              .filter(pk=report_id).first())
    if report is None:
        raise JobFailed(f"Report {report_id} no longer exists.")
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        issued = issuing(report, user, progress=progress)
    except ValidationError as exc:  # e.g. the agenda item is Part B business
        raise JobFailed(" ".join(exc.messages)) from None
    return Outcome(f"Version {issued.version.number} of {report} issued. {issued.paper}",
                   url=issued.version.get_absolute_url())


@job
def issue_report_job(report_id: int, user_id: int | None = None) -> Outcome:
    return issue_report(report_id, user_id)


def render_version(version_id: int, fmt: str) -> Outcome:
    """Render and keep the PDF and Word of a version that has none; the download is the
    outcome."""
    version = (ReportVersion.objects.select_related("report__system", "report__meeting__body",
                                                    "report__committee")
               .filter(pk=version_id).first())
    if version is None:
        raise JobFailed(f"Report version {version_id} no longer exists.")
    documents.render_missing(version, progress=progress)
    return Outcome(f"{version} is ready as PDF and Word",
                   url=reverse("reports:download",
                               args=[version.report_id, version.number, fmt]))


@job
def render_version_job(version_id: int, fmt: str) -> Outcome:
    return render_version(version_id, fmt)
