"""The business-case route (seed 003 §9.1.1): a project proposal on one of three routes moves
through the outline and full business case stages, each step a recorded decision of the body the
route gives (both bodies for a joint step) at a quorate meeting of that body. The affected
organisations sign off before the Investment Committee; the committee scores the case against
its criteria and funds it in full, in part, later or not; after the HCE's approval the relevant
organisations give the final formal sign-off. The route is data
(``business-cases.yaml``); the order is a python-statemachine machine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed

from oversight.governance.history import record
from oversight.governance.models import AgendaItem, Body, Meeting
from oversight.governance.quoracy import quoracy

from .models import BusinessCase, CaseStatus, CriterionScore, SignOff, StepDecision

ROUTE_FILE = Path(__file__).with_name("business-cases.yaml")


@lru_cache
def route_rules() -> dict[str, Any]:
    return yaml.safe_load(ROUTE_FILE.read_text(encoding="utf-8"))


def step_rule(step: str) -> dict[str, Any]:
    for rule in route_rules()["steps"]:
        if rule["step"] == step:
            return rule
    raise ValidationError(f"{step!r} is not a step of the business-case route.")


def needs_investment(case: BusinessCase) -> bool:
    return bool(route_rules()["routes"][case.route]["investment"])


class CaseRoute(StateMachine):
    """proposed -> clinical vision -> vision -> gateway -> proposals -> full case -> (evaluation
    by the Investment Committee, where investment is needed) -> approval -> final sign-off; or
    refused."""

    proposed = State("Proposed", initial=True, value=CaseStatus.PROPOSED.value)
    clinical_vision = State("Clinical vision set", value=CaseStatus.CLINICAL_VISION.value)
    vision = State("Vision approved", value=CaseStatus.VISION.value)
    gateway = State("Gateway proposal approved", value=CaseStatus.GATEWAY.value)
    proposals = State("Proposals approved", value=CaseStatus.PROPOSALS.value)
    full_case = State("Full business case developed", value=CaseStatus.FULL_CASE.value)
    evaluation = State("Evaluated", value=CaseStatus.EVALUATION.value)
    approval = State("Approved", value=CaseStatus.APPROVAL.value)
    signed_off = State("Finally signed off", final=True, value=CaseStatus.SIGNED_OFF.value)
    refused = State("Not funded", final=True, value=CaseStatus.REFUSED.value)

    set_clinical_vision = proposed.to(clinical_vision)
    approve_vision = clinical_vision.to(vision)
    approve_gateway = vision.to(gateway)
    approve_proposals = proposals.from_(gateway)
    develop_full_case = proposals.to(full_case)
    evaluate = full_case.to(evaluation, cond=["invests", "signed_off_before"])
    refuse = full_case.to(refused, cond=["invests", "signed_off_before"])
    approve = full_case.to(approval, unless="invests") | evaluation.to(approval)
    finalise = approval.to(signed_off, cond="finally_signed_off")

    def __init__(self, case: BusinessCase) -> None:
        super().__init__(case, state_field="status")

    def invests(self) -> bool:
        return needs_investment(self.model)

    def signed_off_before(self) -> bool:
        return all_signed_off(self.model)

    def finally_signed_off(self) -> bool:
        return all_signed_off(self.model, final=True)


#: The machine's event for each step of business-cases.yaml.
EVENTS = {
    "clinical_vision": "set_clinical_vision",
    "vision": "approve_vision",
    "gateway": "approve_gateway",
    "proposals": "approve_proposals",
    "full_case": "develop_full_case",
    "approval": "approve",
}


def all_signed_off(case: BusinessCase, *, final: bool = False) -> bool:
    return not missing_sign_offs(case, final=final)


def missing_sign_offs(case: BusinessCase, *, final: bool = False) -> list[str]:
    """The affected organisations yet to sign off (before the committee, or ``final``ly)."""
    signed = set(case.sign_offs.filter(final=final).values_list("organisation_id", flat=True))
    return [o.name for o in case.affected_organisations.all() if o.pk not in signed]


def next_step(case: BusinessCase) -> str | None:
    """The step the case waits for, on its route."""
    order = [
        r["step"] for r in route_rules()["steps"] if case.route in r.get("routes", [case.route])
    ]
    if case.status == CaseStatus.PROPOSED:
        return order[0]
    if case.status in (CaseStatus.SIGNED_OFF, CaseStatus.REFUSED):
        return None
    return order[order.index(case.status) + 1]


def propose(
    title: str,
    route: str,
    *,
    amount_asked: Decimal = Decimal(0),
    delivery_group: Body | None,
    organisations=(),
    user=None,
    at: dt.datetime | None = None,
) -> BusinessCase:
    rules = route_rules()
    if route not in rules["routes"]:
        raise ValidationError(f"{route!r} is not a route: {', '.join(rules['routes'])}.")
    if not rules["routes"][route]["investment"] and amount_asked:
        raise ValidationError("A proposal that needs no investment asks for no amount.")
    if amount_asked < 0:
        raise ValidationError("The amount asked cannot be negative.")
    if not title.strip():
        raise ValidationError("Give the proposal a title.")
    if not organisations:
        raise ValidationError(
            "Name the organisations the case affects: they sign it off before the Investment "
            "Committee and give the final sign-off."
        )
    with transaction.atomic():
        case = record(
            BusinessCase(
                title=title, route=route, amount_asked=amount_asked, delivery_group=delivery_group
            ),
            user=user,
            reason="Project proposal recorded",
            at=at,
        )
        case.affected_organisations.set(organisations)
    return case


#: Where the sign-off before the Investment Committee may be given: the full case is developed
#: (or still being developed), not yet before the committee.
SIGN_OFF_BEFORE = {
    CaseStatus.PROPOSED, CaseStatus.CLINICAL_VISION, CaseStatus.VISION, CaseStatus.GATEWAY,
    CaseStatus.PROPOSALS, CaseStatus.FULL_CASE,
}  # fmt: skip


def sign_off_is_final(case: BusinessCase) -> bool:
    """A sign-off recorded now is the final one: the HCE has approved the case."""
    return case.status == CaseStatus.APPROVAL


@transaction.atomic
def sign_off(case, organisation, *, authority: str, signed_on: dt.date, user=None, at=None):
    """An affected organisation's formal sign-off (board, CCG CEC or delegated authority):
    before the Investment Committee while the full case is developed, or the final sign-off
    once the HCE has approved it; the last final sign-off completes the route."""
    final = sign_off_is_final(case)
    if not final and case.status not in SIGN_OFF_BEFORE:
        raise ValidationError(
            f"{case.title} is {case.get_status_display().lower()}: the sign-off before the "
            "Investment Committee is past, and the final sign-off follows the HCE's approval."
        )
    if not case.affected_organisations.filter(pk=organisation.pk).exists():
        raise ValidationError(f"{organisation.name} is not an organisation the case affects.")
    if not authority.strip():
        raise ValidationError("Say whose authority signed it off (board, CCG CEC, delegated).")
    if case.sign_offs.filter(organisation=organisation, final=final).exists():
        raise ValidationError(
            f"{organisation.name} has already given its {'final ' if final else ''}sign-off."
        )
    approved = case.decisions.filter(step="approval").first()
    if final and approved and signed_on < timezone.localdate(approved.decided_at):
        raise ValidationError("The final sign-off comes after the HCE's approval.")
    what = "Final sign-off" if final else "Signed off"
    done = record(
        SignOff(
            case=case,
            organisation=organisation,
            authority=authority.strip(),
            signed_on=signed_on,
            final=final,
        ),
        user=user,
        reason=f"{what} by {organisation.name} ({authority.strip()})",
        at=at,
    )
    if final and all_signed_off(case, final=True):
        _fire(case, "finalise")
        record(case, user=user, reason="Final formal sign-off complete", at=at)
    return done


def deciding_bodies(case: BusinessCase, step: str) -> list[str]:
    """The short names of the bodies that decide the step (DEG: the case's delivery group)."""
    return [
        case.delivery_group.short_name if s == "DEG" and case.delivery_group else s
        for s in step_rule(step)["bodies"]
    ]


def still_to_decide(case: BusinessCase, step: str) -> list[str]:
    """The bodies of the step that have not yet decided it (both, for a joint step)."""
    done = set(case.decisions.filter(step=step).values_list("body__short_name", flat=True))
    return [s for s in deciding_bodies(case, step) if s not in done]


def _check_meeting(
    case: BusinessCase, step: str, meeting: Meeting, item: AgendaItem | None = None
) -> None:
    rule = step_rule(step)
    body = meeting.body
    expected = deciding_bodies(case, step)
    if body.short_name not in expected:
        raise ValidationError(
            f"{rule['label']} is decided by {' and '.join(expected)}, not {body.name}."
        )
    if item is not None and item.meeting_id != meeting.pk:
        raise ValidationError(f"Item {item.number} is not on the agenda of that meeting.")
    quorum = quoracy(meeting, item)
    if not quorum.quorate:
        raise ValidationError(f"{body.name} on {meeting.date:%-d %B %Y}: {quorum.reason}")


def _fire(case: BusinessCase, event: str) -> None:
    try:
        CaseRoute(case).send(event)
    except TransitionNotAllowed:
        missing = missing_sign_offs(case)
        if event in ("evaluate", "refuse") and missing:
            raise ValidationError(
                "The full business case cannot go to the Investment Committee before every "
                f"affected organisation has signed it off: waiting for {', '.join(missing)}."
            ) from None
        waiting = next_step(case)
        label = step_rule(waiting)["label"] if waiting else "nothing (the route is complete)"
        raise ValidationError(f"{case.title} waits for: {label}.") from None


@transaction.atomic
def decide_step(
    case: BusinessCase,
    step: str,
    meeting: Meeting,
    *,
    reason: str,
    item: AgendaItem | None = None,
    user=None,
    at: dt.datetime | None = None,
) -> StepDecision:
    """Record the meeting's body's decision on the step (under an agenda item, when given: its
    quoracy after conflicted members leave); when every body of the step has decided, the case
    moves on. Refused out of order, by the wrong body, twice by one body, or inquorate."""
    if not reason.strip():
        raise ValidationError("Say why (it is kept with the decision).")
    if step == "evaluation":
        raise ValidationError("The Investment Committee evaluates with evaluate_case.")
    if step_rule(step).get("signed_by") == "organisations":
        raise ValidationError(
            f"{step_rule(step)['label']} is each organisation's formal sign-off, not a meeting's."
        )
    if next_step(case) != step:
        waiting = next_step(case)
        raise ValidationError(
            f"{case.title} waits for: {step_rule(waiting)['label'] if waiting else 'nothing'}; "
            f"{step_rule(step)['label'].lower()} cannot be decided now."
        )
    _check_meeting(case, step, meeting, item)
    if case.decisions.filter(step=step, body=meeting.body).exists():
        raise ValidationError(
            f"{meeting.body.name} has already decided: {step_rule(step)['label'].lower()}."
        )
    at = at or timezone.now()
    decision = record(
        StepDecision(
            case=case,
            step=step,
            body=meeting.body,
            meeting=meeting,
            item=item,
            decided_by=user,
            decided_at=at,
            reason=reason.strip(),
        ),
        user=user,
        reason=f"{step_rule(step)['label']}: {reason}",
        at=at,
    )
    needed = len(step_rule(step)["bodies"])
    if case.decisions.filter(step=step).count() >= needed:
        _fire(case, EVENTS[step])
        record(
            case, user=user, reason=f"{step_rule(step)['label']} ({meeting.body.short_name})", at=at
        )
    return decision


@transaction.atomic
def evaluate_case(
    case: BusinessCase,
    meeting: Meeting,
    *,
    scores: dict[str, int],
    outcome: str,
    amount_awarded: Decimal | None = None,
    reason: str,
    item: AgendaItem | None = None,
    user=None,
    at: dt.datetime | None = None,
) -> BusinessCase:
    """The Investment Committee's evaluation: a score for every criterion, the outcome (fund in
    full, in part, later, not) and the amount awarded; only after every sign-off."""
    rules = route_rules()
    if not reason.strip():
        raise ValidationError("Say why (it is kept with the decision).")
    if outcome not in rules["outcomes"]:
        raise ValidationError(f"{outcome!r} is not an outcome: {', '.join(rules['outcomes'])}.")
    criteria = {c["key"]: c for c in rules["criteria"]}
    if set(scores) != set(criteria):
        raise ValidationError(
            f"Score every criterion: {', '.join(c['label'] for c in criteria.values())}."
        )
    for key, value in scores.items():
        if not 0 <= value <= criteria[key]["max"]:
            raise ValidationError(f"{criteria[key]['label']}: score 0 to {criteria[key]['max']}.")
    if next_step(case) != "evaluation":
        waiting = next_step(case)
        raise ValidationError(
            f"{case.title} waits for: {step_rule(waiting)['label'] if waiting else 'nothing'}."
        )
    _check_meeting(case, "evaluation", meeting, item)
    proceeds = rules["outcomes"][outcome]["proceeds"]
    if outcome == "full":
        amount_awarded = case.amount_asked
    elif outcome == "part" and not (amount_awarded and 0 < amount_awarded < case.amount_asked):
        raise ValidationError("Funding in part awards more than nothing and less than asked.")
    elif not proceeds:
        amount_awarded = None
    at = at or timezone.now()
    _fire(case, "evaluate" if proceeds else "refuse")
    case.outcome, case.amount_awarded = outcome, amount_awarded
    label = rules["outcomes"][outcome]["label"]
    record(
        StepDecision(
            case=case,
            step="evaluation",
            body=meeting.body,
            meeting=meeting,
            item=item,
            decided_by=user,
            decided_at=at,
            reason=f"{label}: {reason.strip()}",
        ),
        user=user,
        reason=f"Evaluated: {label}",
        at=at,
    )
    for key, value in scores.items():
        record(
            CriterionScore(case=case, criterion=key, score=value), user=user, reason="Scored", at=at
        )
    return record(case, user=user, reason=f"Investment Committee: {label}", at=at)


def fund_remaining() -> tuple[Decimal, Decimal]:
    """The System Investment Fund's total and what remains after the amounts awarded to cases
    on the fund's route."""
    total = Decimal(str(route_rules()["fund"]["total"]))
    awarded = sum(
        (c.amount_awarded or Decimal(0))
        for c in BusinessCase.objects.filter(route="sif", amount_awarded__isnull=False)
    )
    return total, total - awarded


def pipeline() -> list[dict[str, Any]]:
    """The cases by stage (outline, full, decided) and route, each with its next step."""
    rules = route_rules()
    stage_of = {r["step"]: r["stage"] for r in rules["steps"]}
    rows = []
    for case in BusinessCase.objects.select_related("delivery_group").order_by("pk"):
        step = next_step(case)
        rows.append(
            {
                "case": case,
                "route": rules["routes"][case.route]["label"],
                "stage": stage_of[step] if step else "decided",
                "next": step_rule(step)["label"] if step else case.get_status_display(),
                "waiting_for_funding": step == "evaluation",
            }
        )
    return rows
