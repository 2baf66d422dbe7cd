"""Life-cycles of support cases and of actions, SOAG's and risks' (python-statemachine).

Status changes go only through ``fire``: it runs the event on the machine bound to the model,
saves it, and records a ``Transition`` with who, when and why, all in one transaction.
``record`` adds the same who, when and why for a change to a case that keeps its status. A
refused event raises ``ValidationError`` naming why (the machine's guards are the last line;
callers check domain conditions first so the message can say what is missing).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed

from oversight.support.models import (
    Action,
    ActionStatus,
    CaseKind,
    CaseStatus,
    SoagAction,
    SupportCase,
    Transition,
)


class CaseLifecycle(StateMachine):
    """open -> active (support under way) -> closed; an RSP case closes only by ``exit``."""

    open = State("Open", initial=True, value=CaseStatus.OPEN.value)
    active = State("Support under way", value=CaseStatus.ACTIVE.value)
    closed = State("Closed", final=True, value=CaseStatus.CLOSED.value)

    start = open.to(active)
    close = open.to(closed, cond="not_rsp") | active.to(closed, cond="not_rsp")
    exit = open.to(closed, cond="is_rsp") | active.to(closed, cond="is_rsp")
    supersede = open.to(closed) | active.to(closed)

    def __init__(self, case: SupportCase) -> None:
        super().__init__(case, state_field="status")

    def is_rsp(self) -> bool:
        return self.model.kind == CaseKind.RSP

    def not_rsp(self) -> bool:
        return self.model.kind != CaseKind.RSP

    def on_enter_closed(self) -> None:
        self.model.closed_at = timezone.now()


class ActionLifecycle(StateMachine):
    """open -> in progress -> completed (with evidence); or cancelled; an action that escalates
    to the board (``Action.escalates_to_board``: SOAG's) is escalated when overdue."""

    open = State("Open", initial=True, value=ActionStatus.OPEN.value)
    in_progress = State("In progress", value=ActionStatus.IN_PROGRESS.value)
    escalated = State("Escalated to the board", value=ActionStatus.ESCALATED.value)
    completed = State("Completed", final=True, value=ActionStatus.COMPLETED.value)
    cancelled = State("Cancelled", final=True, value=ActionStatus.CANCELLED.value)

    start = open.to(in_progress)
    escalate = open.to(escalated, cond="overdue_to_board") | in_progress.to(
        escalated, cond="overdue_to_board"
    )
    complete = (
        open.to(completed, cond="has_evidence")
        | in_progress.to(completed, cond="has_evidence")
        | escalated.to(completed, cond="has_evidence")
    )
    cancel = open.to(cancelled) | in_progress.to(cancelled) | escalated.to(cancelled)

    def __init__(self, action: Action, today: dt.date | None = None) -> None:
        self.today = today
        super().__init__(action, state_field="status")

    def overdue_to_board(self) -> bool:
        return self.model.escalates_to_board and self.model.is_overdue(self.today)

    def has_evidence(self) -> bool:
        return bool(self.model.evidence.strip())

    def on_enter_escalated(self) -> None:
        self.model.escalated_at = timezone.now()

    def on_enter_completed(self) -> None:
        self.model.completed_at = timezone.now()


def case_events(case: SupportCase) -> list[str]:
    """Events a person may choose on the case page (``exit`` has its own page)."""
    machine = CaseLifecycle(case)
    return [
        e.id
        for e in machine.allowed_events
        if e.id in ("start", "close") and not (e.id == "close" and case.kind == CaseKind.RSP)
    ]


#: What a person chooses on an action's page, event by event.
ACTION_EVENT_LABELS = {
    "start": "Start work",
    "escalate": "Escalate to the board",
    "complete": "Complete (evidence recorded)",
    "cancel": "Cancel",
}


def action_events(action: Action) -> list[str]:
    """Events a person may choose for the action (escalation only when it is due)."""
    machine = ActionLifecycle(action)
    return [
        e.id
        for e in machine.allowed_events
        if e.id != "escalate" or (action.escalates_to_board and action.is_overdue())
    ]


def step(obj: SupportCase | Action, event: str, today: dt.date | None = None) -> None:
    """Run ``event`` on the case's or action's life-cycle and save it; a refused event raises
    ``ValidationError`` saying why. Callers record the change (``fire`` as a ``Transition``,
    ``risks.lifecycle.fire_action`` as a ``RiskEvent``)."""
    machine = CaseLifecycle(obj) if isinstance(obj, SupportCase) else ActionLifecycle(obj, today)
    try:
        machine.send(event)
    except TransitionNotAllowed as exc:
        raise ValidationError(_refusal(obj, event, today)) from exc
    obj.save()


def fire(
    obj: SupportCase | SoagAction, event: str, user, reason: str, today: dt.date | None = None
) -> Transition:
    """Run ``event`` on the case or action, save it and record the transition."""
    reason = required_reason(reason)
    with transaction.atomic():
        source = obj.status
        step(obj, event, today)
        return _transition(obj, event, source, user, reason)


def record(case: SupportCase, event: str, user, reason: str) -> Transition:
    """Record a change to a case that leaves its status as it is (entry on CQC's
    recommendation, a milestone achieved or changed, an exit criterion judged, changed or removed):
    who, when and why join the case's history, as a transition from its status to itself."""
    return _transition(case, event, case.status, user, required_reason(reason))


def required_reason(reason: str) -> str:
    """The reason, stripped; refused when there is none (every change keeps its why)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why (it is kept with the change)."})
    return reason


def _transition(
    obj: SupportCase | SoagAction, event: str, source: str, user, reason: str
) -> Transition:
    is_case = isinstance(obj, SupportCase)
    return Transition.objects.create(
        case=obj if is_case else None,
        action=None if is_case else obj,
        event=event,
        source=source,
        target=obj.status,
        by=user if getattr(user, "pk", None) else None,
        reason=reason,
    )


def _refusal(obj: SupportCase | Action, event: str, today: dt.date | None) -> str:
    status = obj.get_status_display().lower()
    if isinstance(obj, SupportCase):
        if event == "close" and obj.kind == CaseKind.RSP:
            return "An RSP case ends only by exit, once every exit criterion is met."
        if event == "exit" and obj.kind != CaseKind.RSP:
            return "Only a Recovery Support Programme case has an exit; close this case instead."
        return f"The case cannot {event} while it is {status}."
    if event == "escalate" and obj.escalates_to_board and not obj.is_done and not obj.is_overdue(
        today
    ):
        return "Only an overdue action is escalated to the board."
    if event == "complete" and not obj.is_done and not obj.evidence.strip():
        return "Record the evidence before completing the action."
    return f"The action cannot {event.replace('_', ' ')} while it is {status}."
