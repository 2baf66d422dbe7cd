"""Disputes referred to the regional Bipartite (/governance/disputes/, seed 003 §9.14): each
with where it arose, how it was tried locally, its business case and the Bipartite's outcome.
Anyone signed in may read them; the HCE's secretariat and the regional team record them
(``delegation.refer_dispute``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from oversight.delegation import forms
from oversight.delegation.disputes import record_outcome, refer_dispute
from oversight.delegation.models import Dispute
from oversight.delegation.recording import record_with, require
from oversight.ui.pages import breadcrumbs, page

LIST = "/governance/disputes/"
TRAIL = (("Governance", "/governance/"), ("Disputes", LIST))


def dispute_list(request: HttpRequest) -> HttpResponse:
    return page(
        request,
        "delegation/disputes.jinja",
        {
            "active": "governance",
            "disputes": Dispute.objects.select_related("raised_in", "case"),
            "can_refer": request.user.has_perm("delegation.refer_dispute"),
            "breadcrumbs": breadcrumbs(TRAIL[0], ("Disputes", None)),
        },
    )


def dispute_new(request: HttpRequest) -> HttpResponse:
    require(request, "delegation.refer_dispute")
    form = forms.DisputeForm(request.POST or None)

    def save(data: dict[str, Any]) -> tuple[str, str]:
        dispute = refer_dispute(**data, user=request.user)
        return f"'{dispute.title}' referred to the regional Bipartite.", LIST

    return record_with(
        request,
        form,
        save,
        back=LIST,
        title="Refer an issue to the regional Bipartite",
        caption="Disputes",
        trail=TRAIL,
        button="Refer",
    )


def dispute_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = get_object_or_404(Dispute, pk=pk)
    require(request, "delegation.refer_dispute", dispute)
    form = forms.OutcomeForm(request.POST or None)

    def save(data: dict[str, Any]) -> tuple[str, str]:
        record_outcome(dispute, data["outcome"], data["outcome_on"], user=request.user)
        return f"The Bipartite's outcome on '{dispute.title}' recorded.", LIST

    return record_with(
        request,
        form,
        save,
        back=LIST,
        title="Record the Bipartite's outcome",
        caption=dispute.title,
        trail=TRAIL,
        button="Record outcome",
        extra={"intro": dispute.issue},
    )
