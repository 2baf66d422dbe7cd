"""Where organisations stand in oversight: segment (proposed and decided) per framework year,
latest CQC rating, open support cases and SOAG actions, as a given user may see them.

For the organisation and place pages; a few queries for any number of organisations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from oversight.access.visibility import visible_decisions_filter, visible_ratings_filter
from oversight.metrics.models import Framework
from oversight.organisations.models import CqcRating, Organisation
from oversight.segmentation.models import Decision, Proposal
from oversight.support.models import ACTION_DONE, CaseStatus, SoagAction, SupportCase
from oversight.support.rules import visible_actions, visible_cases


@dataclass(frozen=True)
class FrameworkSegment:
    """An organisation's latest proposal in one framework year, and the newest decision the
    user may see in that year (which may be for an earlier quarter: it holds until replaced)."""

    framework: Framework
    proposal: Proposal
    decision: Decision | None


@dataclass
class Standing:
    organisation: Organisation
    segments: list[FrameworkSegment] = field(default_factory=list)  # newest framework first
    cqc: CqcRating | None = None
    cases: list[SupportCase] = field(default_factory=list)
    actions: list[SoagAction] = field(default_factory=list)

    @property
    def latest(self) -> FrameworkSegment | None:
        return self.segments[0] if self.segments else None

    @property
    def overdue(self) -> int:
        return sum(a.is_overdue() for a in self.actions)


def standings(user, organisations: Sequence[Organisation]) -> dict[int, Standing]:
    """Organisation id -> its standing, as ``user`` may see it."""
    out = {o.pk: Standing(o) for o in organisations}
    ids = list(out)
    latest: dict[tuple[int, int], Proposal] = {}
    for p in (
        Proposal.objects.filter(current=True, organisation_id__in=ids)
        .select_related("framework")
        .defer(*Proposal.EVIDENCE)
        .order_by("quarter_end")
    ):
        latest[(p.organisation_id, p.framework_id)] = p  # the last one wins: the newest quarter
    decided: dict[tuple[int, int], Decision] = {}
    for d in (
        Decision.objects.filter(visible_decisions_filter(user), organisation_id__in=ids)
        .select_related("decided_by", "publication")
        .order_by("quarter_end", "decided_at", "id")
    ):
        decided[(d.organisation_id, d.framework_id)] = d
    for (org_id, framework_id), proposal in latest.items():
        out[org_id].segments.append(
            FrameworkSegment(proposal.framework, proposal, decided.get((org_id, framework_id)))
        )
    for s in out.values():
        s.segments.sort(key=lambda f: f.framework.year_start, reverse=True)
    for rating in CqcRating.objects.filter(visible_ratings_filter(user),
                                           organisation_id__in=ids).order_by("published", "id"):
        out[rating.organisation_id].cqc = rating
    for case in visible_cases(
        user, SupportCase.objects.filter(organisation_id__in=ids).exclude(status=CaseStatus.CLOSED)
    ).order_by("opened_at"):
        out[case.organisation_id].cases.append(case)
    for action in (
        visible_actions(user, SoagAction.objects.filter(organisation_id__in=ids))
        .exclude(status__in=ACTION_DONE)
        .select_related("owner")
        .order_by("due", "id")
    ):
        out[action.organisation_id].actions.append(action)
    return out
