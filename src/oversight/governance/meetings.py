"""Meetings: the annual schedule from a body's pattern, extraordinary meetings and their notice,
attendance and the agenda. Refusals are ``ValidationError`` with the reason in words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from oversight.engine.periods import shift_working_days
from oversight.governance.data import deadline_rule
from oversight.governance.deadlines import Deadlines, deadlines_on, notice_given
from oversight.governance.history import record
from oversight.governance.models import (
    AgendaItem,
    Attendance,
    AttendanceMode,
    AttendanceStatus,
    Body,
    ItemKind,
    ItemPart,
    ItemPurpose,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Membership,
    Person,
)
from oversight.governance.schedule import meeting_dates


def _day(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


def body_by_short_name(short_name: str) -> Body:
    """The body called ``short_name`` (any case), or a ValidationError naming the known ones."""
    body = Body.objects.filter(short_name__iexact=short_name.strip()).first()
    if body is None:
        known = ", ".join(Body.objects.values_list("short_name", flat=True)) or "none yet"
        raise ValidationError(f"No body is called {short_name!r} (bodies: {known}).")
    return body


def pattern_dates(body: Body, first: dt.date, last: dt.date) -> list[dt.date]:
    """The dates the body's pattern gives from ``first`` to ``last``."""
    if body.weekday is None or body.week_of_month is None:
        raise ValidationError(
            f"{body.short_name} has no meeting pattern (a weekday and a week of the month): "
            "record one before generating its schedule."
        )
    if last < first:
        raise ValidationError(f"The schedule ends ({_day(last)}) before it starts ({_day(first)}).")
    return meeting_dates(
        first,
        last,
        frequency=body.frequency,
        weekday=body.weekday,
        week_of_month=body.week_of_month,
        first_month=body.first_month,
        if_holiday=body.if_holiday,
    )


@dataclass(frozen=True)
class ScheduledMeeting:
    """A row of a body's schedule: a meeting held or planned, or a date of its pattern."""

    date: dt.date
    kind: str
    deadlines: Deadlines
    meeting: Meeting | None = None


def schedule(body: Body, first: dt.date, last: dt.date) -> list[ScheduledMeeting]:
    """The body's meetings from ``first`` to ``last``: those recorded (not cancelled) and the
    pattern's other dates, each with its deadlines in England working days."""
    rule = deadline_rule(body)
    recorded = {
        m.date: m
        for m in body.meetings.filter(date__range=(first, last)).exclude(
            status=MeetingStatus.CANCELLED
        )
    }
    cancelled = set(
        body.meetings.filter(date__range=(first, last), status=MeetingStatus.CANCELLED).values_list(
            "date", flat=True
        )
    )
    days = set(recorded)
    if body.weekday is not None and body.week_of_month is not None:
        days |= {d for d in pattern_dates(body, first, last) if d not in cancelled}
    out = []
    for day in sorted(days):
        meeting = recorded.get(day)
        kind = meeting.kind if meeting else MeetingKind.SCHEDULED
        out.append(
            ScheduledMeeting(
                day, kind, deadlines_on(day, rule, extraordinary=kind == "extraordinary"), meeting
            )
        )
    return out


def publish_schedule(
    body: Body, first: dt.date, last: dt.date, *, user=None, at: dt.datetime | None = None
) -> list[Meeting]:
    """The secretariat publishes the body's schedule (ToR 7.1): a scheduled meeting for every
    date of the pattern not yet recorded, and draft meetings in the span published. Running
    again creates nothing twice."""
    at = at or timezone.now()
    made = []
    with transaction.atomic():
        existing = set(
            body.meetings.filter(date__range=(first, last)).values_list("date", flat=True)
        )
        for day in pattern_dates(body, first, last):
            if day in existing:
                continue
            meeting = Meeting(
                body=body,
                date=day,
                start_time=body.start_time,
                kind=MeetingKind.SCHEDULED,
                status=MeetingStatus.PUBLISHED,
                location=body.location,
                published_at=at,
            )
            made.append(record(meeting, user=user, reason="Annual schedule published", at=at))
        for meeting in body.meetings.filter(date__range=(first, last), status=MeetingStatus.DRAFT):
            meeting.status, meeting.published_at = MeetingStatus.PUBLISHED, at
            record(meeting, user=user, reason="Annual schedule published", at=at)
    return made


def call_extraordinary(
    body: Body,
    day: dt.date,
    reason: str,
    *,
    called_on: dt.date | None = None,
    user=None,
    start_time: dt.time | None = None,
    location: str = "",
    at: dt.datetime | None = None,
) -> Meeting:
    """Call an extraordinary meeting for a specific purpose (ToR 7.2). Refused, with the dates
    that would do, when it gives less notice than the body's rule (SOAG: 7 working days)."""
    called_on = called_on or timezone.localdate()
    if not reason.strip():
        raise ValidationError("Say what the extraordinary meeting is for (its specific purpose).")
    needed = deadline_rule(body).extraordinary_notice
    given = notice_given(called_on, day)
    if given < needed:
        latest_call = shift_working_days(day, -needed)
        earliest = shift_working_days(called_on, needed)
        raise ValidationError(
            f"An extraordinary meeting of {body.short_name} on {_day(day)} called on "
            f"{_day(called_on)} would have {max(given, 0)} working day"
            f"{'' if given == 1 else 's'}' notice; at least {needed} working days' notice is "
            f"needed. Call it on or before {_day(latest_call)}, or meet on or after "
            f"{_day(earliest)}."
        )
    if body.meetings.filter(date=day).exclude(status=MeetingStatus.CANCELLED).exists():
        raise ValidationError(f"{body.short_name} already meets on {_day(day)}.")
    meeting = Meeting(
        body=body,
        date=day,
        start_time=start_time or body.start_time,
        kind=MeetingKind.EXTRAORDINARY,
        status=MeetingStatus.PUBLISHED,
        called_on=called_on,
        called_by=user,
        reason=reason.strip(),
        location=location or body.location,
        published_at=at or timezone.now(),
    )
    return record(
        meeting, user=user, reason=f"Extraordinary meeting called: {reason.strip()}", at=at
    )


def cancel_meeting(meeting: Meeting, reason: str, *, user=None, at=None) -> Meeting:
    if not reason.strip():
        raise ValidationError("Say why the meeting is cancelled.")
    if meeting.status == MeetingStatus.HELD:
        raise ValidationError(f"{meeting} has been held: it cannot be cancelled.")
    meeting.status = MeetingStatus.CANCELLED
    return record(meeting, user=user, reason=f"Cancelled: {reason.strip()}", at=at)


def mark_held(meeting: Meeting, *, user=None, at=None) -> Meeting:
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(f"{meeting} was cancelled: it cannot have been held.")
    meeting.status = MeetingStatus.HELD
    return record(meeting, user=user, reason="Meeting held", at=at)


def record_attendance(
    meeting: Meeting,
    person: Person,
    status: str = AttendanceStatus.PRESENT,
    *,
    mode: str = AttendanceMode.IN_PERSON,
    deputising_for: Membership | None = None,
    for_items: Iterable[AgendaItem] = (),
    user=None,
    at: dt.datetime | None = None,
) -> Attendance:
    """Record (or correct) one person's attendance: present, apologies or absent; in person or
    remote; in place of which member; for which items (none: the whole meeting)."""
    if status not in AttendanceStatus.values:
        raise ValidationError(f"{status!r} is not an attendance status.")
    if mode not in AttendanceMode.values:
        raise ValidationError(f"{mode!r} is not a way of attending.")
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(f"{meeting} was cancelled: no attendance can be recorded.")
    items = list(for_items)
    if any(i.meeting_id != meeting.pk for i in items):
        raise ValidationError("Attendance can only be for items of this meeting's agenda.")
    if deputising_for is not None:
        if deputising_for.body_id != meeting.body_id or not deputising_for.current_on(meeting.date):
            raise ValidationError(
                f"{deputising_for.person} is not a member of {meeting.body.short_name} on "
                f"{_day(meeting.date)}."
            )
        if not deputising_for.is_member:
            raise ValidationError("A deputy stands in for a member, not an attendee.")
        if deputising_for.person_id == person.pk:
            raise ValidationError("A member cannot deputise for themselves.")
        taken = meeting.attendances.filter(deputising_for=deputising_for).exclude(person=person)
        if taken.exists():
            raise ValidationError(
                f"{taken.first().person} already deputises for {deputising_for.person}."
            )
    with transaction.atomic():
        attendance = meeting.attendances.filter(person=person).first() or Attendance(
            meeting=meeting, person=person
        )
        attendance.status = status
        attendance.mode = mode
        attendance.deputising_for = deputising_for
        said = AttendanceStatus(status).label.lower()
        if deputising_for is not None:
            said += f" (deputy for {deputising_for.person})"
        record(attendance, user=user, reason=f"Attendance recorded: {said}", at=at)
        attendance.for_items.set(items)
    return attendance


def add_item(
    meeting: Meeting,
    *,
    number: str,
    title: str,
    purpose: str,
    part: str = ItemPart.A,
    kind: str = ItemKind.STANDARD,
    lead: Person | None = None,
    presenter: Person | None = None,
    minutes_allotted: int | None = None,
    organisation=None,
    reporting_body: Body | None = None,
    user=None,
    at: dt.datetime | None = None,
) -> AgendaItem:
    """Add an item to the agenda (purpose: approval, decision, assure or inform)."""
    if purpose not in ItemPurpose.values:
        raise ValidationError(f"{purpose!r} is not a purpose (approval, decision, assure, inform).")
    if part not in ItemPart.values:
        raise ValidationError(f"{part!r} is not a part of the agenda (A or B).")
    if kind not in ItemKind.values:
        raise ValidationError(f"{kind!r} is not a kind of agenda item.")
    if not title.strip() or not number.strip():
        raise ValidationError("An agenda item needs a number and a title.")
    if meeting.items.filter(number=number.strip()).exists():
        raise ValidationError(f"{meeting} already has an item {number.strip()}.")
    order = meeting.items.count() + 1
    item = AgendaItem(
        meeting=meeting,
        number=number.strip(),
        title=title.strip(),
        purpose=purpose,
        part=part,
        kind=kind,
        lead=lead,
        presenter=presenter,
        minutes_allotted=minutes_allotted,
        organisation=organisation,
        reporting_body=reporting_body,
        order=order,
    )
    return record(item, user=user, reason=f"Agenda item {item.number} added", at=at)
