"""Issuing a report as a background job (docs/jobs.md): the page starts it and shows its
progress part by part; the command line runs the same function under a progress bar."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from oversight.jobs.background import JobFailed, Outcome, job, progress
from oversight.reports.issue import issue
from oversight.reports.models import Report


def issue_report(report_id: int, user_id: int | None = None) -> Outcome:
    """Draw, freeze and render a new version of the report; its page is the outcome."""
    report = (Report.objects.select_related("system", "meeting__body", "committee")
              .filter(pk=report_id).first())
    if report is None:
        raise JobFailed(f"Report {report_id} no longer exists.")
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    version = issue(report, user, progress=progress)
    return Outcome(f"Version {version.number} of {report} issued",
                   url=version.get_absolute_url())


@job
def issue_report_job(report_id: int, user_id: int | None = None) -> Outcome:
    return issue_report(report_id, user_id)
