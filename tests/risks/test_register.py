"""Raising, reviewing and escalating risks: appetite, rules, review dates, history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from oversight.risks.editing import change_risk, raise_risk, review_risk, set_appetite
from oversight.risks.lifecycle import apply_rules, escalate, fire
from oversight.risks.models import Risk, RiskEvent
from oversight.risks.register import add_months, assess_one, with_related


def _risk(world, score=(3, 3), **kw) -> Risk:
    kw.setdefault("objective", world.finance)
    return raise_risk(
        user=world.icb,
        system=world.system,
        title=kw.pop("title", "Financial plan not delivered"),
        theme=kw.pop("theme", "finance"),
        consequence_domain=kw.pop("consequence_domain", "finance"),
        owner=kw.pop("owner", world.icb),
        current_likelihood=score[0],
        current_consequence=score[1],
        assessed_on=kw.pop("assessed_on", dt.date(2024, 6, 3)),
        **kw,
    )


def _fresh(risk: Risk):
    return assess_one(with_related(Risk.objects.filter(pk=risk.pk)).get(), dt.date(2024, 7, 1))


def test_references_count_up_per_system(world):
    assert _risk(world).reference == "QUE-R001"
    assert _risk(world).reference == "QUE-R002"


def test_unknown_theme_and_domain_named(world):
    with pytest.raises(ValidationError) as exc:
        _risk(world, theme="weather", consequence_domain="luck")
    assert "'weather' is not a theme" in str(exc.value.message_dict["theme"])
    assert "consequence_domain" in exc.value.message_dict


def test_outside_appetite_only_once_the_board_approved_it(world):
    risk = _risk(world, score=(3, 4))  # 12
    set_appetite(user=world.icb, system=world.system, objective=world.finance, level="cautious",
                 reason="Draft for the board")
    assert not _fresh(risk).outside_appetite  # a draft does not count
    set_appetite(user=world.icb, system=world.system, objective=world.finance, level="cautious",
                 reason="Approved", approved_on=dt.date(2024, 6, 27), approved_by="ICB board")
    seen = _fresh(risk)
    assert seen.appetite_level.code == "cautious"
    assert seen.outside_appetite  # 12 > 10, the top of cautious
    # ... and the rule held it at the executive
    risk.refresh_from_db()
    assert risk.level == "executive"
    assert risk.escalated_by_rule


def test_within_appetite(world):
    set_appetite(user=world.icb, system=world.system, objective=world.finance, level="open",
                 reason="Approved", approved_on=dt.date(2024, 6, 27), approved_by="ICB board")
    risk = _risk(world, score=(3, 4))  # 12 <= 12
    assert not _fresh(risk).outside_appetite
    assert risk.level == "group"


def test_domain_appetite_applies_without_an_objective(world):
    set_appetite(user=world.icb, system=world.system, domain="safety", level="averse",
                 reason="Approved", approved_on=dt.date(2024, 6, 27), approved_by="ICB board")
    risk = _risk(world, score=(2, 2), objective=None, consequence_domain="safety", theme="quality")
    assert _fresh(risk).outside_appetite  # 4 > 3


def test_score_of_15_escalates_to_the_board_by_rule(world):
    from oversight.support.models import Notification

    risk = _risk(world, score=(3, 5))
    risk.refresh_from_db()
    assert risk.level == "board"
    event = RiskEvent.objects.get(risk=risk, event="escalate")
    assert event.by is None
    assert "Current score of 15 or more" in event.reason
    told = Notification.objects.get(recipient=world.icb)  # the owner
    assert told.subject == f"Risk {risk.reference} escalated to board"
    assert told.link == risk.get_absolute_url()


def test_review_lowers_the_score_and_the_rule_de_escalates(world):
    risk = _risk(world, score=(4, 4))
    assert Risk.objects.get(pk=risk.pk).level == "board"
    review_risk(risk, world.icb, likelihood=2, consequence=4, note="Recovery plan agreed",
                reviewed_on=dt.date(2024, 7, 15))
    risk.refresh_from_db()
    assert risk.current_score == 8
    assert risk.level == "group"
    assert risk.next_review == dt.date(2024, 10, 15)  # quarterly
    assert RiskEvent.objects.filter(risk=risk, event="de_escalate", by=None).exists()
    seen = assess_one(with_related(Risk.objects.filter(pk=risk.pk)).get(), dt.date(2024, 7, 16))
    assert seen.trend == "down"
    assert seen.previous_score == 16


def test_a_meetings_decision_is_not_undone_by_rules(world):
    risk = _risk(world, score=(2, 3))
    escalate(risk, "board", world.icb, "Executive asks the board to oversee it")
    assert apply_rules() == []
    risk.refresh_from_db()
    assert risk.level == "board" and not risk.escalated_by_rule


def test_apply_rules_is_idempotent(world):
    _risk(world, score=(5, 4))
    assert apply_rules() == []


def test_review_overdue(world):
    risk = _risk(world, assessed_on=dt.date(2024, 1, 10))
    assert risk.next_review == dt.date(2024, 4, 10)
    assert risk.review_overdue(dt.date(2024, 4, 11))
    assert not risk.review_overdue(dt.date(2024, 4, 10))
    fire(risk, "close", world.icb, "Plan delivered")
    assert not risk.review_overdue(dt.date(2024, 4, 11))  # a closed risk is not reviewed


@pytest.mark.parametrize(
    "day,months,expected",
    [
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2024, 11, 30), 3, dt.date(2025, 2, 28)),
        (dt.date(2024, 6, 3), 12, dt.date(2025, 6, 3)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_closing_needs_a_reason_and_keeps_it(world):
    risk = _risk(world)
    with pytest.raises(ValidationError):
        fire(risk, "close", world.icb, "  ")
    fire(risk, "close", world.icb, "Merged into QUE-R004")
    risk.refresh_from_db()
    assert risk.status == "closed" and risk.status_reason == "Merged into QUE-R004"
    with pytest.raises(ValidationError, match="cannot reopen while it is closed"):
        fire(risk, "reopen", world.icb, "Again")


def test_every_change_is_in_the_history_with_why(world):
    risk = _risk(world)
    change_risk(risk, world.icb, "Cost pressures grew", current_likelihood=4)
    last = risk.history.first()
    assert last.history_change_reason == "Cost pressures grew"
    assert last.current_score == 12
    assert [a.score for a in risk.assessments.all()] == [9, 12]
    assert RiskEvent.objects.filter(risk=risk, event="change").get().reason.startswith(
        "Cost pressures grew"
    )


def test_suggested_risk_is_accepted_once_scored(world):
    risk = raise_risk(user=None, system=world.system, title="Segment 4", theme="quality",
                      consequence_domain="quality", status="suggested",
                      reason="Suggested by data")
    with pytest.raises(ValidationError, match="owner and a current score"):
        fire(risk, "accept", world.icb, "Agreed")
    change_risk(risk, world.icb, "Scored", owner=world.icb, current_likelihood=3,
                current_consequence=4)
    fire(risk, "accept", world.icb, "Agreed")
    assert risk.status == "open"
