"""Urgent decisions page (/governance/urgent-decisions/): each decision with its consultations
and each partner's ratification (awaiting, overdue when the partner's meeting passed without it,
ratified). Anyone signed in may read it: urgent decisions are reported to every partner. The
HCE's chair or secretariat records them (``delegation.record_urgent``): the proposal, each
consultation, the decision taken, each report for ratification and each ratification."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from oversight.delegation import forms
from oversight.delegation.models import UrgentDecision
from oversight.delegation.recording import record_with, require
from oversight.delegation.urgent import (
    consult,
    propose_urgent,
    ratify,
    report_for_ratification,
    roles,
    status,
    take,
)
from oversight.ui.pages import breadcrumbs, page

LIST = "/governance/urgent-decisions/"
TRAIL = (("Governance", "/governance/"), ("Urgent decisions", LIST))


def urgent_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = [
        {
            "urgent": u,
            "consultations": u.consultations.select_related("organisation"),
            **status(u, today),
        }
        for u in UrgentDecision.objects.order_by("-taken_on", "-pk")
    ]
    return page(
        request,
        "delegation/urgent_decisions.jinja",
        {
            "active": "governance",
            "rows": rows,
            "roles": roles(),
            "today": today,
            "can_record": request.user.has_perm("delegation.record_urgent"),
            "breadcrumbs": breadcrumbs(TRAIL[0], ("Urgent decisions", None)),
        },
    )


def _urgent(request: HttpRequest, pk: int) -> UrgentDecision:
    urgent = get_object_or_404(UrgentDecision, pk=pk)
    require(request, "delegation.record_urgent", urgent)
    return urgent


def _record(request, urgent: UrgentDecision, form, save, *, title: str, button: str):
    return record_with(
        request,
        form,
        lambda data: (save(data), f"{LIST}#urgent-{urgent.pk}"),
        back=f"{LIST}#urgent-{urgent.pk}",
        title=title,
        caption=urgent.title,
        trail=TRAIL,
        button=button,
        extra={"intro": urgent.decision},
    )


def urgent_new(request: HttpRequest) -> HttpResponse:
    require(request, "delegation.record_urgent")
    form = forms.UrgentForm(request.POST or None)

    def save(data: dict[str, Any]) -> tuple[str, str]:
        urgent = propose_urgent(
            data["title"], data["decision"], data["reason"], list(data["partners"]),
            user=request.user,
        )  # fmt: skip
        return f"Urgent decision '{urgent.title}' recorded: consult each partner.", (
            f"{LIST}#urgent-{urgent.pk}"
        )

    return record_with(
        request,
        form,
        save,
        back=LIST,
        title="Record an urgent decision",
        caption="Urgent decisions",
        trail=TRAIL,
        button="Record",
    )


def urgent_consult(request: HttpRequest, pk: int) -> HttpResponse:
    urgent = _urgent(request, pk)
    form = forms.ConsultForm(request.POST or None, partners=urgent.partners.all())

    def save(data: dict[str, Any]) -> str:
        c = consult(
            urgent, data["organisation"], data["role"], data["person"], data["consulted_on"],
            user=request.user,
        )  # fmt: skip
        return f"{roles()[c.role]} of {c.organisation.name} consulted."

    return _record(request, urgent, form, save, title="Record a consultation", button="Record")


def urgent_take(request: HttpRequest, pk: int) -> HttpResponse:
    urgent = _urgent(request, pk)
    form = forms.TakeForm(request.POST or None)

    def save(data: dict[str, Any]) -> str:
        take(urgent, data["taken_on"], user=request.user)
        return f"Urgent decision taken on {data['taken_on']:%-d %B %Y}."

    return _record(request, urgent, form, save, title="Record the decision taken", button="Record")


def urgent_report(request: HttpRequest, pk: int) -> HttpResponse:
    urgent = _urgent(request, pk)
    reported = urgent.ratifications.values("organisation")
    form = forms.ReportForm(request.POST or None, partners=urgent.partners.exclude(pk__in=reported))

    def save(data: dict[str, Any]) -> str:
        r = report_for_ratification(
            urgent, data["organisation"], data["meeting_on"], data["forum"], user=request.user
        )
        return f"Reported to {r.organisation.name} for ratification on {r.meeting_on:%-d %B %Y}."

    return _record(
        request, urgent, form, save, title="Report for ratification", button="Record report"
    )


def urgent_ratify(request: HttpRequest, pk: int) -> HttpResponse:
    urgent = _urgent(request, pk)
    pending = urgent.ratifications.filter(ratified_on__isnull=True).select_related("organisation")
    form = forms.RatifyForm(request.POST or None, pending=pending)

    def save(data: dict[str, Any]) -> str:
        r = ratify(data["ratification"], data["ratified_on"], user=request.user)
        return f"Ratified by {r.organisation.name} on {r.ratified_on:%-d %B %Y}."

    return _record(request, urgent, form, save, title="Record a ratification", button="Record")
