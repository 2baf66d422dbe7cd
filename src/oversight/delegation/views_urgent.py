"""Urgent decisions page (/governance/urgent-decisions/): each decision with its consultations
and each partner's ratification (awaiting, overdue when the partner's meeting passed without it,
ratified). Anyone signed in may read it: urgent decisions are reported to every partner."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from oversight.delegation.models import UrgentDecision
from oversight.delegation.urgent import roles, status


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
    return render(
        request,
        "delegation/urgent_decisions.jinja",
        {
            "active": "governance",
            "rows": rows,
            "roles": roles(),
            "today": today,
            "breadcrumbs": [
                {"href": "/", "text": "Home"},
                {"href": "/governance/", "text": "Governance"},
                {"text": "Urgent decisions"},
            ],
        },
    )
