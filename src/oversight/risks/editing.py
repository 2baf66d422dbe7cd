"""Raising, changing and reviewing risks, their controls, assurances, gaps and actions, and the
board's appetite. Every function is atomic and records who, when and why."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from oversight.organisations.models import Organisation, System
from oversight.risks.lifecycle import apply_rules, body_at, record, required_reason
from oversight.risks.models import (
    Assessment,
    Assurance,
    Control,
    Gap,
    Risk,
    RiskAction,
    RiskAppetite,
    RiskStatus,
    StrategicObjective,
)
from oversight.risks.register import add_months
from oversight.risks.scoring import scoring_for
from oversight.support.notify import tell

#: Fields a person edits on the risk form (status, level and scores' history go elsewhere).
EDITABLE = (
    "title", "cause", "event", "effect", "objective", "theme", "consequence_domain", "owner",
    "manager", "lead_committee", "inherent_likelihood", "inherent_consequence", "inherent_on",
    "current_likelihood", "current_consequence", "target_likelihood", "target_consequence",
    "target_on", "review_months", "next_review", "principal",
)


def next_reference(system: System) -> str:
    """The next free reference of the system's register: QUE-R001, QUE-R002, ..."""
    prefix = f"{system.code}-R"
    taken = Risk.objects.filter(reference__startswith=prefix).values_list("reference", flat=True)
    numbers = [int(r[len(prefix):]) for r in taken if r[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def check(system: System, values: dict[str, Any]) -> None:
    """Refuse codes the system's scoring does not know and objectives of another system, naming
    the field."""
    scoring = scoring_for(system.code)
    errors: dict[str, str] = {}
    theme = values.get("theme")
    if theme is not None and theme not in scoring.themes:
        errors["theme"] = f"'{theme}' is not a theme (one of {', '.join(scoring.themes)})."
    domain = values.get("consequence_domain")
    if domain is not None and domain not in scoring.domains:
        errors["consequence_domain"] = (
            f"'{domain}' is not a consequence domain (one of {', '.join(scoring.domains)})."
        )
    objective = values.get("objective")
    if objective is not None and objective.system_id != system.pk:
        errors["objective"] = "The objective belongs to another system."
    for which in ("inherent", "current", "target"):
        pair = [values.get(f"{which}_likelihood"), values.get(f"{which}_consequence")]
        if (pair[0] is None) != (pair[1] is None):
            errors[f"{which}_consequence"] = f"Give both the {which} likelihood and consequence."
        for part, v in zip(("likelihood", "consequence"), pair, strict=True):
            if v is not None and not 1 <= v <= 5:
                errors[f"{which}_{part}"] = f"The {which} {part} is 1 to 5."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def raise_risk(
    *,
    user,
    system: System,
    title: str,
    organisations: list[Organisation] | None = None,
    status: str = RiskStatus.OPEN,
    assessed_on: dt.date | None = None,
    reason: str = "Raised on the register.",
    metrics=(),
    **values: Any,
) -> Risk:
    """Put a risk on the system's register (or suggest one: ``status="suggested"``)."""
    if not title.strip():
        raise ValidationError({"title": "Give the risk a title."})
    check(system, values)
    day = assessed_on or timezone.localdate()
    risk = Risk(
        reference=values.pop("reference", None) or next_reference(system),
        system=system,
        title=title.strip(),
        status=status,
        created_by=user if getattr(user, "pk", None) else None,
        **values,
    )
    if risk.current_likelihood:
        risk.current_on = risk.current_on or day
        if risk.inherent_likelihood and not risk.inherent_on:
            risk.inherent_on = day
        if not risk.next_review and status != RiskStatus.SUGGESTED:
            risk.next_review = add_months(day, risk.review_months)
    risk._change_reason = reason[:100]
    risk.full_clean(exclude=["reference"] if risk.reference else None)
    risk.save()
    if organisations:
        risk.organisations.set(organisations)
    if metrics:
        risk.metrics.set(metrics)
    if risk.current_likelihood:
        Assessment.objects.create(
            risk=risk,
            assessed_on=risk.current_on,
            likelihood=risk.current_likelihood,
            consequence=risk.current_consequence,
            note=reason,
            by=risk.created_by,
        )
    record(risk, "suggest" if status == RiskStatus.SUGGESTED else "raise", user, reason,
           target=risk.status)
    if risk.is_live:
        apply_rules(risks=Risk.objects.filter(pk=risk.pk))
        risk.refresh_from_db(fields=["level", "held_by", "escalated_by_rule"])
    return risk


@transaction.atomic
def change_risk(risk: Risk, user, reason: str, *, organisations=None, metrics=None,
                **values: Any) -> list[str]:
    """Change fields of a risk; a new current score is a new assessment (the chart). Returns
    the names of the fields changed."""
    reason = required_reason(reason)
    unknown = set(values) - set(EDITABLE) - {"support_case", "exit_criterion"}
    if unknown:
        raise ValidationError(f"Not editable here: {', '.join(sorted(unknown))}.")
    merged = {f: getattr(risk, f) for f in EDITABLE} | values
    check(risk.system, merged)
    changed = [f for f, v in values.items() if getattr(risk, f) != v]
    rescored = {"current_likelihood", "current_consequence"} & set(changed)
    for f in changed:
        setattr(risk, f, values[f])
    today = timezone.localdate()
    if rescored and risk.current_likelihood:
        risk.current_on = today
    if "lead_committee" in changed:
        # Still held at its level, now up the new lead committee's reporting line.
        risk.held_by = body_at(risk, risk.level, scoring_for(risk.system.code))
        changed.append("held_by")
    risk._change_reason = reason[:100]
    risk.full_clean()
    risk.save(update_fields=[*changed, "current_on"])
    if organisations is not None and set(organisations) != set(risk.organisations.all()):
        risk.organisations.set(organisations)
        changed.append("organisations")
    if metrics is not None and set(metrics) != set(risk.metrics.all()):
        risk.metrics.set(metrics)
        changed.append("metrics")
    if rescored and risk.current_likelihood:
        Assessment.objects.create(
            risk=risk, assessed_on=today, likelihood=risk.current_likelihood,
            consequence=risk.current_consequence, note=reason, by=_user(user),
        )
    if changed:
        record(risk, "change", user, f"{reason} (changed: {', '.join(changed)})")
        if risk.is_live:
            apply_rules(risks=Risk.objects.filter(pk=risk.pk))
            risk.refresh_from_db(fields=["level", "held_by", "escalated_by_rule"])
    return changed


@transaction.atomic
def review_risk(
    risk: Risk, user, *, likelihood: int, consequence: int, note: str,
    reviewed_on: dt.date | None = None,
) -> Assessment:
    """Record a review: the current score as assessed now, the next review date from the
    review frequency, and the escalation rules applied to the new score."""
    note = required_reason(note)
    if not risk.is_live:
        raise ValidationError("Only an open or tolerated risk is reviewed.")
    check(risk.system, {"current_likelihood": likelihood, "current_consequence": consequence})
    day = reviewed_on or timezone.localdate()
    previous = risk.current_score
    risk.current_likelihood, risk.current_consequence = likelihood, consequence
    risk.current_on = day
    risk.last_reviewed_on = day
    risk.next_review = add_months(day, risk.review_months)
    risk._change_reason = f"review: {note}"[:100]
    risk.save(update_fields=[
        "current_likelihood", "current_consequence", "current_on", "last_reviewed_on",
        "next_review",
    ])
    assessment = Assessment.objects.create(
        risk=risk, assessed_on=day, likelihood=likelihood, consequence=consequence, note=note,
        by=_user(user),
    )
    moved = (
        "unchanged" if previous == assessment.score
        else f"{previous or 'none'} -> {assessment.score}"
    )
    record(risk, "review", user, f"Reviewed: score {moved}. {note}",
           source=str(previous or ""), target=str(assessment.score))
    apply_rules(day, risks=Risk.objects.filter(pk=risk.pk))
    risk.refresh_from_db(fields=["level", "held_by", "escalated_by_rule"])
    return assessment


def _user(user):
    return user if getattr(user, "pk", None) else None


@transaction.atomic
def add_control(risk: Risk, user, description: str, owner: str = "") -> Control:
    if not description.strip():
        raise ValidationError({"description": "Describe the control."})
    control = Control(risk=risk, description=description.strip(), owner=owner.strip())
    control._change_reason = "Control added"
    control.save()
    record(risk, "control", user, f"Control added: {control.description[:200]}")
    return control


@transaction.atomic
def add_assurance(
    risk: Risk, user, *, line: str, source: str, description: str,
    dated: dt.date | None = None, outcome: str = Assurance.Outcome.POSITIVE,
    control: Control | None = None,
) -> Assurance:
    lines = scoring_for(risk.system.code).assurance_lines
    if line not in lines:
        known = ", ".join(lines)
        raise ValidationError({"line": f"'{line}' is not a line of assurance ({known})."})
    if not source.strip() or not description.strip():
        raise ValidationError({"description": "Name the source and describe the assurance."})
    if control is not None and control.risk_id != risk.pk:
        raise ValidationError({"control": "The control belongs to another risk."})
    assurance = Assurance(
        risk=risk, line=line, source=source.strip(), description=description.strip(),
        dated=dated, outcome=outcome, control=control,
    )
    assurance._change_reason = "Assurance added"
    assurance.save()
    record(risk, "assurance", user,
           f"Assurance added ({lines[line].name}, {assurance.source}): {description[:150]}")
    return assurance


@transaction.atomic
def add_gap(risk: Risk, user, *, kind: str, description: str) -> Gap:
    if kind not in Gap.Kind.values:
        raise ValidationError({"kind": "A gap is in control or in assurance."})
    if not description.strip():
        raise ValidationError({"description": "Describe the gap."})
    gap = Gap(risk=risk, kind=kind, description=description.strip())
    gap._change_reason = "Gap added"
    gap.save()
    record(risk, "gap", user, f"{gap.get_kind_display()} recorded: {gap.description[:200]}")
    return gap


@transaction.atomic
def add_action(
    risk: Risk, user, *, title: str, owner, due: dt.date, gap: Gap | None = None
) -> RiskAction:
    """An action to close a gap; its owner is told."""
    if not title.strip():
        raise ValidationError({"title": "Give the action a title."})
    if gap is not None and gap.risk_id != risk.pk:
        raise ValidationError({"gap": "The gap belongs to another risk."})
    action = RiskAction(risk=risk, gap=gap, title=title.strip(), owner=owner, due=due)
    action._change_reason = "Action added"
    action.save()
    record(risk, "action", user, f"Action added: {action.title} (due {due:%d %B %Y})",
           action=action, target=action.status)
    tell(
        [owner],
        f"Risk action for you: {action.title}",
        f"For risk {risk.reference} ({risk.title}), due {due:%d %B %Y}.",
        link=risk.get_absolute_url(),
    )
    return action


@transaction.atomic
def set_board_assurance(risk: Risk, user, level: str, reason: str,
                        on: dt.date | None = None) -> None:
    """Record the level of assurance the board takes on a principal risk."""
    levels = scoring_for(risk.system.code).assurance_levels
    if level not in levels:
        raise ValidationError({"level": f"'{level}' is not a level of assurance."})
    reason = required_reason(reason)
    source = risk.board_assurance
    risk.board_assurance = level
    risk.board_assurance_on = on or timezone.localdate()
    risk.principal = True
    risk._change_reason = f"board assurance: {reason}"[:100]
    risk.save(update_fields=["board_assurance", "board_assurance_on", "principal"])
    record(risk, "board_assurance", user, f"Board assurance {levels[level].name}: {reason}",
           source=source, target=level)


@transaction.atomic
def set_appetite(
    *, user, system: System, level: str, reason: str,
    objective: StrategicObjective | None = None, domain: str = "", statement: str = "",
    approved_on: dt.date | None = None, approved_by: str = "",
) -> RiskAppetite:
    """Record the appetite for an objective (or consequence domain) as the board approved it
    (``approved_on``; without it the appetite is a draft that does not count)."""
    scoring = scoring_for(system.code)
    if level not in scoring.appetite:
        raise ValidationError({"level": f"'{level}' is not an appetite level."})
    if (objective is None) == (not domain):
        raise ValidationError("Give an objective or a consequence domain.")
    if domain and domain not in scoring.domains:
        raise ValidationError({"domain": f"'{domain}' is not a consequence domain."})
    if objective is not None and objective.system_id != system.pk:
        raise ValidationError({"objective": "The objective belongs to another system."})
    if approved_on and not approved_by.strip():
        raise ValidationError({"approved_by": "Name the body that approved it."})
    reason = required_reason(reason)
    found = RiskAppetite.objects.filter(system=system, objective=objective, domain=domain).first()
    appetite = found or RiskAppetite(system=system, objective=objective, domain=domain)
    appetite.level, appetite.statement = level, statement.strip()
    appetite.approved_on, appetite.approved_by = approved_on, approved_by.strip()
    appetite.recorded_by = _user(user)
    appetite._change_reason = reason[:100]
    appetite.save()
    # Risks of this objective may now be inside or outside appetite.
    scope = Risk.objects.filter(system=system)
    scope = scope.filter(objective=objective) if objective else scope.filter(
        consequence_domain=domain)
    apply_rules(risks=scope.filter(status__in=[RiskStatus.OPEN, RiskStatus.TOLERATED]))
    return appetite


def latest_assessment_date(risk: Risk) -> dt.date | None:
    return risk.assessments.aggregate(d=Max("assessed_on"))["d"]
