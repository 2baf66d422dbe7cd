"""What the governance pages show, gathered from the domain for the views (plain functions, no
HTTP): the overview row of each body, a body's people by sector, the agenda items a user may see
(Part B through ``oversight.access.visibility``), a meeting's deadlines and what is late, and the
iCalendar feed of a body's meetings."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vText

from oversight.engine.units import plural
from oversight.governance.models import (
    AgendaItem,
    Body,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Membership,
    Paper,
    Person,
    Position,
)
from oversight.governance.visibility import visible_items as visible_agenda


def person_of(user) -> Person | None:
    """The governance person of a signed-in user, if they have one."""
    if not user.is_authenticated:
        return None
    return Person.objects.filter(user=user).first()


def chair_of(body: Body, on: dt.date) -> Person | None:
    m = (
        body.memberships.current(on)
        .filter(position=Position.CHAIR)
        .select_related("person")
        .first()
    )
    return m.person if m else None


def next_meeting(body: Body, today: dt.date) -> Meeting | None:
    return (
        body.meetings.filter(date__gte=today)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("date")
        .first()
    )


@dataclass(frozen=True)
class BodyRow:
    body: Body
    chair: Person | None
    next_meeting: Meeting | None
    review_due: dt.date | None
    review_overdue: bool


def body_rows(bodies: Iterable[Body], today: dt.date) -> list[BodyRow]:
    rows = []
    for body in bodies:
        terms = body.current_terms
        rows.append(
            BodyRow(
                body=body,
                chair=chair_of(body, today),
                next_meeting=next_meeting(body, today),
                review_due=terms.review_due if terms else None,
                review_overdue=bool(terms and terms.review_overdue(today)),
            )
        )
    return rows


@dataclass(frozen=True)
class People:
    """A body's current people: members by sector (with their nominated deputies), routine and
    invited attendees, co-opted members and the secretariat."""

    members_by_sector: list[tuple[str, list[Membership]]]
    routine: list[Membership]
    invited: list[Membership]
    secretariat: list[Membership]


def people_of(body: Body, on: dt.date) -> People:
    current = list(
        body.memberships.current(on).select_related("person__organisation", "nominated_deputy")
    )
    by_sector: dict[str, list[Membership]] = defaultdict(list)
    for m in current:
        if m.is_member:
            by_sector[m.sector or m.get_position_display()].append(m)
    order = {p: n for n, p in enumerate(Position.values)}
    sectors = sorted(by_sector.items(), key=lambda kv: min(order[m.position] for m in kv[1]))
    for _, members in sectors:
        members.sort(key=lambda m: (order[m.position], m.representative or 0, m.person.name))
    return People(
        members_by_sector=sectors,
        routine=[m for m in current if m.position == Position.ROUTINE_ATTENDEE],
        invited=[m for m in current if m.position == Position.INVITED_ATTENDEE],
        secretariat=[m for m in current if m.position == Position.SECRETARIAT],
    )


def visible_items(user, meeting: Meeting) -> list[AgendaItem]:
    """The meeting's agenda as ``user`` may see it (Part B only for its audience), with the
    people and papers the page shows."""
    items = visible_agenda(user, meeting.items.all())
    return list(
        items.select_related("lead", "presenter", "reporting_body", "organisation")
        .prefetch_related(
            Prefetch(
                "papers",
                queryset=Paper.objects.select_related(
                    "lead", "author", "urgent_agreed_by"
                ).prefetch_related("versions"),
            )
        )
        .order_by("part", "order", "id")
    )


@dataclass(frozen=True)
class Deadline:
    what: str
    due: dt.date
    done_on: dt.date | None
    late: bool
    #: Why a deadline met shows a later day done: urgent papers the chair agreed to take late.
    note: str = ""


def meeting_deadlines(meeting: Meeting, items: list[AgendaItem], today: dt.date) -> list[Deadline]:
    """Papers (5 working days before for the SOAG) and draft minutes (10 after), each with
    when it was done and whether it is late; for an extraordinary meeting, its notice."""
    from oversight.governance.minutes import minutes_late

    out = []
    if meeting.kind == MeetingKind.EXTRAORDINARY and meeting.notice_due is not None:
        called = meeting.called_on
        out.append(
            Deadline(
                "Notice of the extraordinary meeting",
                meeting.notice_due,
                called,
                bool(called and called > meeting.notice_due),
            )
        )
    papers = [p for i in items for p in i.papers.all()]
    issued = [timezone.localdate(p.issued_at) for p in papers if p.issued_at]
    all_issued = bool(papers) and len(issued) == len(papers)
    late_papers = any(
        (timezone.localdate(p.issued_at) if p.issued_at else today) > meeting.papers_due
        and not p.urgent
        for p in papers
    )
    urgent_after = sum(
        1 for p in papers if p.urgent and p.issued_at
        and timezone.localdate(p.issued_at) > meeting.papers_due
    )
    out.append(
        Deadline(
            "Agenda and papers issued",
            meeting.papers_due,
            max(issued) if all_issued else None,
            late_papers or (not papers and today > meeting.papers_due and meeting.date >= today),
            plural(urgent_after, "urgent paper") + " the chair agreed to take late"
            if urgent_after else "",
        )
    )
    first = meeting.minutes.order_by("version").first()
    out.append(
        Deadline(
            "Draft minutes issued",
            meeting.minutes_due,
            timezone.localdate(first.issued_at) if first and first.issued_at else None,
            minutes_late(meeting, today) if meeting.date <= today else False,
        )
    )
    return out


# ----------------------------------------------------------------------------- iCalendar


def meetings_calendar(body: Body, meetings: Iterable[Meeting], base_url: str) -> bytes:
    """An RFC 5545 calendar of the body's meetings: date and time (Europe/London), place,
    deadlines and status; never the agenda (Part B titles stay out of every export)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    cal = Calendar()
    cal.add("prodid", "-//Oversight//Governance meetings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{body.name} ({body.short_name}) meetings")
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for m in meetings:
        event = Event()
        event.add("uid", f"governance-meeting-{m.pk}@oversight")
        kind = "extraordinary meeting" if m.kind == MeetingKind.EXTRAORDINARY else "meeting"
        event.add("summary", f"{body.short_name} {kind}")
        if m.start_time:
            start = dt.datetime.combine(m.date, m.start_time, tzinfo=zone)
            event.add("dtstart", start)
            event.add("dtend", start + dt.timedelta(hours=2))
        else:
            event.add("dtstart", m.date)
            event.add("dtend", m.date + dt.timedelta(days=1))
        stamp = m.published_at or timezone.now()
        event.add("dtstamp", stamp)
        if m.location:
            event.add("location", vText(m.location))
        lines = [
            f"{body.name}: {m.get_kind_display().lower()} meeting.",
            f"Papers due: {m.papers_due:%-d %B %Y}.",
            f"Draft minutes due: {m.minutes_due:%-d %B %Y}.",
        ]
        if m.kind == MeetingKind.EXTRAORDINARY and m.reason:
            lines.insert(1, f"Purpose: {m.reason}")
        if m.remote:
            lines.append(f"Join remotely: {m.remote}")
        event.add("description", "\n".join(lines))
        event.add("url", f"{base_url}{reverse('governance:meeting', args=[m.pk])}")
        event.add("status", "CANCELLED" if m.status == MeetingStatus.CANCELLED else "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()
