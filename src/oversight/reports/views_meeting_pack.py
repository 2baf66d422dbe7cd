"""The meeting pack page: what the pack of a meeting holds, and the button that builds it.

Anyone who may read the meeting gets its pack (Part A). The Part B pack exists only for those
oversight.access.visibility.may_see lets see a Part B item of the meeting; for anyone else its
URL is a 404, as every Part B URL is (docs/governance.md). The pack is built as a background
job (docs/jobs.md): the button starts it and the job's page shows its progress, then the file."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from oversight.governance.models import ItemPart, Meeting
from oversight.jobs.background import start
from oversight.reports.meeting_pack import FILE_KINDS, meeting_pack_job, pack_items
from oversight.ui.pages import breadcrumbs, page


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("body"), pk=pk)
    if not request.user.has_perm("governance.view_meeting", meeting):
        raise PermissionDenied
    return meeting


def pack_page(request: HttpRequest, pk: int, part: str = ItemPart.A) -> HttpResponse:
    meeting = _meeting(request, pk)
    items = pack_items(meeting, request.user, part)
    if part == ItemPart.B and not items:
        raise Http404("No such pack")
    confidential = part == ItemPart.B
    title = "Part B meeting pack" if confidential else "Meeting pack"
    if request.method == "POST" and items:
        record = start(meeting_pack_job, user=request.user,
                       what=f"{title}: {meeting.body.short_name}, {meeting.date:%-d %B %Y}",
                       again=request.path, meeting_id=meeting.pk, user_id=request.user.pk,
                       part=part)
        return redirect(record)
    meeting_url = meeting.get_absolute_url()
    return page(request, "reports/meeting_pack_page.jinja", {
        "meeting": meeting,
        "items": items,
        "confidential": confidential,
        "title": title,
        "file_kinds": FILE_KINDS,
        "active": "governance",
        "breadcrumbs": breadcrumbs(
            ("Governance", "/governance/"),
            (meeting.body.short_name, f"/governance/{meeting.body.short_name}/"),
            (f"{meeting.date:%-d %B %Y}", meeting_url),
            (title, None),
        ),
    })
