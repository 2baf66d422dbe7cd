"""The segmentation summary of a framework quarter, for the regional team's own meetings: where
each system and organisation of a region (or of one system) stands, what changed since the
quarter before, and why.

A subject's segment is its decision of the quarter where the reader may see one, else its
proposal. Which decisions a reader sees (unpublished ones only for the regional team of the
region, the ICB team of the system and administrators) is decided by
oversight.access.visibility (visible_decisions_filter), never here.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q
from django.template.loader import render_to_string

from oversight.access.rules import visible_organisations, visible_systems
from oversight.access.visibility import visible_decisions_filter
from oversight.engine.periods import financial_quarter, quarter_bounds
from oversight.metrics.models import Framework
from oversight.organisations.models import Organisation, Region, System
from oversight.segmentation.changes import fired_triggers
from oversight.segmentation.decisions import CurrentSegment
from oversight.segmentation.models import Decision, Proposal


class SummaryRefused(ValueError):
    """The summary asked for cannot be made (unknown quarter, nothing in scope): say why."""


@dataclass(frozen=True)
class Standing(CurrentSegment):
    """A subject's segment in one quarter: the decision the reader may see, else the proposal
    (the segment as segmentation.decisions.CurrentSegment reads it)."""

    @property
    def status(self) -> str:
        if self.decision is None:
            return "Proposed, awaiting decision" if self.proposal else "No segment"
        if self.decision.is_published:
            return f"Decided {self.decision.decided_at:%-d %b %Y}"
        return f"Decided {self.decision.decided_at:%-d %b %Y}, not yet published"

    @property
    def triggers(self) -> set[str]:
        return fired_triggers(self.proposal) if self.proposal is not None else set()


@dataclass(frozen=True)
class Row:
    subject: Organisation | System
    now: Standing
    before: Standing

    @property
    def is_system(self) -> bool:
        return isinstance(self.subject, System)

    @property
    def kind(self) -> str:
        return "System" if self.is_system else self.subject.get_kind_display()

    @property
    def code(self) -> str:
        return self.subject.code if self.is_system else self.subject.ods_code

    @property
    def change(self) -> str:
        now, before = self.now.segment, self.before.segment
        if now is None:
            return "No segment this quarter"
        if before is None:
            return "New this quarter"
        if now == before:
            return "No change"
        return f"{'Up' if now < before else 'Down'} from segment {before}"

    @property
    def moved(self) -> bool:
        return None not in (self.now.segment, self.before.segment) and (
            self.now.segment != self.before.segment
        )

    @property
    def reasons(self) -> list[str]:
        """Why it stands where it does: the triggers behind the proposal (new ones said so),
        and a decision's rationale where it departs from the proposal."""
        out = [f"{t} (new this quarter)" if t not in self.before.triggers else t
               for t in sorted(self.now.triggers)]
        decision = self.now.decision
        if decision is not None and decision.rationale:
            out.append(f"Decision: {decision.rationale}")
        return out


@dataclass
class Summary:
    framework: Framework
    quarter: str
    previous_quarter: str
    scope: Region | System
    rows: list[Row] = field(default_factory=list)

    @property
    def scope_name(self) -> str:
        if isinstance(self.scope, System):
            return f"{self.scope.name} ({self.scope.code})"
        return f"{self.scope.name} region"

    @property
    def title(self) -> str:
        return f"Segmentation summary, {self.quarter}: {self.scope_name}"

    @property
    def segments(self) -> list[int]:
        seen = {r.now.segment for r in self.rows} | {r.before.segment for r in self.rows}
        return sorted(s for s in seen if s is not None)

    def counts(self, when: str) -> dict[str, Counter]:
        """Subjects in each segment by kind ('now' or 'before')."""
        out: dict[str, Counter] = {}
        for row in self.rows:
            segment = getattr(row, when).segment
            if segment is not None:
                out.setdefault(row.kind, Counter())[segment] += 1
        return out

    @property
    def changes(self) -> list[Row]:
        return [r for r in self.rows if r.moved or r.change == "New this quarter"]


def previous_quarter(quarter: str) -> str:
    start, _ = quarter_bounds(quarter)
    return financial_quarter(start - dt.timedelta(days=1))


def framework_of(quarter: str) -> Framework:
    """The framework year whose proposals cover the quarter (the newest, if several do)."""
    quarter_bounds(quarter)  # ValueError on a malformed label
    codes = Proposal.objects.filter(quarter=quarter).values("framework_id").distinct()
    framework = Framework.objects.filter(pk__in=codes).order_by("-year_start").first()
    if framework is None:
        known = sorted(set(Proposal.objects.values_list("quarter", flat=True)),
                       key=lambda q: quarter_bounds(q)[0])
        raise SummaryRefused(f"no segments for {quarter}: quarters with segments are "
                             f"{', '.join(known) or 'none (run oversight segmentation recompute)'}")
    return framework


def summary(user, quarter: str, scope: Region | System, *, within_roles: bool = True) -> Summary:
    """Every system and organisation of the scope (those the reader's roles cover, unless
    `within_roles` is False: the command line), with its standing this quarter and the quarter
    before; decisions always as the reader may see them."""
    try:
        framework = framework_of(quarter)
    except ValueError as exc:
        raise SummaryRefused(str(exc)) from exc
    before = previous_quarter(quarter)
    systems = visible_systems(user) if within_roles else System.objects.all()
    systems = (systems.filter(pk=scope.pk) if isinstance(scope, System)
               else systems.filter(region=scope))
    organisations = visible_organisations(user) if within_roles else Organisation.objects.all()
    organisations = organisations.filter(
        Q(host_system__in=systems) | Q(systems__in=systems)).distinct()
    in_scope = Q(system__in=systems) | Q(organisation__in=organisations)
    proposals = _by_subject(Proposal.objects.filter(in_scope, framework=framework, current=True,
                                                    quarter__in=[quarter, before])
                            .select_related("organisation__place", "system"))
    decisions = _by_subject(Decision.objects.filter(visible_decisions_filter(user)).filter(
        in_scope, framework=framework, quarter__in=[quarter, before])
        .select_related("organisation__place", "system", "publication")
        .order_by("decided_at", "id"))  # the newest the reader may see wins
    rows = []
    for key in {k for k in proposals | decisions if k[2] == quarter}:
        subject = (proposals.get(key) or decisions.get(key)).subject
        earlier = (key[0], key[1], before)
        rows.append(Row(subject, Standing(decisions.get(key), proposals.get(key)),
                        Standing(decisions.get(earlier), proposals.get(earlier))))
    rows.sort(key=lambda r: (not r.is_system, r.kind, r.subject.name))
    return Summary(framework, quarter, before, scope, rows)


def _by_subject(rows) -> dict:
    return {(r.organisation_id, r.system_id, r.quarter): r for r in rows}


def quarters() -> list[str]:
    """Every quarter with segments, newest first."""
    return sorted(set(Proposal.objects.filter(current=True).values_list("quarter", flat=True)),
                  key=lambda q: quarter_bounds(q)[0], reverse=True)


def scope_of(user, *, system: str | None = None, region: str | None = None,
             within_roles: bool = True) -> Region | System:
    """The region or system a summary is for, among those the reader's roles cover (unless
    `within_roles` is False); without either, the one region those systems are in."""
    visible = visible_systems(user) if within_roles else System.objects.all()
    if system:
        found = System.objects.filter(code=system.upper()).first()
        if found is None:
            raise SummaryRefused(f"no system with code '{system}'")
        if not visible.filter(pk=found.pk).exists():
            raise PermissionError(f"{found.name} is outside your roles")
        return found
    regions = Region.objects.filter(systems__in=visible).distinct().order_by("code")
    if region:
        found = Region.objects.filter(code=region.upper()).first()
        if found is None:
            raise SummaryRefused(f"no region with code '{region}'")
        if not regions.filter(pk=found.pk).exists():
            raise PermissionError(f"the {found.name} region is outside your roles")
        return found
    if len(regions) == 1:
        return regions[0]
    raise SummaryRefused("choose a region or a system: "
                         + ", ".join(f"{r.code} ({r.name})" for r in regions))


def document(result: Summary, drawn_on: dt.date) -> str:
    """The summary as a standalone HTML document (for oversight.reports.formats)."""
    return render_to_string("reports/segmentation_summary.jinja",
                            {"summary": result, "drawn_on": drawn_on})
