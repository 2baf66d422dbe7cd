"""Where the system and each of its organisations stand: decided and proposed segments now and
at the last report, and the support in place (mandated support, the Recovery Support
Programme)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from oversight.access.visibility import visible_decisions_filter
from oversight.organisations.models import Organisation, OrganisationKind, System
from oversight.organisations.subjects import subject_keys
from oversight.reports.sections.scope import Scope, day
from oversight.segmentation.decisions import CurrentSegment, current_segment
from oversight.segmentation.models import Decision, Proposal
from oversight.support.models import CaseKind, SupportCase


def members(system: System) -> QuerySet[Organisation]:
    """Organisations hosted by, or serving, the system (its ICB stands for the system)."""
    return (Organisation.objects.filter(Q(host_system=system) | Q(systems=system))
            .exclude(kind=OrganisationKind.ICB).distinct()
            .select_related("place").order_by("place__name", "name"))


def _standing(now: CurrentSegment, before: CurrentSegment) -> dict[str, Any]:
    decision, proposal = now.decision, now.proposal
    return {
        "segment": now.segment,
        "decided": decision.segment if decision else None,
        "decided_quarter": decision.quarter if decision else None,
        "effective_from": day(decision.effective_from) if decision else None,
        "rationale": decision.rationale if decision else "",
        "proposed": proposal.segment if proposal else None,
        "proposed_quarter": proposal.quarter if proposal else None,
        "awaiting_decision": now.awaiting,
        "previous": before.segment,
        "changed": before.segment is not None and now.segment != before.segment,
    }


def _case(subject: Organisation | System, reader, as_at: dt.date) -> dict[str, Any] | None:
    """The support case open on the day, if its opening decision is public (or it has none)."""
    seen = Decision.objects.filter(visible_decisions_filter(reader)).values("pk")
    case = (SupportCase.objects.filter(**subject_keys(subject), opened_at__date__lte=as_at)
            .filter(Q(closed_at__isnull=True) | Q(closed_at__date__gt=as_at))
            .filter(Q(decision__isnull=True) | Q(decision__in=seen))
            .select_related("rsp").order_by("-opened_at").first())
    if case is None:
        return None
    rsp = getattr(case, "rsp", None) if case.kind == CaseKind.RSP else None
    return {
        "kind": case.kind,
        "kind_label": case.get_kind_display(),
        "segment": case.segment,
        "opened": day(case.opened_at.date()),
        "delivered_by": case.delivered_by,
        "summary": case.summary,
        "mandated": case.kind in (CaseKind.MANDATED, CaseKind.RSP),
        "sid": rsp.sid_name if rsp else "",
        "indicative_exit": day(rsp.indicative_exit) if rsp else None,
    }


def _subject(framework, subject, scope: Scope, **extra: Any) -> dict[str, Any]:
    before = scope.since - dt.timedelta(days=1)
    return {
        **extra,
        **_standing(current_segment(framework, subject, scope.reader, scope.as_at),
                    current_segment(framework, subject, scope.reader, before)),
        "support": _case(subject, scope.reader, scope.as_at),
    }


def position_section(scope: Scope) -> dict[str, Any] | None:
    framework = scope.framework
    if framework is None:
        return None
    segmented = set(
        Proposal.objects.filter(framework=framework, organisation__isnull=False)
        .values_list("organisation_id", flat=True).distinct())
    cased = set(SupportCase.objects.filter(organisation__isnull=False)
                .values_list("organisation_id", flat=True))
    organisations = [
        _subject(framework, o, scope, name=o.name, ods_code=o.ods_code,
                 kind=o.get_kind_display(), place=o.place.name if o.place_id else "")
        for o in members(scope.system) if o.pk in segmented | cased and o.is_open
    ]
    return {
        "framework": framework.name,
        "previous_day": day(scope.since - dt.timedelta(days=1)),
        "system": _subject(framework, scope.system, scope, name=scope.system.name,
                           code=scope.system.code),
        "organisations": organisations,
        "changes": sum(o["changed"] for o in organisations),
    }
