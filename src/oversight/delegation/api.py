"""JSON API for the scheme of delegation (django-ninja router, mounted at
``/api/delegation/``): the current scheme's matters, optionally those answering a question, and a
matter with its chain of delegation. Read only; the scheme is the STP's published framework."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from oversight.delegation.decisions import decisions_under
from oversight.delegation.models import Matter
from oversight.delegation.scheme import chain, current_scheme, who
from oversight.ui.api import NOT_FOUND

router = Router(tags=["delegation"])


class MatterOut(Schema):
    id: int
    reference: str = Field(description='Table and position, e.g. "5.13".')
    matter: str
    held_by: str = Field(description="Who holds it: the body, or its chair or secretariat.")
    holder: str
    kind: str
    delegated_by: str | None = Field(description="None: reserved to a statutory organisation.")


class MinutedOut(Schema):
    body: str
    meeting_on: str
    item: str
    outcome: str = Field(description="decision, or recommendation to the holder")
    recommended_to: str | None
    decision: str
    conflicts: list[str] = Field(
        description="Members excluded or not deciding for a conflict of interest, in the "
        "minutes' words."
    )


class MatterDetailOut(MatterOut):
    chain: list[str] = Field(description="The holder, then who delegated to it, upwards.")
    scheme_version: str
    decisions: list[MinutedOut] = Field(
        description="Decisions minuted under the matter that the caller may read, newest first."
    )


class SchemeFilter(Schema):
    q: str | None = Field(None, max_length=200, description="Words of the matter.")


def _out(m: Matter) -> dict:
    return {
        "id": m.pk,
        "reference": m.reference,
        "matter": m.text,
        "held_by": m.held_by_label,
        "holder": m.holder.name,
        "kind": m.kind,
        "delegated_by": m.delegated_by.name if m.delegated_by else None,
    }


@router.get("/matters", response={200: list[MatterOut], **NOT_FOUND},
            summary="The current scheme's matters (404 when none is loaded)")
def matters(request, filters: Query[SchemeFilter]):
    scheme = current_scheme()
    if scheme is None:
        raise HttpError(404, "No scheme of delegation is loaded")
    if filters.q:
        found = who(filters.q, scheme)
    else:
        found = list(scheme.matters.select_related("holder", "delegated_by"))
    return [_out(m) for m in found]


@router.get("/matters/{matter_id}", response={200: MatterDetailOut, **NOT_FOUND},
            summary="A matter and its chain")
def matter(request, matter_id: int):
    m = get_object_or_404(
        Matter.objects.select_related("scheme", "holder", "delegated_by"), pk=matter_id
    )
    decisions = [
        {
            "body": d["meeting"].body.name,
            "meeting_on": d["meeting"].date.isoformat(),
            "item": f"{d['entry'].item.number} {d['entry'].item.title}",
            "outcome": d["link"].outcome,
            "recommended_to": d["link"].recommended_to.name if d["link"].recommended_to else None,
            "decision": d["entry"].decision,
            "conflicts": d["conflicts"],
        }
        for d in decisions_under(request.user, m)
    ]
    return _out(m) | {
        "chain": [h.name for h in chain(m)],
        "scheme_version": m.scheme.version,
        "decisions": decisions,
    }


class BusinessCaseOut(Schema):
    id: int
    title: str
    route: str
    status: str
    next_step: str | None = Field(description="The step the case waits for; None when decided.")
    amount_asked: float
    amount_awarded: float | None
    outcome: str = Field(description="The Investment Committee's outcome, if evaluated.")


class PartnerOut(Schema):
    organisation: str
    state: str = Field(description="ratified, awaiting, overdue or not reported")
    meeting_on: str | None
    ratified_on: str | None


class UrgentOut(Schema):
    id: int
    title: str
    decision: str
    taken_on: str | None
    not_consulted: list[str]
    partners: list[PartnerOut]


@router.get("/business-cases", response=list[BusinessCaseOut], summary="The business cases")
def business_cases(request):
    from oversight.delegation.business_cases import next_step
    from oversight.delegation.models import BusinessCase

    return [
        {
            "id": c.pk,
            "title": c.title,
            "route": c.route,
            "status": c.status,
            "next_step": next_step(c),
            "amount_asked": float(c.amount_asked),
            "amount_awarded": float(c.amount_awarded) if c.amount_awarded is not None else None,
            "outcome": c.outcome,
        }
        for c in BusinessCase.objects.order_by("pk")
    ]


@router.get("/urgent-decisions", response=list[UrgentOut], summary="Urgent decisions")
def urgent_decisions(request):
    from django.utils import timezone

    from oversight.delegation.models import UrgentDecision
    from oversight.delegation.urgent import status

    today = timezone.localdate()
    out = []
    for u in UrgentDecision.objects.order_by("-pk"):
        s = status(u, today)
        out.append(
            {
                "id": u.pk,
                "title": u.title,
                "decision": u.decision,
                "taken_on": u.taken_on.isoformat() if u.taken_on else None,
                "not_consulted": s["not_consulted"],
                "partners": [
                    {
                        "organisation": p["organisation"].name,
                        "state": p["state"],
                        "meeting_on": p["ratification"].meeting_on.isoformat()
                        if p["ratification"]
                        else None,
                        "ratified_on": p["ratification"].ratified_on.isoformat()
                        if p["ratification"] and p["ratification"].ratified_on
                        else None,
                    }
                    for p in s["partners"]
                ],
            }
        )
    return out


class DisputeOut(Schema):
    id: int
    title: str
    issue: str
    raised_in: str = Field(description="The body where the issue arose.")
    local_attempts: str = Field(description="How it was tried locally.")
    business_case: int | None = Field(description="The business case it concerns, if any.")
    referred_on: str
    outcome: str | None = Field(description="The regional Bipartite's outcome; None: awaited.")
    outcome_on: str | None


@router.get("/disputes", response=list[DisputeOut], summary="Disputes referred to the Bipartite")
def disputes(request):
    from oversight.delegation.models import Dispute

    return [
        {
            "id": d.pk,
            "title": d.title,
            "issue": d.issue,
            "raised_in": d.raised_in.name,
            "local_attempts": d.local_attempts,
            "business_case": d.case_id,
            "referred_on": d.referred_on.isoformat(),
            "outcome": d.outcome or None,
            "outcome_on": d.outcome_on.isoformat() if d.outcome_on else None,
        }
        for d in Dispute.objects.select_related("raised_in")
    ]
