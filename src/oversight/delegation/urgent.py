"""Urgent decisions (seed 003 §9.12): taken by the chair of the Health and Care Executive only
once the chair, chief executive and director of finance of each partner have been consulted
(``urgent-decisions.yaml``), then reported to each partner for formal ratification at its next
available meeting, tracked until ratified and overdue when that meeting passed without it."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from oversight.governance.history import record

from .models import Consultation, Ratification, UrgentDecision

RULES_FILE = Path(__file__).with_name("urgent-decisions.yaml")


@lru_cache
def urgent_rules() -> dict[str, Any]:
    return yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))


def roles() -> dict[str, str]:
    return {c["role"]: c["label"] for c in urgent_rules()["consult"]}


def propose_urgent(title: str, decision: str, reason: str, partners, *, user=None, at=None):
    if not (title.strip() and decision.strip() and reason.strip()):
        raise ValidationError(
            "An urgent decision needs a title, the decision and why it is urgent."
        )
    if not partners:
        raise ValidationError("Name the partner organisations to consult.")
    with transaction.atomic():
        urgent = record(
            UrgentDecision(title=title, decision=decision, reason=reason),
            user=user,
            reason="Urgent decision proposed",
            at=at,
        )
        urgent.partners.set(partners)
    return urgent


def consult(
    urgent, organisation, role: str, person: str, consulted_on: dt.date, *, user=None, at=None
):
    if role not in roles():
        raise ValidationError(f"{role!r}: consult the {', '.join(roles().values())}.")
    if not urgent.partners.filter(pk=organisation.pk).exists():
        raise ValidationError(f"{organisation.name} is not a partner to this decision.")
    if urgent.taken_on is not None:
        raise ValidationError("The decision is taken: consultation comes before it.")
    if not person.strip():
        raise ValidationError("Name the person consulted.")
    return record(
        Consultation(
            urgent=urgent,
            organisation=organisation,
            role=role,
            person=person,
            consulted_on=consulted_on,
        ),
        user=user,
        reason=f"{roles()[role]} of {organisation.name} consulted",
        at=at,
    )


def not_consulted(urgent: UrgentDecision) -> list[str]:
    done = set(urgent.consultations.values_list("organisation_id", "role"))
    return [
        f"{label} of {o.name}"
        for o in urgent.partners.all()
        for role, label in roles().items()
        if (o.pk, role) not in done
    ]


def take(urgent: UrgentDecision, taken_on: dt.date, *, user=None, at=None) -> UrgentDecision:
    """The chair takes the decision: refused until every partner's consultees were consulted."""
    if urgent.taken_on is not None:
        raise ValidationError(f"The decision was taken on {urgent.taken_on:%-d %B %Y}.")
    missing = not_consulted(urgent)
    if missing:
        raise ValidationError(f"Not yet consulted: {', '.join(missing)}.")
    urgent.taken_on, urgent.taken_by = taken_on, urgent_rules()["taken_by"]
    return record(urgent, user=user, reason="Urgent decision taken", at=at)


def report_for_ratification(
    urgent, organisation, meeting_on: dt.date, forum: str, *, user=None, at=None
):
    """Report the decision to a partner for ratification at its next available meeting."""
    if urgent.taken_on is None:
        raise ValidationError("Only a decision taken is reported for ratification.")
    if not urgent.partners.filter(pk=organisation.pk).exists():
        raise ValidationError(f"{organisation.name} is not a partner to this decision.")
    if meeting_on < urgent.taken_on:
        raise ValidationError(
            "The partner's next meeting must be on or after the day the decision was taken."
        )
    return record(
        Ratification(urgent=urgent, organisation=organisation, meeting_on=meeting_on, forum=forum),
        user=user,
        reason=f"Reported to {organisation.name} for ratification",
        at=at,
    )


def ratify(ratification: Ratification, ratified_on: dt.date, *, user=None, at=None):
    if ratification.ratified_on is not None:
        raise ValidationError("Already ratified.")
    if ratified_on < ratification.urgent.taken_on:
        raise ValidationError("Ratification comes after the decision.")
    ratification.ratified_on = ratified_on
    return record(
        ratification, user=user, reason=f"Ratified by {ratification.organisation.name}", at=at
    )


def status(urgent: UrgentDecision, today: dt.date) -> dict[str, Any]:
    """Where the decision stands: who is still to be consulted, each partner's ratification
    (ratified, awaiting, overdue, not yet reported)."""
    by_org = {r.organisation_id: r for r in urgent.ratifications.select_related("organisation")}
    partners = []
    for o in urgent.partners.all():
        r = by_org.get(o.pk)
        state = (
            "not reported"
            if r is None
            else "ratified"
            if r.ratified_on
            else "overdue"
            if r.overdue(today)
            else "awaiting"
        )
        partners.append({"organisation": o, "ratification": r, "state": state})
    return {"not_consulted": not_consulted(urgent), "partners": partners}
