"""Minutes: drafted per agenda item, issued within the body's working days, approved at a later
meeting of the body, then published. A change after approval is a new version saying who and
why. An inquorate meeting (or one inquorate for an item, once conflicted members leave) may
minute discussion but no decision."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from oversight.governance.history import record
from oversight.governance.interests import conflict_minute
from oversight.governance.models import (
    AgendaItem,
    AssuranceLevel,
    Decided,
    DecisionMethod,
    Finding,
    Meeting,
    MeetingStatus,
    MinuteEntry,
    Minutes,
    MinutesStatus,
)
from oversight.governance.quoracy import quoracy


def current_minutes(meeting: Meeting) -> Minutes | None:
    """The latest version of the meeting's minutes."""
    return meeting.minutes.order_by("-version").first()


def draft_minutes(meeting: Meeting, *, user=None, at: dt.datetime | None = None) -> Minutes:
    """Start the minutes of a meeting: one entry per agenda item."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(f"{meeting} was cancelled: it has no minutes.")
    if meeting.minutes.exists():
        raise ValidationError(f"{meeting} already has minutes: edit the current version.")
    at = at or timezone.now()
    with transaction.atomic():
        minutes = record(
            Minutes(meeting=meeting, version=1, drafted_by=user, created_at=at),
            user=user,
            reason="Minutes drafted",
            at=at,
        )
        for item in meeting.items.all():
            record(MinuteEntry(minutes=minutes, item=item), user=user, reason="Drafted", at=at)
    return minutes


def _entry(minutes: Minutes, item: AgendaItem) -> MinuteEntry:
    if item.meeting_id != minutes.meeting_id:
        raise ValidationError(f"Item {item.number} is not on the agenda of {minutes.meeting}.")
    return minutes.entries.filter(item=item).first() or MinuteEntry(minutes=minutes, item=item)


def record_minute(
    minutes: Minutes,
    item: AgendaItem,
    *,
    discussion: str = "",
    decision: str = "",
    decided: str = "",
    votes_for: int | None = None,
    votes_against: int | None = None,
    abstentions: int | None = None,
    assurance: str = "",
    finding: str = "",
    escalate_to_board: bool = False,
    escalation: str = "",
    difference_of_view: str = "",
    user=None,
    at: dt.datetime | None = None,
) -> MinuteEntry:
    """Write the minute of one item in a draft. A decision needs the meeting quorate for that
    item; a body that takes no votes (the SOAG) decides by consensus."""
    if minutes.status != MinutesStatus.DRAFT:
        raise ValidationError(
            f"Version {minutes.version} of the minutes is {minutes.get_status_display().lower()}:"
            " a change needs a new version saying why."
        )
    meeting = minutes.meeting
    decision = decision.strip()
    votes = (votes_for, votes_against, abstentions)
    if decision:
        quorum = quoracy(meeting, item)
        if not quorum.quorate:
            raise ValidationError(
                f"No decision can be recorded for item {item.number}: {quorum.reason} "
                "Record the discussion only."
            )
        decided = decided or Decided.CONSENSUS
        if decided not in Decided.values:
            raise ValidationError(f"{decided!r}: a decision is made by consensus or by vote.")
        if decided == Decided.VOTE:
            if meeting.body.decision_method == DecisionMethod.CONSENSUS:
                raise ValidationError(
                    f"{meeting.body.short_name} takes no votes: it decides by consensus (a "
                    "substantive difference of views is recorded and reported to the board)."
                )
            if votes_for is None or votes_against is None:
                raise ValidationError("Record the votes for and against.")
        elif any(v is not None for v in votes):
            raise ValidationError("Votes are recorded only for a decision by vote.")
    elif decided or any(v is not None for v in votes):
        raise ValidationError("Record the decision itself before how it was made.")
    if assurance and assurance not in AssuranceLevel.values:
        raise ValidationError(
            f"{assurance!r} is not a level of assurance (substantial, reasonable, partial, "
            "limited, none)."
        )
    if finding and finding not in Finding.values:
        raise ValidationError(f"{finding!r} is not a finding (intervention, good).")
    if escalate_to_board and not escalation.strip():
        raise ValidationError("Say what is escalated to the board.")
    entry = _entry(minutes, item)
    entry.discussion = discussion.strip()
    entry.decision = decision
    entry.decided = decided if decision else ""
    entry.votes_for, entry.votes_against, entry.abstentions = votes if decision else (None,) * 3
    entry.assurance = assurance
    entry.finding = finding
    entry.escalate_to_board = escalate_to_board
    entry.escalation = escalation.strip()
    entry.difference_of_view = difference_of_view.strip()
    return record(entry, user=user, reason=f"Minute of item {item.number} recorded", at=at)


def issue_draft(minutes: Minutes, *, user=None, at: dt.datetime | None = None) -> Minutes:
    """Send the draft to members (due within the body's working days after the meeting)."""
    if minutes.status != MinutesStatus.DRAFT:
        raise ValidationError("Only a draft is issued for approval.")
    minutes.issued_at = at or timezone.now()
    return record(minutes, user=user, reason="Draft minutes issued", at=at)


def approve_minutes(
    minutes: Minutes, at_meeting: Meeting, *, user=None, at: dt.datetime | None = None
) -> Minutes:
    """The body approves the draft at a later meeting that is quorate."""
    meeting = minutes.meeting
    if minutes.status != MinutesStatus.DRAFT:
        raise ValidationError(
            f"Version {minutes.version} is already {minutes.get_status_display().lower()}."
        )
    if at_meeting.body_id != meeting.body_id or at_meeting.date <= meeting.date:
        raise ValidationError(
            f"Minutes of {meeting} are approved at a later meeting of {meeting.body.short_name}."
        )
    if at_meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(f"{at_meeting} was cancelled.")
    quorum = quoracy(at_meeting)
    if not quorum.quorate:
        raise ValidationError(f"{at_meeting} cannot approve minutes: {quorum.reason}")
    minutes.status = MinutesStatus.APPROVED
    minutes.approved_at_meeting = at_meeting
    minutes.approved_by = user
    return record(minutes, user=user, reason=f"Approved at {at_meeting}", at=at)


def publish_minutes(minutes: Minutes, *, user=None, at: dt.datetime | None = None) -> Minutes:
    if minutes.status != MinutesStatus.APPROVED:
        raise ValidationError("Only approved minutes are published.")
    minutes.status = MinutesStatus.PUBLISHED
    minutes.published_at = at or timezone.now()
    return record(minutes, user=user, reason="Minutes published", at=at)


def amend_minutes(minutes: Minutes, *, user, reason: str, at: dt.datetime | None = None) -> Minutes:
    """Change approved (or published) minutes: a new draft version, copied from this one, that
    says who changed it and why; it is approved again like any draft."""
    if minutes.status == MinutesStatus.DRAFT:
        raise ValidationError("A draft is edited in place: amend minutes once approved.")
    if not reason.strip():
        raise ValidationError("Say why the approved minutes change.")
    if current_minutes(minutes.meeting).pk != minutes.pk:
        raise ValidationError(f"Version {minutes.version} is not the latest version.")
    at = at or timezone.now()
    with transaction.atomic():
        new = record(
            Minutes(
                meeting=minutes.meeting,
                version=minutes.version + 1,
                drafted_by=user,
                supersedes=minutes,
                changed_by=user,
                change_reason=reason.strip(),
                created_at=at,
            ),
            user=user,
            reason=f"Version {minutes.version + 1}: {reason.strip()}",
            at=at,
        )
        for old in minutes.entries.all():
            actions = list(old.actions.all())
            old.pk = None
            old.id = None
            old._state.adding = True
            old.minutes = new
            record(old, user=user, reason=f"Copied from version {minutes.version}", at=at)
            old.actions.set(actions)
    return new


def raise_minute_action(
    entry: MinuteEntry,
    *,
    user,
    subject,
    kind: str,
    title: str,
    owner,
    due: dt.date,
    description: str = "",
):
    """An action the body requires, raised as a SOAG action (owner, due date, status,
    escalation) and linked from the minute of the item."""
    from oversight.support.actions import raise_action

    if entry.minutes.status != MinutesStatus.DRAFT:
        raise ValidationError("Actions are added to draft minutes.")
    with transaction.atomic():
        action = raise_action(
            user=user,
            subject=subject,
            kind=kind,
            title=title,
            owner=owner,
            due=due,
            description=description,
        )
        entry.actions.add(action)
    return action


def conflicts_minuted(minutes: Minutes) -> dict[int, list[str]]:
    """For each agenda item (id), how its conflicts of interest were handled, in words."""
    out: dict[int, list[str]] = {}
    for item in minutes.meeting.items.prefetch_related(
        "rulings__person", "rulings__deputy", "rulings__declaration", "rulings__ruled_by"
    ):
        lines = [conflict_minute(r) for r in item.rulings.all()]
        if lines:
            out[item.pk] = lines
    return out


def minutes_late(meeting: Meeting, today: dt.date | None = None) -> bool:
    """Draft minutes not issued by the deadline (or issued after it)."""
    minutes = meeting.minutes.order_by("version").first()
    due = meeting.minutes_due
    if minutes is not None and minutes.issued_at is not None:
        return timezone.localdate(minutes.issued_at) > due
    return meeting.status != MeetingStatus.CANCELLED and (today or timezone.localdate()) > due
