"""SOAG actions and interventions: raising them, and escalating overdue ones to the board.

Lateness is counted in working days: weekdays that are not bank holidays in England (the
``holidays`` package), as SOAG's terms of reference count notice and minutes in working days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from oversight.engine.periods import working_days_late
from oversight.organisations.models import Organisation, System
from oversight.support.lifecycle import fire
from oversight.support.models import ACTION_DONE, ActionKind, SoagAction, SupportCase
from oversight.support.notify import case_owners, tell


def raise_action(
    *,
    user,
    subject: Organisation | System,
    kind: str,
    title: str,
    owner,
    due: dt.date,
    description: str = "",
    case: SupportCase | None = None,
) -> SoagAction:
    """Record an action SOAG requires; the owner is told."""
    if kind not in ActionKind.values:
        raise ValidationError({"kind": f"'{kind}' is not a SOAG action kind."})
    if not title.strip():
        raise ValidationError({"title": "Give the action a title."})
    if case is not None and case.subject != subject:
        raise ValidationError({"case": "The support case is about another subject."})
    if case is not None and not owner.has_perm("support.view_supportcase", case):
        raise ValidationError({"owner": f"{owner.get_username()} may not see the support case "
                                        "this action serves; choose an owner who may."})
    field = "organisation" if isinstance(subject, Organisation) else "system"
    with transaction.atomic():
        action = SoagAction.objects.create(
            kind=kind,
            title=title.strip(),
            description=description.strip(),
            owner=owner,
            due=due,
            case=case,
            created_by=user,
            **{field: subject},
        )
        action.transitions.create(
            event="raise",
            source="",
            target=action.status,
            by=user,
            reason=f"Raised by SOAG: {action.get_kind_display()}.",
        )
        tell(
            [owner],
            f"SOAG action for you: {action.title}",
            f"{action.get_kind_display()} for {subject.name}, due {due:%d %B %Y}.",
            link=action.get_absolute_url(),
            action=action,
        )
    return action


@dataclass(frozen=True)
class Escalation:
    action: SoagAction
    working_days_late: int


def overdue_actions(today: dt.date | None = None):
    today = today or timezone.localdate()
    return (
        SoagAction.objects.exclude(status__in=[*ACTION_DONE, "escalated"])
        .filter(due__lt=today)
        .select_related("owner", "organisation", "system", "case")
    )


def escalate_overdue(
    today: dt.date | None = None, grace_working_days: int = 0, user=None
) -> list[Escalation]:
    """Escalate to the board every open action more than ``grace_working_days`` working days
    late; each escalation is a recorded transition and its owner and the case owners are told.
    Running again escalates nothing twice (escalated actions are skipped)."""
    today = today or timezone.localdate()
    done: list[Escalation] = []
    with transaction.atomic():
        for action in overdue_actions(today).select_for_update(of=("self",)):
            late = working_days_late(action.due, today)
            if late <= grace_working_days:
                continue
            fire(
                action,
                "escalate",
                user,
                f"Overdue by {late} working day"
                f"{'' if late == 1 else 's'} (due {action.due:%d %B %Y}): escalated to the "
                "board.",
                today=today,
            )
            people = [action.owner, *(case_owners(action.case) if action.case else [])]
            tell(
                people,
                f"Escalated to the board: {action.title}",
                f"The SOAG action '{action.title}' for {action.subject.name} was due on "
                f"{action.due:%d %B %Y} and is {late} working days late. It has been "
                "escalated to the board.",
                link=action.get_absolute_url(),
                action=action,
            )
            done.append(Escalation(action, late))
    return done
