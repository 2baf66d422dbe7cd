"""Life-cycles of risks and their actions, and escalation up the governance.

A risk is suggested (raised by oversight data, for its owner to accept or dismiss), open,
tolerated, closed (with a reason) or dismissed. Where it is held is its ``level`` (the scoring
file's escalation levels: group -> executive -> board). It moves up or down by a rule (the
scoring file's escalation rules, :func:`apply_rules`) or by a decision (:func:`escalate`, at a
meeting or by its owner). Every change goes through here and is recorded as a ``RiskEvent``
with who, when and why, in the same transaction (``support.lifecycle.required_reason``: no
change without its why); an escalation or de-escalation tells the risk's owner and manager
(``support.notify.tell``: in the app, and by email once the transaction commits). A risk's
actions run the one action life-cycle, ``support.lifecycle.ActionLifecycle`` (:func:`fire_action`
records each step on the risk).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed

from oversight.risks.models import LIVE, Risk, RiskAction, RiskEvent, RiskStatus
from oversight.support.lifecycle import required_reason, step
from oversight.support.notify import tell

__all__ = [
    "RiskLifecycle",
    "apply_rules",
    "escalate",
    "fire",
    "fire_action",
    "record",
    "required_reason",
    "risk_events",
]


class RiskLifecycle(StateMachine):
    """suggested -> open | dismissed; open <-> tolerated; open | tolerated -> closed."""

    suggested = State("Suggested", initial=True, value=RiskStatus.SUGGESTED.value)
    open = State("Open", value=RiskStatus.OPEN.value)
    tolerated = State("Tolerated", value=RiskStatus.TOLERATED.value)
    closed = State("Closed", final=True, value=RiskStatus.CLOSED.value)
    dismissed = State("Dismissed", final=True, value=RiskStatus.DISMISSED.value)

    accept = suggested.to(open, cond="scored")
    dismiss = suggested.to(dismissed)
    tolerate = open.to(tolerated)
    reopen = tolerated.to(open)
    close = open.to(closed) | tolerated.to(closed)

    def __init__(self, risk: Risk) -> None:
        super().__init__(risk, state_field="status")

    def scored(self) -> bool:
        return bool(self.model.current_score and self.model.owner_id)


EVENT_LABELS = {
    "accept": "Accept onto the register",
    "dismiss": "Dismiss the suggestion",
    "tolerate": "Tolerate (accept the risk at its current score)",
    "reopen": "Reopen (no longer tolerated)",
    "close": "Close the risk",
}


def risk_events(risk: Risk) -> list[str]:
    return [e.id for e in RiskLifecycle(risk).allowed_events]


def record(
    risk: Risk, event: str, user, reason: str, *, source: str = "", target: str = "",
    action: RiskAction | None = None, item=None,
) -> RiskEvent:
    """Record a change with who, when and why (and the meeting's agenda item that decided it)."""
    return RiskEvent.objects.create(
        risk=risk,
        action=action,
        item=item,
        event=event,
        source=source,
        target=target,
        by=user if getattr(user, "pk", None) else None,
        reason=required_reason(reason),
    )


def fire(risk: Risk, event: str, user, reason: str, *, item=None) -> RiskEvent:
    """Run a status event on the risk, save it and record it (closing needs a reason, which
    is kept on the risk as ``status_reason`` too)."""
    reason = required_reason(reason)
    with transaction.atomic():
        source = risk.status
        try:
            RiskLifecycle(risk).send(event)
        except TransitionNotAllowed as exc:
            raise ValidationError(_refusal(risk, event)) from exc
        if risk.status in (RiskStatus.TOLERATED, RiskStatus.CLOSED, RiskStatus.DISMISSED):
            risk.status_reason = reason
        elif risk.status == RiskStatus.OPEN:
            risk.status_reason = ""
        if event == "accept" and risk.next_review is None:
            from oversight.risks.register import add_months

            risk.next_review = add_months(timezone.localdate(), risk.review_months)
        risk._change_reason = f"{event}: {reason}"[:100]
        risk.save()
        done = record(risk, event, user, reason, source=source, target=risk.status, item=item)
        if event == "accept":
            apply_rules(risks=Risk.objects.filter(pk=risk.pk))
            risk.refresh_from_db(fields=["level", "held_by", "escalated_by_rule"])
        return done


def _refusal(risk: Risk, event: str) -> str:
    if event == "accept" and risk.status == RiskStatus.SUGGESTED:
        return "Give the risk an owner and a current score before accepting it."
    return f"The risk cannot {event} while it is {risk.get_status_display().lower()}."


def fire_action(action: RiskAction, event: str, user, reason: str) -> RiskEvent:
    """Run an event of the action's life-cycle (``support.lifecycle.ActionLifecycle``), save it
    and record it on the risk."""
    reason = required_reason(reason)
    with transaction.atomic():
        source = action.status
        action._change_reason = f"{event}: {reason}"[:100]
        step(action, event)
        return record(
            action.risk, f"action_{event}", user, f"{action.title}: {reason}",
            source=source, target=action.status, action=action,
        )


def body_at(risk: Risk, level: str, scoring) -> object | None:
    """The body holding the risk at ``level``: up the lead committee's reporting line, the
    first body of a kind the level names (None at the lowest level, or where the line has
    no such body)."""
    if level == scoring.levels[0].code or risk.lead_committee_id is None:
        return None
    kinds = next(lv.body_kinds for lv in scoring.levels if lv.code == level)
    body, seen = risk.lead_committee, set()
    while body is not None and body.pk not in seen:
        if body.kind in kinds:
            return body
        seen.add(body.pk)
        body = body.reports_to
    return None


def escalate(
    risk: Risk, level: str, user, reason: str, *, by_rule: bool = False, item=None
) -> RiskEvent:
    """Move the risk to ``level`` (up: escalate, down: de-escalate) and to the body that holds
    it there along the lead committee's reporting line, recorded (with the agenda item when a
    meeting decided it)."""
    from oversight.risks.scoring import scoring_for

    scoring = scoring_for(risk.system.code)
    if level not in {lv.code for lv in scoring.levels}:
        raise ValidationError({"level": f"'{level}' is not an escalation level."})
    if not risk.is_live:
        raise ValidationError("Only an open or tolerated risk is escalated or de-escalated.")
    if level == risk.level:
        raise ValidationError({"level": f"The risk is already held at {level}."})
    up = scoring.level_rank(level) > scoring.level_rank(risk.level)
    with transaction.atomic():
        source = risk.level
        risk.level = level
        risk.held_by = body_at(risk, level, scoring)
        risk.escalated_by_rule = by_rule and level != scoring.levels[0].code
        risk._change_reason = f"{'escalate' if up else 'de_escalate'}: {reason}"[:100]
        risk.save(update_fields=["level", "held_by", "escalated_by_rule"])
        where = f" ({risk.held_by.name})" if risk.held_by_id else ""
        done = record(
            risk, "escalate" if up else "de_escalate", user, f"{reason}{where}".strip(),
            source=source, target=level, item=item,
        )
        people = [p for p in (risk.owner, risk.manager) if p is not None and p.is_active]
        if people:
            verb = "escalated to" if up else "de-escalated to"
            tell(
                people,
                f"Risk {risk.reference} {verb} {scoring.level_name(level).lower()}",
                f"{risk.title}: {verb} {scoring.level_name(level).lower()}{where}. {reason}",
                link=risk.get_absolute_url(),
            )
        return done


def apply_rules(today: dt.date | None = None, risks=None) -> list[RiskEvent]:
    """Escalate every live risk held below the level its rules require; de-escalate those a
    rule had escalated once no rule holds them there. A level decided at a meeting stays
    until a meeting changes it (rules never move a risk a decision placed). Idempotent."""
    from oversight.risks.register import assess, with_related

    qs = Risk.objects.filter(status__in=LIVE) if risks is None else risks
    done: list[RiskEvent] = []
    with transaction.atomic():
        for a in assess(with_related(qs), today):
            risk, scoring = a.risk, a.scoring
            need, fired = a.required
            rank, held = scoring.level_rank(need), scoring.level_rank(risk.level)
            if rank > held:
                why = "; ".join(r.label for r in fired if r.level == need)
                done.append(
                    escalate(
                        risk, need, None,
                        f"By rule: {why} (current score {risk.current_score}).",
                        by_rule=True,
                    )
                )
            elif rank < held and risk.escalated_by_rule:
                done.append(
                    escalate(
                        risk, need, None,
                        f"By rule: no escalation rule holds it at "
                        f"{scoring.level_name(risk.level).lower()} any longer (current score "
                        f"{risk.current_score}).",
                        by_rule=True,
                    )
                )
    return done
