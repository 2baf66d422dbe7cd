"""Each committee's risk review at its meetings (seed 003: every group "maintain[s] a risk
register, review[s] this at every meeting and ... seek[s] to resolve risks escalated from the
other groups").

:func:`add_risk_review` puts a "Risk register review" item on a meeting's agenda listing the
risks due for review that the committee leads (held at its own level) and those escalated to it.
:func:`decide_risk_review` records what the meeting decided for each listed risk (reviewed with
no change, re-scored, escalated or de-escalated along the reporting line, tolerated, closed):
each decision changes the risk through ``editing`` and ``lifecycle`` with the meeting's item on
the record, and the minute of the item (``governance.minutes.record_minute``) states the
decision per risk. Nothing is half-done: the decisions and the minute go in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from oversight.governance.meetings import add_item
from oversight.governance.minutes import current_minutes, draft_minutes, record_minute
from oversight.governance.models import (
    AgendaItem,
    Body,
    DecisionMethod,
    ItemPurpose,
    Meeting,
    MinuteEntry,
)
from oversight.risks.editing import review_risk
from oversight.risks.lifecycle import escalate, fire
from oversight.risks.models import LIVE, CommitteeReview, ReviewDecision, Risk
from oversight.risks.scoring import scoring_for

REVIEW_TITLE = "Risk register review"


def risks_for_review(body: Body, on: dt.date) -> tuple[list[Risk], list[Risk]]:
    """(due, escalated): live risks the body leads and holds itself whose review falls due by
    ``on``; live risks escalated to the body (held by it)."""
    live = Risk.objects.filter(status__in=LIVE).select_related("system")
    due = live.filter(lead_committee=body, held_by__isnull=True).filter(
        Q(next_review__lte=on) | Q(next_review__isnull=True)
    )
    escalated = live.filter(held_by=body)
    return list(due.order_by("reference")), list(escalated.order_by("reference"))


def review_item(meeting: Meeting) -> AgendaItem | None:
    return meeting.items.filter(risk_reviews__isnull=False).distinct().first()


@transaction.atomic
def add_risk_review(meeting: Meeting, user=None, *, number: str | None = None) -> AgendaItem:
    """Put the risk review on the meeting's agenda, listing its risks (once per meeting)."""
    if review_item(meeting) is not None:
        raise ValidationError(f"{meeting} already has a risk register review.")
    due, escalated = risks_for_review(meeting.body, meeting.date)
    if not due and not escalated:
        raise ValidationError(
            f"No risk of {meeting.body.short_name} is due for review or escalated to it by "
            f"{meeting.date:%d %B %Y}."
        )
    number = number or str(meeting.items.count() + 1)
    item = add_item(
        meeting, number=number, title=REVIEW_TITLE, purpose=ItemPurpose.DECISION, user=user,
    )
    for listed, risks in ((CommitteeReview.Listed.DUE, due),
                          (CommitteeReview.Listed.ESCALATED, escalated)):
        for risk in risks:
            CommitteeReview.objects.create(
                item=item, risk=risk, listed=listed, score_before=risk.current_score,
                level_before=risk.level,
            )
    return item


@dataclass(frozen=True)
class Decision:
    """What the meeting decided for one listed risk."""

    risk: Risk
    decision: str
    note: str
    likelihood: int | None = None
    consequence: int | None = None
    level: str | None = None


def _apply(d: Decision, item: AgendaItem, user, day: dt.date) -> str:
    risk = d.risk
    meeting = item.meeting
    where = f"{meeting.body.short_name} meeting of {meeting.date:%d %B %Y}, item {item.number}"
    lk = d.likelihood or risk.current_likelihood
    c = d.consequence or risk.current_consequence
    if d.decision in (ReviewDecision.NOTED, ReviewDecision.RESCORED, ReviewDecision.ESCALATE,
                      ReviewDecision.DE_ESCALATE, ReviewDecision.TOLERATE):
        if lk is None or c is None:
            raise ValidationError(f"{risk.reference}: give its likelihood and consequence.")
        review_risk(risk, user, likelihood=lk, consequence=c, note=f"{d.note} ({where})",
                    reviewed_on=day)
        risk.refresh_from_db()
    if d.decision in (ReviewDecision.ESCALATE, ReviewDecision.DE_ESCALATE):
        if not d.level:
            raise ValidationError(f"{risk.reference}: say the level it is to be held at.")
        if d.level != risk.level:
            escalate(risk, d.level, user, f"Decided at the {where}: {d.note}", item=item)
    elif d.decision in (ReviewDecision.TOLERATE, ReviewDecision.CLOSE):
        fire(risk, "tolerate" if d.decision == ReviewDecision.TOLERATE else "close", user,
             f"Decided at the {where}: {d.note}", item=item)
    elif d.decision not in (ReviewDecision.NOTED, ReviewDecision.RESCORED):
        raise ValidationError(f"{d.decision!r} is not a risk review decision.")
    risk.refresh_from_db()
    label = ReviewDecision(d.decision).label
    scoring = scoring_for(risk.system.code)
    held = scoring.level_name(risk.level) + (f" ({risk.held_by.short_name})"
                                             if risk.held_by_id else "")
    return (f"{risk.reference} {risk.title}: {label.lower()}; current score "
            f"{risk.current_score}; held at {held}. {d.note}")


@transaction.atomic
def decide_risk_review(
    item: AgendaItem, decisions: list[Decision], user=None, *, discussion: str = "",
    votes: tuple[int, int, int] | None = None,
) -> MinuteEntry:
    """Apply the meeting's decision for every listed risk and minute them (all or nothing).
    Every listed risk needs a decision; the minute is the draft minutes' entry for the item."""
    listed = {r.risk_id: r for r in item.risk_reviews.select_related("risk")}
    if not listed:
        raise ValidationError(f"Item {item.number} is not a risk register review.")
    chosen = {d.risk.pk: d for d in decisions}
    missing = [r.risk.reference for pk, r in listed.items() if pk not in chosen]
    if missing:
        raise ValidationError(f"Record a decision for every listed risk: {', '.join(missing)}.")
    stray = [d.risk.reference for d in decisions if d.risk.pk not in listed]
    if stray:
        raise ValidationError(f"Not listed on this item: {', '.join(stray)}.")
    meeting = item.meeting
    minutes = current_minutes(meeting) or draft_minutes(meeting, user=user)
    lines, escalated = [], []
    now = timezone.now()
    for pk, review in sorted(listed.items(), key=lambda kv: kv[1].risk.reference):
        d = chosen[pk]
        d = Decision(review.risk, d.decision, d.note.strip(), d.likelihood, d.consequence,
                     d.level)
        if not d.note:
            raise ValidationError(f"{review.risk.reference}: say why (it is minuted).")
        lines.append(_apply(d, item, user, meeting.date))
        if d.decision == ReviewDecision.ESCALATE and d.level == "board":
            escalated.append(lines[-1])
        review.risk.refresh_from_db()
        review.decision, review.note = d.decision, d.note
        review.score_after, review.level_after = review.risk.current_score, review.risk.level
        review.decided_by = user if getattr(user, "pk", None) else None
        review.decided_at = now
        review.save()
    by_vote = votes is not None and meeting.body.decision_method == DecisionMethod.VOTE
    to_board = bool(escalated)
    return record_minute(
        minutes, item,
        discussion=discussion or "The committee reviewed the risks due for review and those "
        "escalated to it.",
        decision="\n".join(lines),
        decided="vote" if by_vote else "consensus",
        votes_for=votes[0] if by_vote else None,
        votes_against=votes[1] if by_vote else None,
        abstentions=votes[2] if by_vote else None,
        escalate_to_board=to_board,
        escalation="\n".join(escalated) if to_board else "",
        user=user,
    )
