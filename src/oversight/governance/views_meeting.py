"""The meeting page and its forms: deadlines, agenda, papers (cover sheets and file versions,
urgent papers), attendance with quoracy updated in place (HTMX), declarations and the chair's
rulings, minutes per item and their versions. Part B items, their papers and minutes exist only
for their audience: anyone else gets the page without them, and 404 for their URLs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from oversight.governance import forms, interests, meetings, minutes, pages, papers
from oversight.governance.models import (
    AgendaItem,
    ConflictRuling,
    DecisionMethod,
    Meeting,
    MinutesStatus,
    Paper,
    Person,
    Position,
)
from oversight.governance.quoracy import quoracy
from oversight.governance.views import add_errors, crumbs, page, require
from oversight.governance.visibility import may_see_item


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("body"), pk=pk)
    require(request, "governance.view_meeting", meeting)
    return meeting


def _item(request: HttpRequest, meeting: Meeting, item_pk: int) -> AgendaItem:
    """An item of the meeting the user may see; a Part B item is simply not there for others."""
    item = meeting.items.filter(pk=item_pk).first()
    if item is None or not may_see_item(request.user, item):
        raise Http404("No such agenda item")
    return item


def _paper(request: HttpRequest, pk: int) -> Paper:
    paper = get_object_or_404(Paper.objects.select_related("item__meeting__body"), pk=pk)
    require(request, "governance.view_meeting", paper.item.meeting)
    if not may_see_item(request.user, paper.item):
        raise Http404("No such paper")
    return paper


def _url(meeting: Meeting, anchor: str = "") -> str:
    return f"/governance/meetings/{meeting.pk}/" + (f"#{anchor}" if anchor else "")


def _meeting_crumbs(meeting: Meeting, last: str | None = None) -> list[dict[str, str]]:
    body = meeting.body
    parts = [
        ("Governance", "/governance/"),
        (body.short_name, f"/governance/{body.short_name}/"),
        (f"{meeting.date:%-d %B %Y}", _url(meeting) if last else None),
    ]
    if last:
        parts.append((last, None))
    return crumbs(*parts)


# ----------------------------------------------------------------------------- attendance


def attendance_rows(meeting: Meeting) -> list[dict[str, Any]]:
    """Everyone who may attend: current members (and their nominated deputies), routine and
    invited attendees, the secretariat, and anyone already marked; with their attendance."""
    current = meeting.body.memberships.current(meeting.date).select_related(
        "person", "nominated_deputy"
    )
    order = {p: n for n, p in enumerate(Position.values)}
    people: dict[int, dict[str, Any]] = {}
    for m in sorted(current, key=lambda m: order[m.position]):
        row = people.setdefault(
            m.person_id, {"person": m.person, "roles": [], "rank": order[m.position]}
        )
        row["roles"].append(m.sector or m.get_position_display())
        if m.nominated_deputy_id and m.nominated_deputy_id not in people:
            people[m.nominated_deputy_id] = {
                "person": m.nominated_deputy,
                "roles": [f"Nominated deputy for {m.person.name}"],
                "rank": len(order),
            }
    marked = {
        a.person_id: a
        for a in meeting.attendances.select_related("person", "deputising_for__person")
    }
    for pid, a in marked.items():
        people.setdefault(pid, {"person": a.person, "roles": ["Attendee"], "rank": len(order) + 1})
    rows = sorted(people.values(), key=lambda r: (r["rank"], r["person"].name))
    for r in rows:
        r["attendance"] = marked.get(r["person"].pk)
    return rows


def _attendance_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    items = pages.visible_items(request.user, meeting)
    return {
        "meeting": meeting,
        "rows": attendance_rows(meeting),
        "quorum": quoracy(meeting),
        "members": meeting.body.memberships.current(meeting.date)
        .members()
        .select_related("person"),
        "can_mark": request.user.has_perm("governance.record_attendance", meeting),
        "attendee_form": forms.AttendeeForm(),
        "items": items,
    }


def _items_of(meeting: Meeting, person: Person) -> list[AgendaItem]:
    """The items a person's attendance is already for (kept when only the status changes)."""
    a = meeting.attendances.filter(person=person).first()
    return list(a.for_items.all()) if a else []


def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one person's attendance. With HTMX the row and the quoracy panel come back (the
    panel out of band); without, the page reloads at the attendance section."""
    meeting = _meeting(request, pk)
    require(request, "governance.record_attendance", meeting)
    if request.method != "POST":
        return redirect(_url(meeting, "attendance"))
    items = pages.visible_items(request.user, meeting)
    form = forms.AttendanceForm(request.POST, meeting=meeting, items=items)
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            meetings.record_attendance(
                meeting,
                data["person"],
                data["status"],
                mode=data["mode"],
                deputising_for=data["deputising_for"],
                # The page's item boxes send nothing when none is ticked (the whole meeting):
                # items_shown says they were there; a client without them keeps the items.
                for_items=data["for_items"]
                if "for_items" in request.POST or request.POST.get("items_shown")
                else _items_of(meeting, data["person"]),
                user=request.user,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if request.htmx:
        person = form.cleaned_data.get("person") if form.is_valid() else None
        return page(
            request,
            "governance/_attendance.jinja",
            _attendance_context(request, meeting)
            | {"error": error, "error_person": person.pk if person else None},
            status=200,
        )
    if error:
        messages.error(request, f"Attendance not recorded: {error}")
    else:
        messages.success(request, f"Attendance of {form.cleaned_data['person']} recorded.")
    return redirect(_url(meeting, "attendance"))


# ----------------------------------------------------------------------------- the page


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    today = timezone.localdate()
    items = pages.visible_items(request.user, meeting)
    current = minutes.current_minutes(meeting)
    entries = {}
    conflicts: dict[int, list[str]] = {}
    if current is not None:
        entries = {
            e.item_id: e
            for e in current.entries.prefetch_related("actions__owner").select_related("item")
        }
        conflicts = minutes.conflicts_minuted(current)
    seen = {i.pk for i in items}
    rulings = [
        r
        for r in ConflictRuling.objects.filter(item__meeting=meeting).select_related(
            "item", "person", "deputy", "declaration", "ruled_by"
        )
        if r.item_id in seen
    ]
    attending = meeting.attendances.values("person")
    declared = interests.current_declarations(meeting.date, attending).select_related(
        "organisation"
    )
    item_quorum = {
        i.pk: quoracy(meeting, i) for i in items if i.needs_decision and i.rulings.exists()
    }
    return page(
        request,
        "governance/meeting.jinja",
        _attendance_context(request, meeting)
        | {
            "today": today,
            "items": items,
            "deadlines": pages.meeting_deadlines(meeting, items, today),
            "late_papers": {
                p.pk for i in items for p in i.papers.all() if papers.is_late(p, today)
            },
            "minutes": current,
            "versions": list(meeting.minutes.select_related("changed_by", "approved_at_meeting")),
            "entries": entries,
            "conflicts": {k: v for k, v in conflicts.items() if k in seen},
            "rulings": rulings,
            "declared": declared,
            "item_quorum": item_quorum,
            "manages": request.user.has_perm("governance.manage_meeting", meeting),
            "manages_minutes": request.user.has_perm("governance.manage_minutes", meeting),
            "chairs": request.user.has_perm("governance.rule_conflict", meeting),
            "agrees_urgent": request.user.has_perm("governance.agree_urgent_paper", meeting),
            "votes": meeting.body.decision_method == DecisionMethod.VOTE,
            "approve_form": forms.ApproveForm(meeting=meeting),
            "amend_form": forms.AmendForm(),
            "breadcrumbs": _meeting_crumbs(meeting),
        },
    )


# ----------------------------------------------------------------------------- forms


def _form_page(
    request: HttpRequest,
    meeting: Meeting,
    form,
    *,
    title: str,
    button: str,
    multipart: bool = False,
    caption: str = "",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    return page(
        request,
        "governance/form.jinja",
        {
            "meeting": meeting,
            "form": form,
            "title": title,
            "submit": button,
            "multipart": multipart,
            "caption": caption or f"{meeting.body.short_name} · {meeting.date:%-d %B %Y}",
            "back": _url(meeting),
            "breadcrumbs": _meeting_crumbs(meeting, title),
        }
        | (extra or {}),
        status=400 if request.method == "POST" else 200,
    )


def item_new(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    require(request, "governance.manage_meeting", meeting)
    form = forms.ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = meetings.add_item(meeting, **form.cleaned_data, user=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Item {item.number} added to the agenda.")
            return redirect(_url(meeting, "agenda"))
    return _form_page(request, meeting, form, title="Add an agenda item", button="Add item")


def paper_new(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    item = _item(request, meeting, item_pk)
    require(request, "governance.manage_meeting", meeting)
    form = forms.PaperForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("file")
        try:
            content = upload.read() if upload else b""
            if upload:
                papers.sniff(upload.name, content)  # refuse before anything is written
            paper = papers.add_paper(item, **data, user=request.user)
            if upload:
                papers.upload_version(paper, upload.name, content, user=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Paper '{paper.title}' added to item {item.number}.")
            return redirect(_url(meeting, f"paper-{paper.pk}"))
    return _form_page(
        request,
        meeting,
        form,
        title=f"Add a paper to item {item.number}",
        button="Add paper",
        multipart=True,
        extra={"item": item},
    )


def version_new(request: HttpRequest, pk: int) -> HttpResponse:
    paper = _paper(request, pk)
    meeting = paper.item.meeting
    require(request, "governance.manage_paper", paper)
    form = forms.VersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            version = papers.upload_version(
                paper,
                upload.name,
                upload.read(),
                user=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Version {version.number} of '{paper.title}' uploaded.")
            return redirect(_url(meeting, f"paper-{paper.pk}"))
    return _form_page(
        request,
        meeting,
        form,
        title=f"Upload a new version of '{paper.title}'",
        button="Upload",
        multipart=True,
    )


def version_file(request: HttpRequest, pk: int, number: int) -> FileResponse:
    paper = _paper(request, pk)
    require(request, "governance.view_paper", paper)
    version = get_object_or_404(paper.versions, number=number)
    try:
        handle = version.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file of this version is missing from storage") from None
    return FileResponse(handle, as_attachment=True, filename=version.original_name)


@require_POST
def paper_issue(request: HttpRequest, pk: int) -> HttpResponse:
    paper = _paper(request, pk)
    require(request, "governance.manage_paper", paper)
    try:
        papers.issue_paper(paper, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"'{paper.title}' issued to members and attendees.")
    return redirect(_url(paper.item.meeting, f"paper-{paper.pk}"))


@require_POST
def paper_urgent(request: HttpRequest, pk: int) -> HttpResponse:
    paper = _paper(request, pk)
    require(request, "governance.agree_urgent_paper", paper)
    chair = pages.person_of(request.user)
    try:
        if chair is None:
            raise ValidationError("Your account is not linked to a person on this body.")
        papers.agree_urgent(paper, chair, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"'{paper.title}' agreed as an urgent paper.")
    return redirect(_url(paper.item.meeting, f"paper-{paper.pk}"))


@require_POST
def declarations_asked(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    if not (
        request.user.has_perm("governance.record_declaration", meeting)
        or request.user.has_perm("governance.rule_conflict", meeting)
    ):
        raise PermissionDenied
    interests.ask_declarations(meeting, user=request.user)
    messages.success(request, "Recorded: declarations of interest asked for.")
    return redirect(_url(meeting, "declarations"))


def ruling(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    item = _item(request, meeting, item_pk)
    require(request, "governance.rule_conflict", item)
    people = (
        Person.objects.filter(
            Q(memberships__in=meeting.body.memberships.current(meeting.date).members())
            | Q(attendances__meeting=meeting)
        )
        .distinct()
        .order_by("name")
    )
    form = forms.RulingForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chair = pages.person_of(request.user)
        declared = interests.current_declarations(meeting.date, [data["person"]])
        declaration = (
            declared.filter(organisation=item.organisation).first()
            if item.organisation_id
            else None
        ) or declared.first()
        try:
            if chair is None:
                raise ValidationError("Your account is not linked to a person on this body.")
            interests.rule_on_conflict(
                item,
                data["person"],
                data["ruling"],
                chair=chair,
                declaration=declaration,
                deputy=data["deputy"],
                reason=data["reason"],
                user=request.user,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, f"Ruling on {data['person']} for item {item.number} recorded."
            )
            return redirect(_url(meeting, "declarations"))
    return _form_page(
        request,
        meeting,
        form,
        title=f"Rule on a conflict of interest: item {item.number}",
        button="Record ruling",
        extra={"item": item, "possible": interests.possible_conflicts(item)},
    )


# ----------------------------------------------------------------------------- minutes


@require_POST
def minutes_draft(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    require(request, "governance.manage_minutes", meeting)
    try:
        minutes.draft_minutes(meeting, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Draft minutes started: one minute per agenda item.")
    return redirect(_url(meeting, "minutes"))


def minute_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    item = _item(request, meeting, item_pk)
    require(request, "governance.manage_minutes", meeting)
    current = minutes.current_minutes(meeting)
    if current is None or current.status != MinutesStatus.DRAFT:
        messages.error(request, "Only draft minutes are written: start or amend them first.")
        return redirect(_url(meeting, "minutes"))
    entry = current.entries.filter(item=item).first()
    votes = meeting.body.decision_method == DecisionMethod.VOTE
    initial = (
        {f: getattr(entry, f) for f in forms.MinuteForm.base_fields if hasattr(entry, f)}
        if entry
        else {}
    )
    form = forms.MinuteForm(request.POST or None, initial=initial, votes=votes)
    if request.method == "POST" and form.is_valid():
        try:
            minutes.record_minute(current, item, **form.cleaned_data, user=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Minute of item {item.number} saved.")
            return redirect(_url(meeting, f"minute-{item.pk}"))
    return _form_page(
        request,
        meeting,
        form,
        title=f"Minute of item {item.number}: {item.title}",
        button="Save minute",
        extra={
            "item": item,
            "quorum": quoracy(meeting, item),
            "conflicts": minutes.conflicts_minuted(current).get(item.pk, []),
        },
    )


def minute_action(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    item = _item(request, meeting, item_pk)
    require(request, "governance.manage_minutes", meeting)
    current = minutes.current_minutes(meeting)
    entry = current.entries.filter(item=item).first() if current else None
    if entry is None or current.status != MinutesStatus.DRAFT:
        messages.error(request, "Actions are added to the minute of an item in draft minutes.")
        return redirect(_url(meeting, "minutes"))
    subject = item.organisation or meeting.body.system
    form = forms.MinuteActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if subject is None:
                raise ValidationError(
                    "The item names no organisation and the body no system: nobody to hold "
                    "the action."
                )
            action = minutes.raise_minute_action(
                entry, user=request.user, subject=subject, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Action '{action.title}' raised.")
            return redirect(_url(meeting, f"minute-{item.pk}"))
    return _form_page(
        request,
        meeting,
        form,
        title=f"Raise an action from item {item.number}",
        button="Raise action",
        extra={"item": item, "subject": subject},
    )


@require_POST
def minutes_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Issue the draft, approve it at a later meeting, publish it, or amend approved minutes
    (a new version saying why)."""
    meeting = _meeting(request, pk)
    require(request, "governance.manage_minutes", meeting)
    current = minutes.current_minutes(meeting)
    if current is None or step not in {"issue", "approve", "publish", "amend"}:
        raise Http404("No such step")
    form = None
    try:
        if step == "issue":
            minutes.issue_draft(current, user=request.user)
            done = "Draft minutes issued to members."
        elif step == "publish":
            minutes.publish_minutes(current, user=request.user)
            done = "Minutes published."
        elif step == "approve":
            form = forms.ApproveForm(request.POST, meeting=meeting)
            if not form.is_valid():
                raise ValidationError("Choose the meeting that approved the minutes.")
            minutes.approve_minutes(current, form.cleaned_data["at_meeting"], user=request.user)
            done = "Minutes approved."
        else:
            form = forms.AmendForm(request.POST)
            if not form.is_valid():
                raise ValidationError("Say why the approved minutes change.")
            new = minutes.amend_minutes(
                current, user=request.user, reason=form.cleaned_data["reason"]
            )
            done = f"Version {new.version} of the minutes started."
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(_url(meeting, "minutes"))
