"""Governance pages: the bodies, a body (terms of reference, people, schedule) with the
secretariat's schedule and extraordinary-meeting forms, its iCalendar feed, and the register of
interests. Thin: permissions from ``oversight.governance.rules``, work in the domain modules,
what to show in ``oversight.governance.pages``. The meeting page is ``views_meeting``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from oversight.engine.periods import financial_year, year_bounds
from oversight.governance import forms, pages
from oversight.governance.interests import declare_interest, end_interest, review_interest
from oversight.governance.meetings import call_extraordinary, publish_schedule, schedule
from oversight.governance.models import Body, Declaration, MeetingStatus

ACTIVE = "governance"


def page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context = {"flash": list(messages.get_messages(request)), "active": ACTIVE} | context
    return render(request, template, context, status=status)


def crumbs(*items: tuple[str, str | None]) -> list[dict[str, str]]:
    out = [{"href": "/", "text": "Home"}]
    out += [{"href": h, "text": t} if h else {"text": t} for t, h in items]
    return out


def require(request: HttpRequest, perm: str, obj: Any = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def add_errors(form, exc: ValidationError) -> None:
    """The domain's refusal, at the top of the form's errors (and so the error summary)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def body_or_404(request: HttpRequest, short_name: str) -> Body:
    body = get_object_or_404(Body, short_name__iexact=short_name)
    require(request, "governance.view_body", body)
    return body


def body_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    bodies = [
        b
        for b in Body.objects.select_related("reports_to").order_by("name")
        if request.user.has_perm("governance.view_body", b)
    ]
    return page(
        request,
        "governance/bodies.jinja",
        {
            "rows": pages.body_rows(bodies, today),
            "today": today,
            "breadcrumbs": crumbs(("Governance", None)),
        },
    )


def _schedule_year(request: HttpRequest, body: Body, today: dt.date) -> tuple[str, list[str]]:
    """The financial year whose schedule the page shows (``?year=2021/22``, default this one)
    and the years the body has meetings in, this one included."""
    years = {financial_year(d) for d in body.meetings.values_list("date", flat=True)}
    years.add(financial_year(today))
    chosen = request.GET.get("year", "")
    try:
        year_bounds(chosen)
    except ValueError:
        chosen = financial_year(today)
    else:
        chosen = financial_year(year_bounds(chosen)[0])
    years.add(chosen)
    return chosen, sorted(years)


def body_detail(request: HttpRequest, short_name: str) -> HttpResponse:
    body = body_or_404(request, short_name)
    return _body_page(request, body)


def _body_page(
    request: HttpRequest,
    body: Body,
    *,
    schedule_form: forms.ScheduleForm | None = None,
    extraordinary_form: forms.ExtraordinaryForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    year, years = _schedule_year(request, body, today)
    first, last = year_bounds(year)
    this_year = year_bounds(financial_year(today))
    manages = request.user.has_perm("governance.manage_body", body)
    try:
        # recorded meetings, and the pattern's dates still to come
        rows = [r for r in schedule(body, first, last) if r.meeting or r.date >= today]
    except ValidationError:
        rows = []
    return page(
        request,
        "governance/body.jinja",
        {
            "body": body,
            "today": today,
            "terms": list(body.terms.order_by("-dated", "-id")),
            "people": pages.people_of(body, today),
            "rule": _rule_text(body),
            "rows": rows,
            "year": year,
            "years": years,
            "manages": manages,
            "schedule_form": schedule_form
            or forms.ScheduleForm(initial=dict(zip(("first", "last"), this_year, strict=True))),
            "extraordinary_form": extraordinary_form or forms.ExtraordinaryForm(),
            "breadcrumbs": crumbs(("Governance", "/governance/"), (body.short_name, None)),
        },
        status=status,
    )


def _rule_text(body: Body) -> str:
    from oversight.governance.data import quoracy_rule

    return quoracy_rule(body).text


def publish(request: HttpRequest, short_name: str) -> HttpResponse:
    body = body_or_404(request, short_name)
    require(request, "governance.manage_body", body)
    if request.method != "POST":
        return redirect(f"/governance/{body.short_name}/#publish")
    form = forms.ScheduleForm(request.POST)
    form.summary_anchor = "schedule"
    if form.is_valid():
        try:
            made = publish_schedule(
                body, form.cleaned_data["first"], form.cleaned_data["last"], user=request.user
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                f"Schedule published: {len(made)} meeting{'' if len(made) == 1 else 's'} added.",
            )
            return redirect(f"/governance/{body.short_name}/#schedule")
    return _body_page(request, body, schedule_form=form, status=400)


def extraordinary(request: HttpRequest, short_name: str) -> HttpResponse:
    body = body_or_404(request, short_name)
    require(request, "governance.manage_body", body)
    if request.method != "POST":
        return redirect(f"/governance/{body.short_name}/#extraordinary")
    form = forms.ExtraordinaryForm(request.POST)
    form.summary_anchor = "extraordinary"
    if form.is_valid():
        data = form.cleaned_data
        try:
            meeting = call_extraordinary(
                body,
                data["date"],
                data["reason"],
                user=request.user,
                start_time=data["start_time"],
                location=data["location"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Extraordinary meeting called for {meeting.date:%-d %B %Y}.")
            return redirect(f"/governance/meetings/{meeting.pk}/")
    return _body_page(request, body, extraordinary_form=form, status=400)


def terms_document(request: HttpRequest, short_name: str, version: str) -> FileResponse:
    """The terms of reference document, through the body's permission (not a public URL)."""
    body = body_or_404(request, short_name)
    terms = get_object_or_404(body.terms, version=version)
    if not terms.document:
        raise Http404("No document attached")
    name = terms.document.name.rsplit("/", 1)[-1]
    try:
        handle = terms.document.open("rb")
    except FileNotFoundError:
        raise Http404("The document is missing from storage") from None
    return FileResponse(handle, as_attachment=True, filename=name)


def meetings_ics(request: HttpRequest, short_name: str) -> HttpResponse:
    body = body_or_404(request, short_name)
    meetings = body.meetings.exclude(status=MeetingStatus.DRAFT).order_by("date")
    content = pages.meetings_calendar(body, meetings, request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{body.short_name}-meetings.ics"'
    return response


def interests(request: HttpRequest) -> HttpResponse:
    require(request, "governance.view_declaration")
    today = timezone.localdate()
    can_record = request.user.has_perm("governance.record_declaration")
    declare = forms.DeclareForm(initial={"declared_on": today}, prefix="declare")
    if request.method == "POST":
        require(request, "governance.record_declaration")
        declare = forms.DeclareForm(request.POST, prefix="declare")
        if declare.is_valid():
            data = declare.cleaned_data
            try:
                made = declare_interest(
                    data["person"], kind=data["kind"], description=data["description"],
                    declared_on=data["declared_on"], financial=data["financial"],
                    user=request.user,
                )
            except ValidationError as exc:
                add_errors(declare, exc)
            else:
                messages.success(request, f"{made.person.name}'s interest is in the register.")
                return redirect("/governance/interests/")
    form = forms.InterestFilterForm(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    qs = Declaration.objects.select_related("person__organisation", "organisation", "declared_at")
    status = chosen.get("status") or "current"
    current = Q(declared_on__lte=today) & (Q(ended_on__isnull=True) | Q(ended_on__gte=today))
    if status == "current":
        qs = qs.filter(current)
    elif status == "ended":
        qs = qs.filter(ended_on__lt=today)
    if chosen.get("person"):
        qs = qs.filter(person=chosen["person"])
    if chosen.get("body"):
        members = chosen["body"].memberships.current(today).values("person")
        qs = qs.filter(person__in=members)
    rows = list(qs.order_by("person__name", "-declared_on")[:1000])
    return page(
        request,
        "governance/interests.jinja",
        {
            "form": form,
            "rows": rows,
            "today": today,
            "status": status,
            "due": sum(1 for d in rows if d.review_overdue(today)),
            "declare": declare if can_record else None,
            "can_record": can_record,
            "breadcrumbs": crumbs(("Governance", "/governance/"), ("Register of interests", None)),
        },
    )


def interest_change(request: HttpRequest, pk: int, change: str) -> HttpResponse:
    """End a declaration, or record its annual review, on a date (the secretariat, POST)."""
    require(request, "governance.record_declaration")
    if request.method != "POST":
        return redirect("/governance/interests/")
    declaration = get_object_or_404(Declaration.objects.select_related("person"), pk=pk)
    form = forms.InterestDateForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{declaration.person.name}: give the date as a date.")
        return redirect("/governance/interests/")
    on = form.cleaned_data["on"]
    try:
        if change == "end":
            end_interest(declaration, on, user=request.user)
        else:
            review_interest(declaration, on, user=request.user)
    except ValidationError as exc:
        messages.error(request, f"{declaration.person.name}: {' '.join(exc.messages)}")
    else:
        done = "ended" if change == "end" else "reviewed"
        messages.success(request, f"{declaration.person.name}'s interest {done} on {on:%-d %B %Y}.")
    return redirect("/governance/interests/")
