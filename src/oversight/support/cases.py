"""Opening, running and ending support cases; the Recovery Support Programme's steps and exit.

Every function is atomic: it changes everything it says or nothing. Status changes go through
``oversight.support.lifecycle.fire`` (recorded with who, when and why).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from oversight.organisations.models import Organisation, System
from oversight.organisations.subjects import subject_keys
from oversight.segmentation.decisions import record_decision
from oversight.segmentation.models import Decision
from oversight.support.lifecycle import fire, record, required_reason
from oversight.support.models import (
    CaseKind,
    CaseStatus,
    ExitCriterion,
    Milestone,
    PackageItem,
    RecoverySupport,
    SupportCase,
    Transition,
)
from oversight.support.notify import case_owners, tell
from oversight.support.offers import SegmentSupport, support_offers
from oversight.support.progress import progress_of

log = logging.getLogger(__name__)


def open_case_of(subject: Organisation | System) -> SupportCase | None:
    return (
        SupportCase.objects.filter(**subject_keys(subject))
        .exclude(status=CaseStatus.CLOSED)
        .first()
    )


def _segment_support(framework_code: str, segment: int) -> SegmentSupport | None:
    offers = support_offers(framework_code)
    return offers.for_segment(segment) if offers else None


def open_for_decision(decision: Decision) -> SupportCase | None:
    """React to a new segment decision: open, keep or end the subject's support case.

    - a segment whose case opens automatically (3 and 4 in 2021/22) opens that case unless one
      of the same kind is already open (idempotent); an open case of another kind is superseded,
      except an RSP case, which ends only by exit (its owners are told instead);
    - a segment without automatic support ends an open mandated case (and a targeted case
      when the new segment offers none).
    Returns the subject's open case afterwards.
    """
    seg = _segment_support(decision.framework.code, decision.segment)
    subject = decision.organisation or decision.system
    if seg is None:
        log.info("no support offers for %s segment %s", decision.framework.code, decision.segment)
        return open_case_of(subject)
    who = decision.decided_by
    why = (
        f"Segment {decision.segment} decision for {decision.quarter} "
        f"(decision {decision.pk}, {decision.framework.code})."
    )
    with transaction.atomic():
        current = (
            SupportCase.objects.select_for_update()
            .filter(**subject_keys(subject))
            .exclude(status=CaseStatus.CLOSED)
            .first()
        )
        if seg.opens_automatically:
            if current is not None and current.kind == seg.case_kind:
                return current
            if current is not None and current.kind == CaseKind.RSP:
                _tell_owners(
                    current,
                    f"Decision places {subject.name} in segment "
                    f"{decision.segment} while its RSP case is open",
                    f"{why} The Recovery Support Programme case stays open: it ends by "
                    "exit, once every exit criterion is met.",
                )
                return current
            if current is not None:
                fire(
                    current, "supersede", who, f"{why} {seg.case_kind.upper()} support replaces it."
                )
            return _open(subject, decision, seg, follows=current)
        if current is not None and (
            current.kind == CaseKind.MANDATED
            or (current.kind == CaseKind.TARGETED and seg.case_kind != CaseKind.TARGETED)
        ):
            fire(
                current,
                "close",
                who,
                f"{why} The segment brings no {current.get_kind_display().lower()}.",
            )
            _tell_owners(
                current,
                f"Support case closed: {subject.name}",
                f"{why} The {current.get_kind_display().lower()} case has closed.",
            )
            return None
        if current is not None and current.kind == CaseKind.RSP:
            _tell_owners(
                current,
                f"Decision places {subject.name} in segment "
                f"{decision.segment} while its RSP case is open",
                f"{why} The RSP case stays open until exit.",
            )
        return current


def _open(
    subject: Organisation | System,
    decision: Decision | None,
    seg: SegmentSupport,
    *,
    follows: SupportCase | None,
    kind: str | None = None,
    user=None,
    framework=None,
    summary: str = "",
) -> SupportCase:
    if follows is None:
        follows = (
            SupportCase.objects.filter(closed_at__isnull=False, **subject_keys(subject))
            .order_by("-closed_at")
            .first()
        )
    req = seg.requirements
    try:
        with transaction.atomic():
            case = SupportCase.objects.create(
                framework=decision.framework if decision else framework,
                segment=seg.segment,
                decision=decision,
                kind=kind or seg.case_kind,
                summary=summary or seg.summary,
                delivered_by=seg.delivered_by,
                enhanced_monitoring=req.enhanced_monitoring,
                extra_reporting=req.extra_reporting,
                financial_controls=req.financial_controls,
                advisory_senior_appointments=req.advisory_senior_appointments,
                follows=follows,
                **subject_keys(subject),
            )
    except IntegrityError as exc:
        raise ValidationError(f"{subject.name} already has an open support case.") from exc
    PackageItem.objects.bulk_create(
        PackageItem(case=case, code=o.code, name=o.name, provider=seg.delivered_by)
        for o in seg.offers
    )
    if case.kind == CaseKind.RSP:
        RecoverySupport.objects.create(case=case)
    by = decision.decided_by if decision else user
    reason = (
        f"Opened by the segment {seg.segment} decision for {decision.quarter} "
        f"(decision {decision.pk})."
        if decision
        else summary or "Opened by hand."
    )
    if follows is not None:
        reason += f" Follows case {follows.pk} ({follows.get_kind_display()})."
    Transition.objects.create(
        case=case, event="open", source="", target=case.status, by=by, reason=reason
    )
    _tell_owners(
        case, f"{case.get_kind_display()} case opened: {subject.name}", f"{reason}\n\n{seg.summary}"
    )
    return case


def open_targeted_case(
    subject: Organisation | System, framework, segment: int, user, summary: str
) -> SupportCase:
    """Open a targeted support case by hand (segment 2's offers are not mandated)."""
    seg = _segment_support(framework.code, segment)
    if seg is None or seg.case_kind != CaseKind.TARGETED:
        raise ValidationError(
            {"segment": f"Segment {segment} of {framework.code} offers no targeted support case."}
        )
    if not summary.strip():
        raise ValidationError({"summary": "Say what the targeted support addresses."})
    with transaction.atomic():
        if open_case_of(subject) is not None:
            raise ValidationError(f"{subject.name} already has an open support case.")
        return _open(
            subject,
            None,
            seg,
            follows=None,
            user=user,
            framework=framework,
            summary=summary.strip(),
        )


def _tell_owners(case: SupportCase, subject: str, body: str) -> None:
    tell(case_owners(case), subject, body, link=case.get_absolute_url(), case=case)


# ------------------------------------------------------------------ Recovery Support Programme


def _rsp(case: SupportCase) -> RecoverySupport:
    if case.kind != CaseKind.RSP:
        raise ValidationError("This is not a Recovery Support Programme case.")
    if not case.is_open:
        raise ValidationError("The case is closed.")
    return case.rsp


def appoint_sid(
    case: SupportCase,
    user,
    *,
    sid_name: str,
    system_agreed_by: str,
    system_agreed_on: dt.date,
    region_agreed_by: str,
    region_agreed_on: dt.date,
    national_agreed_by: str,
    national_agreed_on: dt.date,
) -> RecoverySupport:
    """Record the system improvement director and who agreed for system, region and nation."""
    rsp = _rsp(case)
    values = {
        "sid_name": sid_name,
        "system_agreed_by": system_agreed_by,
        "region_agreed_by": region_agreed_by,
        "national_agreed_by": national_agreed_by,
    }
    missing = [k for k, v in values.items() if not (v or "").strip()]
    if missing or not (system_agreed_on and region_agreed_on and national_agreed_on):
        raise ValidationError(
            "A system improvement director is appointed jointly: give the "
            "director and who agreed, and when, for the system, the region "
            "and the national team."
        )
    with transaction.atomic():
        for k, v in values.items():
            setattr(rsp, k, v.strip())
        rsp.system_agreed_on, rsp.region_agreed_on = system_agreed_on, region_agreed_on
        rsp.national_agreed_on = national_agreed_on
        rsp.save()
        if case.status == CaseStatus.OPEN:
            fire(
                case,
                "start",
                user,
                f"System improvement director {rsp.sid_name} appointed "
                f"(agreed by system, region and national team by {rsp.sid_appointed_on}).",
            )
    return rsp


def record_stocktake(
    case: SupportCase, user, *, root_causes: str, partners_involved: str, stocktake_on: dt.date
) -> RecoverySupport:
    rsp = _rsp(case)
    if not root_causes.strip() or not partners_involved.strip() or not stocktake_on:
        raise ValidationError(
            "The diagnostic stocktake needs its root causes, the partners involved and its date."
        )
    rsp.root_causes, rsp.partners_involved = root_causes.strip(), partners_involved.strip()
    rsp.stocktake_on = stocktake_on
    rsp.save()
    return rsp


def _changes(stored, values: dict[str, object]) -> dict[str, tuple[object, object]]:
    """The fields of ``values`` that differ from the stored row: field -> (before, after)."""
    return {f: (getattr(stored, f), v) for f, v in values.items() if getattr(stored, f) != v}


def _describe(changes: dict[str, tuple[object, object]]) -> str:
    def show(value: object) -> str:
        if value is None or value == "":
            return "none"
        return f"{value:%-d %b %Y}" if isinstance(value, dt.date) else str(value)

    return "; ".join(
        f"{field.replace('_', ' ')} {show(before)} → {show(after)}"
        for field, (before, after) in changes.items()
    )


def _recorded(case: SupportCase, event: str, user, changed, note: str) -> None:
    """Keep a change to a milestone or criterion (``changed``, saved or deleted next) in the
    case's History with the whole note, and as its version history's change reason, shortened
    to fit that column (django-simple-history's, 100 characters; PostgreSQL refuses longer)."""
    record(case, event, user, note)
    limit = changed.history.model._meta.get_field("history_change_reason").max_length
    changed._change_reason = note if len(note) <= limit else note[: limit - 1] + "…"


def _milestone_values(
    *, title: str, due: dt.date | None, achieved_on: dt.date | None, evidence: str
) -> dict[str, object]:
    title, evidence = (title or "").strip(), (evidence or "").strip()
    errors = {}
    if not title:
        errors["title"] = "Give the milestone a title."
    if not due:
        errors["due"] = "Give the date the milestone is due."
    if achieved_on and not evidence:
        errors["evidence"] = "Give the evidence that the milestone was achieved."
    if evidence and not achieved_on:
        errors["achieved_on"] = "Give the date the milestone was achieved."
    elif achieved_on and achieved_on > timezone.localdate():
        errors["achieved_on"] = "A milestone is achieved on a date that has come."
    if errors:
        raise ValidationError(errors)
    return {"title": title, "due": due, "achieved_on": achieved_on, "evidence": evidence}


def add_milestone(
    case: SupportCase,
    user,
    *,
    title: str,
    due: dt.date,
    achieved_on: dt.date | None = None,
    evidence: str = "",
) -> Milestone:
    """A milestone of the improvement plan (achieved already when given a date and evidence)."""
    rsp = _rsp(case)
    values = _milestone_values(title=title, due=due, achieved_on=achieved_on, evidence=evidence)
    return Milestone.objects.create(rsp=rsp, **values)


def change_milestone(
    milestone: Milestone,
    user,
    *,
    title: str,
    due: dt.date,
    achieved_on: dt.date | None,
    evidence: str,
    reason: str = "",
) -> Milestone:
    """Record a milestone as achieved (date and evidence), or change it. Recording the
    achievement is its own reason; any other change (title, due date, an achievement
    corrected or withdrawn) needs one. Kept in the case's history with who and when."""
    case = milestone.rsp.case
    _rsp(case)
    values = _milestone_values(title=title, due=due, achieved_on=achieved_on, evidence=evidence)
    reason = (reason or "").strip()
    with transaction.atomic():
        stored = Milestone.objects.select_for_update().get(pk=milestone.pk)
        changes = _changes(stored, values)
        if not changes:
            return stored
        achieved = stored.achieved_on is None and values["achieved_on"] is not None
        if achieved and set(changes) <= {"achieved_on", "evidence"}:
            note = (
                f"Milestone '{stored.title}' achieved on {achieved_on:%-d %b %Y}: "
                f"{values['evidence']}"
            )
            note += f" {reason}" if reason else ""
        elif not reason:
            raise ValidationError(
                {"reason": "Say why the milestone changes (it is kept with the change)."}
            )
        else:
            note = f"Milestone '{stored.title}' changed ({_describe(changes)}): {reason}"
        for field, value in values.items():
            setattr(stored, field, value)
        _recorded(case, "milestone", user, stored, note)
        stored.save()
    return stored


CRITERION_DEFINITION = ("description", "metric", "direction", "threshold", "cqc_rating")


def criterion_definition(
    *,
    description: str,
    metric=None,
    direction: str = "",
    threshold: float | None = None,
    cqc_rating: str = "",
) -> dict[str, object]:
    """An exit criterion's definition, checked: a metric needs a direction and a threshold,
    and a criterion is linked to a metric or a CQC rating, not both."""
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": "Describe the exit criterion."})
    if metric and (threshold is None or not direction):
        raise ValidationError("A criterion linked to a metric needs a direction and a threshold.")
    if metric and cqc_rating:
        raise ValidationError("Link a criterion to a metric or a CQC rating, not both.")
    if not metric:
        direction, threshold = "", None
    return {
        "description": description,
        "metric": metric or None,
        "direction": direction or "",
        "threshold": threshold,
        "cqc_rating": cqc_rating or "",
    }


def add_criterion(case: SupportCase, user, **definition) -> ExitCriterion:
    rsp = _rsp(case)
    return ExitCriterion.objects.create(rsp=rsp, **criterion_definition(**definition))


def change_criterion(criterion: ExitCriterion, user, *, reason: str, **definition) -> ExitCriterion:
    """Change an exit criterion's definition, with a reason kept in the case's history. A
    judgement made against the old definition is cleared: judge it again."""
    case = criterion.rsp.case
    _rsp(case)
    values = criterion_definition(**definition)
    with transaction.atomic():
        stored = ExitCriterion.objects.select_for_update().get(pk=criterion.pk)
        changes = _changes(stored, values)
        if not changes:
            return stored
        reason = required_reason(reason)
        note = f"Exit criterion '{stored.description}' changed ({_describe(changes)}): {reason}"
        if stored.met is not None:
            note += " Its judgement is cleared: judge it again against the new definition."
            stored.met, stored.judged_by, stored.judged_at = None, None, None
        for field, value in values.items():
            setattr(stored, field, value)
        _recorded(case, "criterion_changed", user, stored, note)
        stored.save()
    return stored


def remove_criterion(criterion: ExitCriterion, user, *, reason: str) -> None:
    """Remove an exit criterion that is not met, with a reason kept in the case's history."""
    case = criterion.rsp.case
    _rsp(case)
    reason = required_reason(reason)
    if criterion.met is True:
        raise ValidationError(
            "A met exit criterion cannot be removed: judge it not met first, saying why."
        )
    with transaction.atomic():
        note = f"Exit criterion '{criterion.description}' removed: {reason}"
        _recorded(case, "criterion_removed", user, criterion, note)
        criterion.delete()


def judge_criterion(criterion: ExitCriterion, user, *, met: bool, evidence: str) -> ExitCriterion:
    """Record whether an exit criterion is met, on what evidence, by whom and when; the
    judgement joins the case's history (a criterion judged not met blocks exit, so that needs
    its evidence as much as met does)."""
    case = criterion.rsp.case
    _rsp(case)
    evidence = (evidence or "").strip()
    if not evidence:
        verdict = "is met" if met else "is not met"
        raise ValidationError({"evidence": f"Give the evidence that the criterion {verdict}."})
    figure = progress_of(criterion)  # what everyone sees: published figures
    against = ""
    if figure.reached is (not met):  # the judgement goes against the linked figure: say so
        against = (f" (although the latest figure, {figure.latest}, "
                   f"{'does not reach' if met else 'reaches'} the threshold)")
    with transaction.atomic():
        criterion.met, criterion.evidence = met, evidence
        criterion.judged_by, criterion.judged_at = user, timezone.now()
        note = (f"Exit criterion '{criterion.description}' judged {'met' if met else 'not met'}"
                f"{against}: {evidence}")
        _recorded(case, "criterion_judged", user, criterion, note)
        criterion.save()
    return criterion


def _cqc_recommendation(recommended_on: dt.date | None, reference: str, what: str) -> str:
    if not recommended_on or not (reference or "").strip():
        raise ValidationError(f"Give the date and reference of CQC's recommendation {what}.")
    return reference.strip()


def record_cqc_entry(
    case: SupportCase, user, *, recommended_on: dt.date, reference: str
) -> RecoverySupport:
    """Record that entry to the RSP followed CQC's recommendation, so exit needs CQC's
    recommendation too. Once recorded it stays: nothing unsets it, so whoever exits the case
    cannot remove the condition. Who and when are kept in the case's history."""
    rsp = _rsp(case)
    reference = _cqc_recommendation(recommended_on, reference, "to enter")
    if rsp.entry_on_cqc_recommendation:
        raise ValidationError(
            "Entry on CQC's recommendation is already recorded; it cannot be changed."
        )
    with transaction.atomic():
        rsp.entry_on_cqc_recommendation = True
        rsp.cqc_entry_recommended_on, rsp.cqc_entry_reference = recommended_on, reference
        rsp.save()
        record(
            case,
            "cqc_entry",
            user,
            f"Entry followed CQC's recommendation of {recommended_on:%-d %B %Y} ({reference}): "
            "exit needs CQC's recommendation to exit.",
        )
    return rsp


def record_cqc_exit_recommendation(
    case: SupportCase, user, *, recommended_on: dt.date, reference: str
) -> RecoverySupport:
    rsp = _rsp(case)
    reference = _cqc_recommendation(recommended_on, reference, "to exit")
    rsp.cqc_exit_recommended_on, rsp.cqc_exit_reference = recommended_on, reference
    rsp.save()
    return rsp


def exit_blockers(case: SupportCase) -> list[str]:
    """Why the case cannot exit the RSP yet (empty when it can)."""
    if case.kind != CaseKind.RSP:
        return ["Only a Recovery Support Programme case exits."]
    if not case.is_open:
        return ["The case is closed."]
    rsp = case.rsp
    out = []
    if not rsp.sid_appointed:
        out.append("No system improvement director has been appointed.")
    if not rsp.stocktake_done:
        out.append("The diagnostic stocktake has not been recorded.")
    criteria = list(rsp.criteria.all())
    if not criteria:
        out.append("No exit criteria have been agreed.")
    out += [f"Exit criterion not met: {c.description}" for c in criteria if c.met is not True]
    if rsp.entry_on_cqc_recommendation and not rsp.cqc_exit_recommended_on:
        out.append("Entry followed a CQC recommendation: CQC's recommendation to exit is needed.")
    return out


def exit_rsp(case: SupportCase, user, *, reason: str, quarter: str | None = None) -> Decision:
    """End the RSP: every criterion met (and CQC's recommendation where needed), then record
    the decision that moves the subject to the framework's transitional segment."""
    from oversight.engine.periods import financial_quarter

    blockers = exit_blockers(case)
    if blockers:
        raise ValidationError(blockers)
    offers = support_offers(case.framework.code)
    if offers is None:
        raise ValidationError(
            f"{case.framework.code} has no support.yaml: no transitional segment is defined."
        )
    target = offers.rsp.exit_segment
    with transaction.atomic():
        fire(case, "exit", user, reason)
        decision = record_decision(
            user=user,
            framework=case.framework,
            subject=case.subject,
            quarter=quarter or financial_quarter(timezone.localdate()),
            segment=target,
            rationale=f"Exit from the Recovery Support Programme (case {case.pk}): every exit "
            f"criterion met. {reason.strip()}",
        )
        case.rsp.exit_decision = decision
        case.rsp.save(update_fields=["exit_decision"])
        _tell_owners(
            case,
            f"Recovery Support Programme exit: {case.subject_name}",
            f"{case.subject_name} has exited the Recovery Support Programme and moves "
            f"to segment {target} (decision {decision.pk}). {reason.strip()}",
        )
    return decision
