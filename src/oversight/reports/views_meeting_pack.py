"""The meeting pack page: what the pack of a meeting holds, and the button that builds it.

Anyone who may read the meeting gets its pack (Part A). The Part B pack exists only for those
oversight.access.visibility.may_see lets see a Part B item of the meeting; for anyone else its
URL is a 404, as every Part B URL is (docs/governance.md)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from oversight.governance.models import ItemPart, Meeting
from oversight.reports import formats
from oversight.reports.meeting_pack import FILE_KINDS, PackRefused, meeting_pack, pack_items
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
    error = ""
    if request.method == "POST":
        try:
            pack, data = meeting_pack(meeting, request.user, part)
        except PackRefused as exc:
            error = str(exc)
        else:
            response = HttpResponse(data, content_type=formats.CONTENT_TYPES["pdf"])
            name = formats.filename(_stem(meeting, part), "pdf")
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    confidential = part == ItemPart.B
    title = "Part B meeting pack" if confidential else "Meeting pack"
    meeting_url = meeting.get_absolute_url()
    return page(request, "reports/meeting_pack_page.jinja", {
        "meeting": meeting,
        "items": items,
        "confidential": confidential,
        "title": title,
        "file_kinds": FILE_KINDS,
        "error": error,
        "active": "governance",
        "breadcrumbs": breadcrumbs(
            ("Governance", "/governance/"),
            (meeting.body.short_name, f"/governance/{meeting.body.short_name}/"),
            (f"{meeting.date:%-d %B %Y}", meeting_url),
            (title, None),
        ),
    }, status=422 if error else 200)


def _stem(meeting: Meeting, part: str) -> str:
    suffix = "-part-b" if part == ItemPart.B else ""
    return f"{meeting.body.short_name}-{meeting.date:%Y-%m-%d}-meeting-pack{suffix}"
