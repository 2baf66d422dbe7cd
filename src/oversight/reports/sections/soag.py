"""What the oversight group did since the last report, meeting by meeting, from its minutes:
the key issues by area (agenda item), decisions, the level of assurance taken, areas requiring
intervention and of good performance, actions, escalations to the board and substantive
differences of view. Part B business stays out (``governance.visibility``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from oversight.governance.minutes import current_minutes
from oversight.governance.models import Finding, Meeting, MeetingStatus, MinuteEntry, Minutes
from oversight.governance.quoracy import quoracy
from oversight.governance.visibility import visible_entries
from oversight.reports.sections.scope import Scope, day
from oversight.support.models import ActionStatus, SoagAction


def _action_status(action: SoagAction, as_at: dt.date) -> str:
    """The action's status on the day (completed or escalated later: still open then)."""
    later = [t for t in (action.completed_at, action.escalated_at)
             if t is not None and timezone.localdate(t) > as_at]
    return ActionStatus.OPEN.label if later else action.get_status_display()


def _action(action: SoagAction, as_at: dt.date) -> dict[str, Any]:
    return {
        "title": action.title,
        "owner": action.owner.get_full_name() or action.owner.get_username(),
        "due": day(action.due),
        "status": _action_status(action, as_at),
    }


def _minutes_status(minutes: Minutes, as_at: dt.date) -> str:
    """Where the minutes stood on the day: published, approved, issued in draft or drafted."""
    if minutes.published_at and timezone.localdate(minutes.published_at) <= as_at:
        return "published"
    approved = minutes.approved_at_meeting
    if approved is not None and approved.date <= as_at:
        return f"approved at the meeting of {approved.date:%-d %B %Y}"
    if minutes.issued_at and timezone.localdate(minutes.issued_at) <= as_at:
        return "draft, issued to members, not yet approved"
    return "draft, not yet approved"


def _entry(entry: MinuteEntry, as_at: dt.date) -> dict[str, Any]:
    return {
        "number": entry.item.number,
        "area": entry.item.title,
        "discussion": entry.discussion,
        "decision": entry.decision,
        "assurance": entry.assurance,
        "assurance_label": entry.get_assurance_display() if entry.assurance else "",
        "finding": entry.finding,
        "finding_label": entry.get_finding_display() if entry.finding else "",
        "escalation": entry.escalation if entry.escalate_to_board else "",
        "difference_of_view": entry.difference_of_view,
        "actions": [_action(a, as_at) for a in entry.actions.all()],
    }


def _meeting(meeting: Meeting, scope: Scope) -> dict[str, Any]:
    minutes = current_minutes(meeting)
    entries = []
    if minutes is not None:
        qs = (minutes.entries.select_related("item")
              .prefetch_related("actions__owner"))
        entries = [_entry(e, scope.as_at) for e in visible_entries(scope.reader, qs)
                   if e.discussion or e.decision or e.assurance or e.finding]
    quorum = quoracy(meeting)
    return {
        "date": day(meeting.date),
        "kind": meeting.get_kind_display(),
        "chair": meeting.chaired_by.name if meeting.chaired_by_id else "",
        "quorate": quorum.quorate,
        "quoracy": quorum.reason,
        "minutes": (f"version {minutes.version}, {_minutes_status(minutes, scope.as_at)}"
                    if minutes else "none recorded yet"),
        "entries": entries,
    }


def soag_section(scope: Scope) -> dict[str, Any]:
    meetings = list(
        Meeting.objects.filter(body=scope.committee, date__gte=scope.since,
                               date__lte=scope.until, status=MeetingStatus.HELD)
        .select_related("body", "chaired_by").order_by("date")
    )
    held = [_meeting(m, scope) for m in meetings]
    items = [(m["date"], i) for m in held for i in m["entries"]]
    return {
        "body": scope.committee.name,
        "short_name": scope.committee.short_name,
        "meetings": held,
        "assurance": [{"date": d, "area": i["area"], "level": i["assurance_label"]}
                      for d, i in items if i["assurance"]],
        "intervention": [{"date": d, "area": i["area"]} for d, i in items
                         if i["finding"] == Finding.INTERVENTION],
        "good": [{"date": d, "area": i["area"]} for d, i in items if i["finding"] == Finding.GOOD],
        "escalations": [{"date": d, "area": i["area"], "text": i["escalation"]}
                        for d, i in items if i["escalation"]],
        "differences": [{"date": d, "area": i["area"], "text": i["difference_of_view"]}
                        for d, i in items if i["difference_of_view"]],
    }
