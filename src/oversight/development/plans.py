"""Building a plan and holding it to its checkpoints: the domain functions the pages, the
importer, the API and the demo share.

Statuses change only through :func:`record_assessment`, which keeps the assessment (who,
when, commentary, evidence) and sets the action's or workstream's current status to that of
its latest checkpoint. Lateness and next milestones are worked out as at a given day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from oversight.development import key
from oversight.development.models import (
    Action,
    ActionOwner,
    Assessment,
    Checkpoint,
    MaturityDomain,
    Owner,
    Plan,
    Theme,
    ThemeGroup,
    Workstream,
)
from oversight.engine.deadlines import parse_deadline
from oversight.engine.periods import financial_quarter, parse_quarter, quarter_bounds

THEMES_FILE = Path(__file__).with_name("themes.yaml")
#: Initials as plans write them ("KC", "REGION" is a group): two to four capital letters.
INITIALS = re.compile(r"^[A-Z]{2,4}$")
#: Owners the plan writes in capitals that are groups, not people.
GROUP_WORDS = {"REGION", "ICB", "CCG", "SOAG"}


@lru_cache(maxsize=1)
def standard_themes() -> dict:
    return yaml.safe_load(THEMES_FILE.read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- building a plan


def create_plan(system, title: str, published_on: dt.date, **details: str) -> Plan:
    """A plan with NHS England's six themes in the standard groups (``themes.yaml``)."""
    data = standard_themes()
    with transaction.atomic():
        plan = Plan.objects.create(system=system, title=title, published_on=published_on, **details)
        order = 0
        for g, group in enumerate(data["groups"]):
            theme_group = ThemeGroup.objects.create(plan=plan, name=group["name"], order=g)
            for number in group["themes"]:
                order += 1
                Theme.objects.create(
                    plan=plan,
                    number=number,
                    name=data["themes"][number],
                    group=theme_group,
                    order=order,
                )
    return plan


def owner_codes(text: str) -> list[str]:
    """'SG/REGION/ LK/KC' -> ['SG', 'REGION', 'LK', 'KC']: owners as the plan writes them."""
    return [part.strip() for part in re.split(r"[/,;&]", text or "") if part.strip()]


def owner_kind(code: str) -> str:
    if INITIALS.match(code) and code not in GROUP_WORDS:
        return Owner.Kind.PERSON
    return Owner.Kind.GROUP


def owners_for(plan: Plan, text: str) -> list[Owner]:
    """The plan's owners named in ``text``, created when new."""
    out = []
    for code in owner_codes(text):
        owner, _ = Owner.objects.get_or_create(
            plan=plan, code=code, defaults={"kind": owner_kind(code)}
        )
        out.append(owner)
    return out


def set_deadline(action: Action, deadline_text: str) -> None:
    """Read ``deadline_text`` into the action's due date (DeadlineError when unreadable)."""
    deadline = parse_deadline(deadline_text)
    action.deadline_text = deadline.text
    action.due = deadline.due
    action.starts = deadline.starts
    action.ongoing = deadline.ongoing


def add_action(
    workstream: Workstream,
    text: str,
    deadline_text: str,
    owners: list[Owner],
    strand: str = "",
    order: int = 0,
) -> Action:
    action = Action(workstream=workstream, text=text, strand=strand, order=order)
    set_deadline(action, deadline_text)
    action.save()
    set_owners(action, owners)
    return action


def set_owners(action: Action, owners: list[Owner]) -> None:
    """Make ``owners`` the action's owners, in that order (each link's history kept)."""
    wanted = [o.pk for o in owners]
    links = {link.owner_id: link for link in action.owner_links.all()}
    for owner_id, link in links.items():
        if owner_id not in wanted:
            link.delete()
    for position, owner in enumerate(owners):
        link = links.get(owner.pk)
        if link is None:
            ActionOwner.objects.create(action=action, owner=owner, position=position)
        elif link.position != position:
            link.position = position
            link.save(update_fields=["position"])


def workstream_owners(workstream: Workstream) -> list[Owner]:
    """Every owner of the workstream's actions, in the order the plan first names them."""
    seen: dict[int, Owner] = {}
    for action in workstream.actions.all():
        for owner in action.owner_list:
            seen.setdefault(owner.pk, owner)
    return list(seen.values())


# ----------------------------------------------------------------------------- checkpoints


def canonical_quarter(label: str) -> str:
    """'Q2 21/22' -> 'Q2 2021/22' (ValueError naming the label when it is not a quarter)."""
    q, year = parse_quarter(label)
    return f"Q{q} {year}/{(year + 1) % 100:02d}"


def open_checkpoint(
    plan: Plan, quarter: str, held_on: dt.date, user=None, summary: str = ""
) -> Checkpoint:
    label = canonical_quarter(quarter)
    checkpoint, created = Checkpoint.objects.get_or_create(
        plan=plan,
        quarter=label,
        defaults={"held_on": held_on, "created_by": user, "summary": summary},
    )
    if not created and (checkpoint.held_on != held_on or summary):
        checkpoint.held_on = held_on
        checkpoint.summary = summary or checkpoint.summary
        checkpoint.save()
    return checkpoint


def record_assessment(
    checkpoint: Checkpoint,
    *,
    status: str,
    user=None,
    action: Action | None = None,
    workstream: Workstream | None = None,
    commentary: str = "",
    evidence: str = "",
    at: dt.datetime | None = None,
) -> Assessment:
    """Assess one action or workstream at a checkpoint (again: the assessment is updated, its
    earlier version kept in its history) and bring its current status up to date."""
    if (action is None) == (workstream is None):
        raise ValueError("assess either an action or a workstream")
    if key.point(status) is None:
        raise ValueError(f"not a delivery status: {status!r}")
    subject = action or workstream
    with transaction.atomic():
        assessment, _ = Assessment.objects.update_or_create(
            checkpoint=checkpoint,
            action=action,
            workstream=workstream,
            defaults={
                "status": status,
                "commentary": commentary,
                "evidence": evidence,
                "assessed_by": user,
                "assessed_at": at or timezone.now(),
            },
        )
        latest = (
            subject.assessments.select_related("checkpoint")
            .order_by("-checkpoint__held_on", "-id")
            .first()
        )
        if latest and subject.status != latest.status:
            subject.status = latest.status
            subject._change_reason = f"{latest.checkpoint.quarter} checkpoint"
            subject.save(update_fields=["status"])
    return assessment


# ----------------------------------------------------------------------------- reading a plan


def plan_actions(plan: Plan) -> QuerySet[Action]:
    return (
        Action.objects.filter(workstream__plan=plan)
        .select_related("workstream__theme", "workstream__group")
        .prefetch_related("owner_links__owner")
        .order_by("workstream__order", "workstream_id", "order", "id")
    )


def workstreams_of(plan: Plan) -> QuerySet[Workstream]:
    return (
        Workstream.objects.filter(plan=plan)
        .select_related("theme__group", "group")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=Action.objects.prefetch_related("owner_links__owner").order_by(
                    "order", "id"
                ),
            )
        )
        .order_by("order", "id")
    )


@dataclass
class WorkstreamLine:
    workstream: Workstream
    owners: list[Owner]
    next_action: Action | None
    late: int
    achieved: int
    total: int


@dataclass
class ThemeBlock:
    heading: str
    number: int | None
    lines: list[WorkstreamLine] = field(default_factory=list)


@dataclass
class GroupBlock:
    name: str
    themes: list[ThemeBlock] = field(default_factory=list)


def next_milestone(actions: list[Action]) -> Action | None:
    """The first action not yet achieved, by due date (late ones first); None if all done."""
    pending = [a for a in actions if not a.achieved and a.due is not None]
    return min(pending, key=lambda a: (a.due, a.order, a.pk)) if pending else None


def plan_on_a_page(plan: Plan, today: dt.date) -> list[GroupBlock]:
    """Groups -> themes -> workstreams, as the plan lays them out, each with its owners,
    status, next milestone and how many actions are late at ``today``."""
    groups: dict[int, GroupBlock] = {}
    themes: dict[tuple, ThemeBlock] = {}
    for group in plan.groups.all():
        groups[group.pk] = GroupBlock(group.name)
    for ws in workstreams_of(plan):
        actions = list(ws.actions.all())
        group_id = ws.theme.group_id if ws.theme_id else ws.group_id
        tkey = ("theme", ws.theme_id) if ws.theme_id else ("group", ws.group_id)
        if tkey not in themes:
            themes[tkey] = ThemeBlock(ws.heading, ws.theme.number if ws.theme_id else None)
            groups[group_id].themes.append(themes[tkey])
        owners: dict[int, Owner] = {}
        for a in actions:
            for o in a.owner_list:
                owners.setdefault(o.pk, o)
        themes[tkey].lines.append(
            WorkstreamLine(
                workstream=ws,
                owners=list(owners.values()),
                next_action=next_milestone(actions),
                late=sum(a.is_late(today) for a in actions),
                achieved=sum(a.achieved for a in actions),
                total=len(actions),
            )
        )
    return [g for g in groups.values() if g.themes]


def late_actions(plan: Plan, today: dt.date) -> list[Action]:
    return [a for a in plan_actions(plan) if a.is_late(today)]


@dataclass
class QuarterColumn:
    label: str
    end: dt.date
    actions: list[Action]


def timeline(plan: Plan) -> tuple[list[QuarterColumn], list[Action]]:
    """Actions by the financial quarter they are due in, from the first due to the last (every
    quarter between, even empty), and the ongoing ones."""
    actions = list(plan_actions(plan))
    dated = [a for a in actions if a.due]
    ongoing = [a for a in actions if not a.due]
    if not dated:
        return [], ongoing
    by_quarter: dict[str, list[Action]] = {}
    for a in dated:
        by_quarter.setdefault(financial_quarter(a.due), []).append(a)
    first, last = min(a.due for a in dated), max(a.due for a in dated)
    columns = []
    day = first
    while day <= last:
        label = financial_quarter(day)
        end = quarter_bounds(label)[1]
        columns.append(QuarterColumn(label, end, by_quarter.get(label, [])))
        day = end + dt.timedelta(days=1)
    return columns, ongoing


# ----------------------------------------------------------------------------- checkpoint report


@dataclass
class Change:
    subject: Action | Workstream
    before: str
    after: str
    assessment: Assessment

    @property
    def direction(self) -> str:
        b, a = key.point(self.before), key.point(self.after)
        if b is None or a is None or a.rank == b.rank:
            return "same"
        return "better" if a.rank < b.rank else "worse"


@dataclass
class CheckpointReport:
    checkpoint: Checkpoint
    previous: Checkpoint | None
    counts: dict[str, int]
    workstreams: list[tuple[Workstream, Assessment | None, list[tuple[Action, Assessment | None]]]]
    changes: list[Change]
    late: list[Action]
    not_assessed: int


def status_as_at(assessments: dict, subject_id: int, checkpoints: list[Checkpoint]) -> str:
    """The status an item had at the last of ``checkpoints`` that assessed it ('' if none)."""
    for cp in reversed(checkpoints):
        found = assessments.get((cp.pk, subject_id))
        if found:
            return found.status
    return ""


def checkpoint_report(checkpoint: Checkpoint) -> CheckpointReport:
    """What a checkpoint found: statuses by key point, what changed since the previous
    checkpoint, the actions late at the checkpoint (due before it and not achieved by it)."""
    plan = checkpoint.plan
    earlier = list(
        Checkpoint.objects.filter(plan=plan, held_on__lte=checkpoint.held_on)
        .exclude(pk=checkpoint.pk)
        .order_by("held_on", "id")
    )
    previous = earlier[-1] if earlier else None
    rows = list(
        Assessment.objects.filter(
            checkpoint__plan=plan, checkpoint__held_on__lte=checkpoint.held_on
        ).select_related("assessed_by")
    )
    by_action = {(a.checkpoint_id, a.action_id): a for a in rows if a.action_id}
    by_ws = {(a.checkpoint_id, a.workstream_id): a for a in rows if a.workstream_id}
    upto = [*earlier, checkpoint]
    counts: Counter[str] = Counter()
    changes: list[Change] = []
    late: list[Action] = []
    blocks = []
    not_assessed = 0
    for ws in workstreams_of(plan):
        ws_now = by_ws.get((checkpoint.pk, ws.pk))
        if ws_now:
            before = status_as_at(by_ws, ws.pk, earlier)
            if before and before != ws_now.status:
                changes.append(Change(ws, before, ws_now.status, ws_now))
        lines = []
        for action in ws.actions.all():
            now = by_action.get((checkpoint.pk, action.pk))
            status = status_as_at(by_action, action.pk, upto)
            if now:
                counts[now.status] += 1
                before = status_as_at(by_action, action.pk, earlier)
                if before and before != now.status:
                    changes.append(Change(action, before, now.status, now))
            else:
                not_assessed += 1
            achieved = status in key.achieved_codes()
            if action.due and action.due < checkpoint.held_on and not achieved:
                late.append(action)
            lines.append((action, now))
        blocks.append((ws, ws_now, lines))
    ordered = {p.code: counts.get(p.code, 0) for p in key.delivery()}
    return CheckpointReport(checkpoint, previous, ordered, blocks, changes, late, not_assessed)


def action_history(action: Action) -> list[Assessment]:
    return list(
        action.assessments.select_related("checkpoint", "assessed_by").order_by(
            "checkpoint__held_on", "id"
        )
    )


# ----------------------------------------------------------------------------- maturity


ARROWS = {"up": "↑", "down": "↓", "same": "↔"}


@dataclass
class MaturityRow:
    domain: MaturityDomain
    scores: list  # MaturityScore, oldest first
    change: str  # up, down, same or '' with fewer than two scores

    @property
    def arrow(self) -> str:
        return ARROWS.get(self.change, "")


def maturity_change(before: str, after: str) -> str:
    b, a = key.level(before), key.level(after)
    if b is None or a is None:
        return ""
    return "up" if a.rank > b.rank else "down" if a.rank < b.rank else "same"


def maturity_matrix(plan: Plan) -> tuple[list[dt.date], list[MaturityRow]]:
    """Each domain's scores oldest first and the change between its last two; the dates of
    every assessment."""
    rows = []
    dates: set[dt.date] = set()
    for domain in plan.maturity_domains.prefetch_related("scores"):
        scores = sorted(domain.scores.all(), key=lambda s: s.assessed_on)
        dates.update(s.assessed_on for s in scores)
        change = maturity_change(scores[-2].level, scores[-1].level) if len(scores) > 1 else ""
        rows.append(MaturityRow(domain, scores, change))
    return sorted(dates), rows
