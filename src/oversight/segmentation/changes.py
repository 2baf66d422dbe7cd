"""What changed in segmentation since the quarter before: for the home page and reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from oversight.access.visibility import visible_decisions_filter
from oversight.metrics.models import Framework
from oversight.segmentation.models import Decision, Proposal


@dataclass(frozen=True)
class SegmentChange:
    """A subject whose proposed segment moved, or whose triggers newly fired, this quarter."""

    subject: Any
    quarter: str
    previous_quarter: str
    segment: int
    previous_segment: int | None
    new_triggers: tuple[str, ...]
    #: Every trigger behind the proposal now (a move can come from one that was already firing).
    triggers: tuple[str, ...] = ()

    @property
    def moved(self) -> bool:
        return self.previous_segment is not None and self.segment != self.previous_segment


def _fired(proposal: Proposal) -> set[str]:
    return {r.get("label") or r["rule"] for r in proposal.reasons if r.get("rule")}


def latest_framework() -> Framework | None:
    """The newest framework year that has proposals."""
    codes = Proposal.objects.filter(current=True).values("framework_id").distinct()
    return Framework.objects.filter(pk__in=codes).order_by("-year_start").first()


def segment_changes(
    organisations: QuerySet, systems: QuerySet, framework: Framework | None = None
) -> tuple[Framework | None, list[SegmentChange]]:
    """Subjects in scope whose latest proposal differs from the quarter before it."""
    framework = framework or latest_framework()
    if framework is None:
        return None, []
    current = Proposal.objects.filter(framework=framework, current=True)
    quarters = list(
        current.order_by("-quarter_end").values_list("quarter", flat=True).distinct()[:2]
    )
    if len(quarters) < 2:
        return framework, []
    latest, previous = quarters
    in_scope = current.filter(organisation__in=organisations) | current.filter(
        system__in=systems
    )
    now = in_scope.filter(quarter=latest).select_related("organisation", "system")
    before = {
        (p.organisation_id, p.system_id): p for p in in_scope.filter(quarter=previous)
    }
    changes = []
    for proposal in now:
        earlier = before.get((proposal.organisation_id, proposal.system_id))
        new_triggers = tuple(sorted(_fired(proposal) - (_fired(earlier) if earlier else set())))
        if earlier is None or earlier.segment != proposal.segment or new_triggers:
            changes.append(SegmentChange(
                subject=proposal.subject, quarter=latest, previous_quarter=previous,
                segment=proposal.segment,
                previous_segment=earlier.segment if earlier else None,
                new_triggers=new_triggers,
                triggers=tuple(sorted(_fired(proposal))),
            ))
    changes.sort(key=lambda c: (not c.moved, -c.segment, c.subject.name))
    return framework, changes


def recent_decisions(organisations: QuerySet, systems: QuerySet, limit: int = 10,
                     user=None) -> list[Decision]:
    """The latest decisions recorded about subjects in scope (those ``user`` may see)."""
    decisions = Decision.objects.filter(organisation__in=organisations) | Decision.objects.filter(
        system__in=systems
    )
    if user is not None:
        decisions = decisions.filter(visible_decisions_filter(user))
    return list(
        decisions.select_related("organisation", "system", "decided_by", "framework")
        .order_by("-decided_at")[:limit]
    )
