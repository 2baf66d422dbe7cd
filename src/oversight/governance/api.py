"""JSON API for governance (django-ninja router, mounted by ``oversight.api`` at
``/api/governance/``): bodies, members, meetings with their deadlines and quoracy, a meeting's
agenda and minutes (Part B only for its audience: ``oversight.governance.visibility``), and
recording attendance and declarations of interest (the body's secretariat)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from oversight.exports import neutralise
from oversight.governance.interests import declare_interest
from oversight.governance.meetings import record_attendance
from oversight.governance.minutes import conflicts_minuted, current_minutes
from oversight.governance.models import (
    AgendaItem,
    Attendance,
    AttendanceMode,
    AttendanceStatus,
    Body,
    Declaration,
    InterestKind,
    Meeting,
    MeetingStatus,
    Membership,
    Person,
)
from oversight.governance.quoracy import quoracy
from oversight.governance.rules import can_see_body, is_secretariat
from oversight.governance.visibility import visible_entries, visible_items, visible_papers
from oversight.organisations.models import Organisation
from oversight.ui.api import NOT_FOUND, REFUSED

router = Router(tags=["governance"])


class TermsOut(Schema):
    version: str
    dated: dt.date
    approved_by: str
    approved_on: dt.date | None
    review_due: dt.date | None
    review_overdue: bool


class BodyOut(Schema):
    short_name: str
    name: str
    kind: str
    reports_to: str | None = Field(description="Short name of the body it reports to.")
    recommends_to: str
    decision_method: str = Field(description="consensus (no votes) or vote")
    quoracy: str = Field(description="The quoracy rule in words.")
    frequency: str
    terms: TermsOut | None = Field(description="The current terms of reference.")


class MemberOut(Schema):
    id: int
    person: str
    job_title: str
    organisation: str | None = Field(description="ODS code of the person's organisation.")
    sector: str
    role_title: str
    position: str
    representative: int | None = Field(description="1 first, 2 second representative.")
    quoracy_group: str
    nominated_deputy: str | None
    start: dt.date | None
    end: dt.date | None


class MeetingOut(Schema):
    id: int
    body: str
    date: dt.date
    start_time: dt.time | None
    kind: str = Field(description="scheduled or extraordinary")
    status: str
    location: str
    quorate: bool = Field(description="Quorate on the attendance recorded so far.")
    quoracy_reason: str
    papers_due: dt.date = Field(description="Last day to issue papers (working days before).")
    minutes_due: dt.date = Field(description="Last day for draft minutes (working days after).")
    notice_due: dt.date | None = Field(
        description="Extraordinary meetings: the last day it could be called with due notice."
    )
    called_on: dt.date | None
    reason: str


class Span(Schema):
    date_from: dt.date | None = Field(None, alias="from", description="First date.")
    date_to: dt.date | None = Field(None, alias="to", description="Last date.")


class PaperOut(Schema):
    id: int
    title: str
    lead: str | None
    author: str | None
    report_purpose: str
    urgent: bool
    issued_at: dt.datetime | None
    versions: int


class ItemOut(Schema):
    id: int
    number: str
    title: str
    part: str = Field(description="A, or B (confidential: only its audience sees it)")
    purpose: str
    kind: str
    lead: str | None
    presenter: str | None
    minutes_allotted: int | None
    quorate: bool = Field(description="Quorate for this item's decision.")
    papers: list[PaperOut]


class AttendanceOut(Schema):
    id: int
    person: str
    status: str
    mode: str
    deputising_for: str | None = Field(description="The member this person stands in for.")
    for_items: list[str] = Field(description="Item numbers (empty: the whole meeting).")


class AttendanceIn(Schema):
    person_id: int
    status: AttendanceStatus = AttendanceStatus.PRESENT
    mode: AttendanceMode = AttendanceMode.IN_PERSON
    deputising_for: int | None = Field(None, description="Membership id of the member replaced.")
    for_items: list[int] = Field(default_factory=list, description="Agenda item ids.")


class AttendanceRecorded(Schema):
    attendance: AttendanceOut
    quorate: bool
    quoracy_reason: str


class DeclarationOut(Schema):
    id: int
    person: str
    kind: str
    financial: bool
    description: str
    organisation: str | None
    declared_on: dt.date
    ended_on: dt.date | None
    reviewed_on: dt.date | None
    review_due: dt.date


class DeclarationIn(Schema):
    person_id: int
    kind: InterestKind
    financial: bool = False
    description: str
    declared_on: dt.date
    organisation: str | None = Field(None, description="ODS code of the organisation concerned.")
    meeting_id: int | None = Field(None, description="The meeting it was declared at.")


def _name(person: Person | None) -> str | None:
    return person.name if person else None


def _body_out(body: Body) -> dict:
    from oversight.governance.data import quoracy_rule

    terms = body.current_terms
    return {
        "short_name": body.short_name,
        "name": body.name,
        "kind": body.kind,
        "reports_to": body.reports_to.short_name if body.reports_to_id else None,
        "recommends_to": body.recommends_to,
        "decision_method": body.decision_method,
        "quoracy": quoracy_rule(body).text,
        "frequency": body.frequency,
        "terms": None
        if terms is None
        else {
            "version": terms.version,
            "dated": terms.dated,
            "approved_by": terms.approved_by,
            "approved_on": terms.approved_on,
            "review_due": terms.review_due,
            "review_overdue": terms.review_overdue(),
        },
    }


def _meeting_out(m: Meeting) -> dict:
    q = quoracy(m)
    return {
        "id": m.pk,
        "body": m.body.short_name,
        "date": m.date,
        "start_time": m.start_time,
        "kind": m.kind,
        "status": m.status,
        "location": m.location,
        "quorate": q.quorate,
        "quoracy_reason": q.reason,
        "papers_due": m.papers_due,
        "minutes_due": m.minutes_due,
        "notice_due": m.notice_due,
        "called_on": m.called_on,
        "reason": m.reason,
    }


def _attendance_out(a: Attendance) -> dict:
    return {
        "id": a.pk,
        "person": a.person.name,
        "status": a.status,
        "mode": a.mode,
        "deputising_for": a.deputising_for.person.name if a.deputising_for_id else None,
        "for_items": [i.number for i in a.for_items.all()],
    }


def _body(request, short_name: str) -> Body:
    body = Body.objects.filter(short_name__iexact=short_name).first()
    if body is None or not can_see_body(request.user, body):
        raise HttpError(404, f"No body {short_name!r} you may see.")
    return body


def _meeting(request, meeting_id: int) -> Meeting:
    meeting = Meeting.objects.select_related("body").filter(pk=meeting_id).first()
    if meeting is None or not can_see_body(request.user, meeting):
        raise HttpError(404, f"No meeting {meeting_id} you may see.")
    return meeting


@router.get("/bodies", response=list[BodyOut], summary="Bodies you may see")
def list_bodies(request):
    bodies = Body.objects.select_related("reports_to").order_by("name")
    return [_body_out(b) for b in bodies if can_see_body(request.user, b)]


@router.get("/bodies/{short_name}", response={200: BodyOut, **NOT_FOUND})
def read_body(request, short_name: str):
    return _body_out(_body(request, short_name))


@router.get("/bodies/{short_name}/members", response={200: list[MemberOut], **NOT_FOUND})
def list_members(request, short_name: str, on: dt.date | None = None):
    """Memberships (members, attendees, secretariat) current on ``on`` (default today)."""
    body = _body(request, short_name)
    rows = (
        Membership.objects.filter(body=body)
        .current(on)
        .select_related("person__organisation", "nominated_deputy")
    )
    return [
        {
            "id": m.pk,
            "person": m.person.name,
            "job_title": m.person.job_title,
            "organisation": m.person.organisation.ods_code if m.person.organisation_id else None,
            "sector": m.sector,
            "role_title": m.role_title,
            "position": m.position,
            "representative": m.representative,
            "quoracy_group": m.quoracy_group,
            "nominated_deputy": _name(m.nominated_deputy),
            "start": m.start,
            "end": m.end,
        }
        for m in rows
    ]


@router.get("/bodies/{short_name}/meetings", response={200: list[MeetingOut], **NOT_FOUND})
def list_meetings(request, short_name: str, span: Query[Span]):
    """The body's meetings (not cancelled), with deadlines and quoracy."""
    body = _body(request, short_name)
    qs = body.meetings.exclude(status=MeetingStatus.CANCELLED).select_related("body")
    if span.date_from:
        qs = qs.filter(date__gte=span.date_from)
    if span.date_to:
        qs = qs.filter(date__lte=span.date_to)
    return [_meeting_out(m) for m in qs.order_by("date")]


@router.get("/meetings/{meeting_id}", response={200: MeetingOut, **NOT_FOUND})
def read_meeting(request, meeting_id: int):
    return _meeting_out(_meeting(request, meeting_id))


@router.get("/meetings/{meeting_id}/agenda", response={200: list[ItemOut], **NOT_FOUND})
def read_agenda(request, meeting_id: int):
    """The agenda: Part B items appear only to their audience (the body's members, the item's
    attendees and the secretariat); to anyone else they do not exist."""
    meeting = _meeting(request, meeting_id)
    items = visible_items(request.user, meeting.items.select_related("lead", "presenter"))
    papers = (
        visible_papers(request.user).filter(item__meeting=meeting).select_related("lead", "author")
    )
    by_item: dict[int, list] = {}
    for p in papers:
        by_item.setdefault(p.item_id, []).append(
            {
                "id": p.pk,
                "title": p.title,
                "lead": _name(p.lead),
                "author": _name(p.author),
                "report_purpose": p.report_purpose,
                "urgent": p.urgent,
                "issued_at": p.issued_at,
                "versions": p.versions.count(),
            }
        )
    return [
        {
            "id": i.pk,
            "number": i.number,
            "title": i.title,
            "part": i.part,
            "purpose": i.purpose,
            "kind": i.kind,
            "lead": _name(i.lead),
            "presenter": _name(i.presenter),
            "minutes_allotted": i.minutes_allotted,
            "quorate": quoracy(meeting, i).quorate,
            "papers": by_item.get(i.pk, []),
        }
        for i in items
    ]


@router.get(
    "/meetings/{meeting_id}/minutes.csv",
    response={200: str, **NOT_FOUND},
    summary="Export the minutes as CSV",
)
def export_minutes(request, meeting_id: int):
    """The current version of the minutes, one row per item the user may see (Part B rows
    only for its audience): item, part, title, discussion, decision, how decided, assurance,
    escalation, conflicts of interest and how they were handled. Text led by a formula
    character gets an apostrophe (``oversight.exports``)."""
    meeting = _meeting(request, meeting_id)
    minutes = current_minutes(meeting)
    if minutes is None:
        raise HttpError(404, f"{meeting} has no minutes yet.")
    conflicts = conflicts_minuted(minutes)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "item",
            "part",
            "title",
            "discussion",
            "decision",
            "decided",
            "assurance",
            "escalation",
            "difference_of_view",
            "conflicts",
            "version",
            "status",
        ]
    )
    entries = visible_entries(request.user, minutes.entries.select_related("item"))
    for e in entries.order_by("item__part", "item__order", "item__id"):
        writer.writerow(
            [
                neutralise(cell)
                for cell in (
                    e.item.number,
                    e.item.part,
                    e.item.title,
                    e.discussion,
                    e.decision,
                    e.decided,
                    e.assurance,
                    e.escalation,
                    e.difference_of_view,
                    " ".join(conflicts.get(e.item_id, [])),
                    minutes.version,
                    minutes.status,
                )
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{meeting.body.short_name}-{meeting.date:%Y-%m-%d}-minutes.csv"'
    )
    return response


@router.get("/meetings/{meeting_id}/attendance", response={200: list[AttendanceOut], **NOT_FOUND})
def list_attendance(request, meeting_id: int):
    meeting = _meeting(request, meeting_id)
    rows = meeting.attendances.select_related("person", "deputising_for__person")
    return [_attendance_out(a) for a in rows.prefetch_related("for_items")]


@router.post(
    "/meetings/{meeting_id}/attendance",
    response={201: AttendanceRecorded, **REFUSED},
    summary="Record attendance (secretariat)",
)
def post_attendance(request, meeting_id: int, payload: AttendanceIn):
    """Record or correct one person's attendance; the answer says whether the meeting is now
    quorate and why."""
    meeting = _meeting(request, meeting_id)
    if not is_secretariat(request.user, meeting):
        raise HttpError(403, f"Only the {meeting.body.short_name} secretariat records attendance.")
    person = Person.objects.filter(pk=payload.person_id).first()
    if person is None:
        raise HttpError(422, f"No person {payload.person_id}.")
    deputising = None
    if payload.deputising_for is not None:
        deputising = Membership.objects.filter(pk=payload.deputising_for).first()
        if deputising is None:
            raise HttpError(422, f"No membership {payload.deputising_for}.")
    items = list(AgendaItem.objects.filter(pk__in=payload.for_items, meeting=meeting))
    if len(items) != len(set(payload.for_items)):
        raise HttpError(422, "for_items must be ids of this meeting's agenda items.")
    try:
        attendance = record_attendance(
            meeting,
            person,
            payload.status,
            mode=payload.mode,
            deputising_for=deputising,
            for_items=items,
            user=request.user,
        )
    except ValidationError as exc:
        raise HttpError(422, "; ".join(exc.messages)) from None
    q = quoracy(meeting)
    return Status(
        201,
        {
            "attendance": _attendance_out(attendance),
            "quorate": q.quorate,
            "quoracy_reason": q.reason,
        },
    )


def _declaration_out(d: Declaration) -> dict:
    return {
        "id": d.pk,
        "person": d.person.name,
        "kind": d.kind,
        "financial": d.financial,
        "description": d.description,
        "organisation": d.organisation.ods_code if d.organisation_id else None,
        "declared_on": d.declared_on,
        "ended_on": d.ended_on,
        "reviewed_on": d.reviewed_on,
        "review_due": d.review_due,
    }


def _bodies_of(person: Person) -> list[Body]:
    return list(Body.objects.filter(memberships__person=person).distinct())


@router.get("/declarations", response={200: list[DeclarationOut], **NOT_FOUND},
            summary="The register of interests")
def list_declarations(request, body: str | None = None, current: bool = True):
    """Declarations of the people of the bodies you may see (``body``: of one body only)."""
    people = Membership.objects.all()
    if body:
        people = people.filter(body=_body(request, body))
    seen = [b.pk for b in Body.objects.all() if can_see_body(request.user, b)]
    people = people.filter(body_id__in=seen).values("person_id")
    qs = Declaration.objects.filter(person_id__in=people).select_related("person", "organisation")
    if current:
        today = dt.date.today()
        qs = qs.exclude(ended_on__lt=today)
    return [_declaration_out(d) for d in qs]


@router.post(
    "/declarations",
    response={201: DeclarationOut, **REFUSED},
    summary="Enter a declaration in the register (secretariat)",
)
def post_declaration(request, payload: DeclarationIn):
    person = Person.objects.filter(pk=payload.person_id).first()
    if person is None:
        raise HttpError(422, f"No person {payload.person_id}.")
    bodies = _bodies_of(person)
    if not any(is_secretariat(request.user, b) for b in bodies):
        raise HttpError(
            403, "Only the secretariat of a body the person sits on records their interests."
        )
    organisation = None
    if payload.organisation:
        organisation = Organisation.objects.filter(ods_code=payload.organisation).first()
        if organisation is None:
            raise HttpError(422, f"No organisation with ODS code {payload.organisation!r}.")
    meeting = None
    if payload.meeting_id is not None:
        meeting = Meeting.objects.filter(pk=payload.meeting_id, body__in=bodies).first()
        if meeting is None:
            raise HttpError(422, f"No meeting {payload.meeting_id} of the person's bodies.")
    try:
        declaration = declare_interest(
            person,
            kind=payload.kind,
            description=payload.description,
            declared_on=payload.declared_on,
            financial=payload.financial,
            organisation=organisation,
            meeting=meeting,
            user=request.user,
        )
    except ValidationError as exc:
        raise HttpError(422, "; ".join(exc.messages)) from None
    return Status(201, _declaration_out(declaration))
