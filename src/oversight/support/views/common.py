"""What the support pages share: rendering with the flash messages and the icon helpers, the
event labels, the case a page is about, and choosing an organisation or system."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from oversight.access.rules import visible_organisations, visible_systems
from oversight.metrics import charts
from oversight.organisations.models import Organisation, OrganisationKind, System
from oversight.organisations.subjects import Subject
from oversight.support.models import SupportCase
from oversight.ui.forms import choice_field
from oversight.ui.pages import page

#: What a person chooses on a case's page, event by event.
EVENT_LABELS = {
    "start": "Start support (package agreed)",
    "close": "Close the case",
}



def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render with the flash messages and the MDC icon helpers."""
    return page(request, template, {"charts": charts} | context, status=status)


def case_or_403(request: HttpRequest, pk: int) -> SupportCase:
    case = get_object_or_404(
        SupportCase.objects.select_related(
            "organisation__region",
            "system__region",
            "lead",
            "decision__decided_by",
            "framework",
            "follows",
        ),
        pk=pk,
    )
    if not request.user.has_perm("support.view_supportcase", case):
        raise PermissionDenied
    return case


def subject_choices(user) -> list[tuple[str, str]]:
    """Organisations (trusts, ICBs, CCGs) and systems the user may raise support for."""
    kinds = [*OrganisationKind.trusts(), OrganisationKind.ICB, OrganisationKind.CCG]
    systems = [
        (f"system:{s.code}", f"{s.name} (system {s.code})")
        for s in visible_systems(user).order_by("name")
    ]
    orgs = [
        (f"organisation:{o.ods_code}", f"{o.name} ({o.ods_code})")
        for o in visible_organisations(user)
        .filter(kind__in=kinds, closed__isnull=True)
        .order_by("name")
    ]
    return systems + orgs


def subject_for(request: HttpRequest, value: str, perm: str) -> Subject:
    """The chosen organisation or system ("system:QUE", "organisation:RGN"), refused with 403
    unless the user holds ``perm`` for it: checked before anything is written or anyone told."""
    kind, _, code = value.partition(":")
    subject = (
        System.objects.get(code=code)
        if kind == "system"
        else Organisation.objects.get(ods_code=code)
    )
    if not request.user.has_perm(perm, subject):
        raise PermissionDenied
    return subject


def subject_field(user: Any) -> Any:
    """The "Organisation or system" select of a form, offering what the user may act for."""
    return choice_field("Organisation or system", subject_choices(user))
