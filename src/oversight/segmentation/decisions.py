"""Recording segmentation decisions: atomic, never edited, each superseding the last.

A decision is unpublished until a regional team member (or an administrator) publishes it;
until then only the regional team of the subject's region, the ICB team of its system and
administrators see it (`oversight.access.visibility.visible_decisions_filter`). Publication is
a separate row (`DecisionPublication`), so the decision itself is never updated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import chain

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from oversight.access.visibility import visible_decisions_filter
from oversight.metrics.models import Framework
from oversight.organisations.models import Organisation, System
from oversight.organisations.subjects import subject_keys
from oversight.segmentation.models import Decision, DecisionPublication, Proposal

SEGMENTS = {
    Framework.Method.CRITERIA: (1, 2, 3, 4),
    Framework.Method.SCORED: (1, 2, 3, 4, 5),
}


def current_proposal(framework: Framework, subject: Organisation | System,
                     quarter: str) -> Proposal | None:
    return Proposal.objects.filter(
        framework=framework, quarter=quarter, current=True, **subject_keys(subject)
    ).first()


def current_decision(framework: Framework, subject: Organisation | System,
                     quarter: str) -> Decision | None:
    return Decision.objects.current().filter(
        framework=framework, quarter=quarter, **subject_keys(subject)
    ).first()


def visible_decision(framework: Framework, subject: Organisation | System, quarter: str,
                     user) -> Decision | None:
    """The newest decision for the subject and quarter the user may see (the current one for
    those who see unpublished decisions; otherwise the latest published)."""
    return (Decision.objects.filter(visible_decisions_filter(user)).filter(
        framework=framework, quarter=quarter, **subject_keys(subject))
        .select_related("decided_by", "publication").order_by("-decided_at", "-id").first())


def decided_segments(user, **filters: object) -> dict[tuple[int | None, int | None], int]:
    """(organisation id, system id) -> segment of the newest decision the user may see."""
    rows = (Decision.objects.filter(visible_decisions_filter(user)).filter(**filters)
            .order_by("decided_at", "id").values_list("organisation_id", "system_id", "segment"))
    return {(o, s): seg for o, s, seg in rows}


def publish_decision(user, decision: Decision) -> DecisionPublication:
    """Publish a decision (the regional team of its region, or an administrator)."""
    if not user.has_perm("segmentation.decide", decision.organisation or decision.system):
        raise PermissionDenied("Only the regional oversight team may publish a decision.")
    publication, _ = DecisionPublication.objects.get_or_create(
        decision=decision, defaults={"published_at": timezone.now(), "published_by": user})
    return publication


def record_decision(
    *,
    user,
    framework: Framework,
    subject: Organisation | System,
    quarter: str,
    segment: int,
    rationale: str = "",
    system_leader_views: str = "",
    effective_from: dt.date | None = None,
    publish: bool = False,
) -> Decision:
    """Record the regional team's decision for a subject and quarter.

    Confirms or departs from the current proposal (a rationale is required when it departs);
    supersedes the current decision, if any, inside one transaction. Raises PermissionDenied
    unless the user may decide, ValidationError on bad input (nothing is written then).
    The decision is unpublished unless ``publish`` (e.g. the demo's decisions).
    """
    if not user.has_perm("segmentation.decide", subject):
        raise PermissionDenied("Only the regional oversight team may record a segment decision.")
    if segment not in SEGMENTS[framework.method]:
        raise ValidationError({"segment": f"Segment must be one of "
                                          f"{', '.join(map(str, SEGMENTS[framework.method]))}."})
    from oversight.engine.periods import quarter_bounds

    try:
        _, quarter_end = quarter_bounds(quarter)
    except ValueError as exc:
        raise ValidationError({"quarter": str(exc)}) from exc
    with transaction.atomic():
        proposal = current_proposal(framework, subject, quarter)
        previous = (
            Decision.objects.select_for_update(of=("self",)).current()
            .filter(framework=framework, quarter=quarter, **subject_keys(subject)).first()
        )
        decision = Decision(
            framework=framework, quarter=quarter, quarter_end=quarter_end, segment=segment,
            proposal=proposal, proposed_segment=proposal.segment if proposal else None,
            rationale=rationale.strip(), system_leader_views=system_leader_views.strip(),
            effective_from=effective_from or timezone.localdate(), decided_by=user,
            decided_at=timezone.now(), supersedes=previous, **subject_keys(subject),
        )
        decision.full_clean(exclude=["supersedes"])
        decision.save()
        if publish:
            DecisionPublication.objects.create(
                decision=decision, published_at=decision.decided_at, published_by=user)
    return decision


@dataclass(frozen=True)
class HistoryEntry:
    """One event in a subject's segmentation timeline."""

    when: dt.datetime
    quarter: str
    kind: str  # "proposal" or "decision"
    item: Proposal | Decision


def history(subject: Organisation | System, framework: Framework | None = None,
            user=None) -> list[HistoryEntry]:
    """Every proposal (current or replaced) and every decision (those ``user`` may see, when
    given), newest first."""
    proposals = (Proposal.objects.filter(**subject_keys(subject)).select_related("framework")
                 .defer(*Proposal.EVIDENCE))  # the timeline shows segments, not evidence
    decisions = Decision.objects.filter(**subject_keys(subject)).select_related(
        "framework", "decided_by", "supersedes", "publication")
    if user is not None:
        decisions = decisions.filter(visible_decisions_filter(user))
    if framework is not None:
        proposals, decisions = proposals.filter(framework=framework), decisions.filter(
            framework=framework)
    entries = chain(
        (HistoryEntry(p.computed_at, p.quarter, "proposal", p) for p in proposals),
        (HistoryEntry(d.decided_at, d.quarter, "decision", d) for d in decisions),
    )
    return sorted(entries, key=lambda e: (e.item.quarter_end, e.when), reverse=True)


@dataclass(frozen=True)
class CurrentSegment:
    """What applies to a subject today in one framework year: the newest decision the user may
    see (it holds until replaced), and the newest proposal when it is for a later quarter than
    that decision, i.e. still awaits one."""

    decision: Decision | None
    proposal: Proposal | None

    @property
    def segment(self) -> int | None:
        if self.decision is not None:
            return self.decision.segment
        return self.proposal.segment if self.proposal is not None else None

    @property
    def awaiting(self) -> bool:
        """The newest proposal has no decision of its quarter yet."""
        return self.proposal is not None and (
            self.decision is None or self.proposal.quarter_end > self.decision.quarter_end
        )


def current_segment(framework: Framework, subject: Organisation | System, user,
                    as_at: dt.date | None = None) -> CurrentSegment:
    """What applies now, or ``as_at`` a day: decisions made by then, proposals of quarters
    ended by then (a board report's "changes since the last report")."""
    decisions = (Decision.objects.filter(visible_decisions_filter(user))
                 .filter(framework=framework, **subject_keys(subject)))
    proposals = Proposal.objects.filter(framework=framework, current=True,
                                        **subject_keys(subject))
    if as_at is not None:
        decisions = decisions.filter(decided_at__date__lte=as_at)
        proposals = proposals.filter(quarter_end__lte=as_at)
    decision = (decisions.select_related("decided_by", "publication")
                .order_by("-quarter_end", "-decided_at", "-id").first())
    proposal = proposals.defer(*Proposal.EVIDENCE).order_by("-quarter_end").first()
    if proposal is not None and decision is not None and (
        proposal.quarter_end <= decision.quarter_end
    ):
        proposal = None
    return CurrentSegment(decision, proposal)


def newest_current_segment(subject: Organisation | System,
                           user) -> tuple[Framework, CurrentSegment] | None:
    """The current segment in the newest framework year that has a proposal or a decision
    for the subject (what the organisation and system pages show first)."""
    for framework in Framework.objects.order_by("-year_start"):
        current = current_segment(framework, subject, user)
        if current.segment is not None:
            return framework, current
    return None
