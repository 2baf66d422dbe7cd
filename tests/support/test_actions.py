"""SOAG actions: working-day lateness against England's bank holidays (gov.uk), escalation of
overdue actions to the board (idempotent, recorded, people told) and the CLI command."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from typer.testing import CliRunner

from oversight.cli.main import app
from oversight.support.actions import escalate_overdue, raise_action, working_days_late
from oversight.support.lifecycle import fire
from oversight.support.models import Notification, SoagAction, SupportCase
from tests.support.conftest import decide


@pytest.mark.parametrize(
    "due,today,expected",
    [
        # gov.uk bank holidays in England: 27 and 28 Dec 2021 (substitute days), 3 Jan 2022
        (dt.date(2021, 12, 24), dt.date(2022, 1, 4), 4),
        # 2 and 3 June 2022: Spring bank holiday (moved) and Platinum Jubilee bank holiday
        (dt.date(2022, 6, 1), dt.date(2022, 6, 6), 1),
        # 19 September 2022: the State Funeral of Queen Elizabeth II
        (dt.date(2022, 9, 16), dt.date(2022, 9, 20), 1),
        # an ordinary week, and not late at all
        (dt.date(2023, 3, 3), dt.date(2023, 3, 10), 5),
        (dt.date(2023, 3, 3), dt.date(2023, 3, 3), 0),
        (dt.date(2023, 3, 3), dt.date(2023, 3, 1), 0),
    ],
)
def test_working_days_late(due, today, expected):
    assert working_days_late(due, today) == expected


@pytest.fixture
def actions(world):
    # Published: the owner (the trust's user) must be able to see the case the actions serve.
    decide(world, 3, quarter="Q3 2021/22", rationale="Quality", publish=True)
    case = SupportCase.objects.get()
    late = raise_action(
        user=world.soag,
        subject=world.trust,
        kind="plan",
        title="Agree an improvement plan",
        owner=world.org_user,
        due=dt.date(2021, 12, 24),
        case=case,
    )
    on_time = raise_action(
        user=world.soag,
        subject=world.trust,
        kind="peer_review",
        title="Peer review of the plan",
        owner=world.org_user,
        due=dt.date(2022, 1, 31),
        case=case,
    )
    return late, on_time


def test_escalation_of_overdue_actions(world, actions, django_capture_on_commit_callbacks):
    late, on_time = actions
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = escalate_overdue(today=dt.date(2022, 1, 4))
    assert [(e.action, e.working_days_late) for e in done] == [(late, 4)]
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.status == "escalated" and late.escalated_at is not None
    assert on_time.status == "open"
    t = late.transitions.last()
    assert (t.event, t.source, t.target, t.by) == ("escalate", "open", "escalated", None)
    assert "4 working days" in t.reason
    told = set(
        Notification.objects.filter(action=late, subject__startswith="Escalated").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"trust-user", "regional", "icb"}
    assert len(mail.outbox) == 1 and "escalated to the board" in mail.outbox[0].body
    # idempotent
    assert escalate_overdue(today=dt.date(2022, 1, 4)) == []


def test_grace_in_working_days(world, actions):
    assert escalate_overdue(today=dt.date(2022, 1, 4), grace_working_days=4) == []
    assert len(escalate_overdue(today=dt.date(2022, 1, 5), grace_working_days=4)) == 1


def test_action_life_cycle_rules(world, actions):
    late, on_time = actions
    with pytest.raises(ValidationError, match="overdue"):
        fire(on_time, "escalate", world.regional, "Board wants it", today=dt.date(2022, 1, 4))
    with pytest.raises(ValidationError, match="evidence"):
        fire(on_time, "complete", world.org_user, "Done")
    fire(on_time, "start", world.org_user, "Reviewers booked")
    on_time.evidence = "Peer review report, 20 January 2022"
    fire(on_time, "complete", world.org_user, "Report received")
    assert [t.event for t in on_time.transitions.all()] == ["raise", "start", "complete"]
    with pytest.raises(ValidationError, match="completed"):
        fire(on_time, "cancel", world.regional, "Too late")
    # history keeps every saved version of the action
    assert on_time.history.count() >= 3


def test_raise_action_checks_input(world):
    with pytest.raises(ValidationError):
        raise_action(
            user=world.regional,
            subject=world.trust,
            kind="sanction",
            title="x",
            owner=world.org_user,
            due=dt.date(2022, 1, 1),
        )
    assert not SoagAction.objects.exists()


def test_cli_escalate_overdue(world, actions):
    result = CliRunner().invoke(app, ["support", "escalate-overdue", "--today", "2022-01-04"])
    assert result.exit_code == 0, result.output
    assert "Escalated 1 overdue SOAG action to the board" in result.output
    assert "owners and case owners were told" in result.output
    again = CliRunner().invoke(app, ["support", "escalate-overdue", "--today", "2022-01-04"])
    assert "No open SOAG action is overdue: nothing escalated." in again.output
    bad = CliRunner().invoke(app, ["support", "escalate-overdue", "--today", "4/1/2022"])
    assert bad.exit_code == 2 and "not a date" in bad.output


def test_cli_escalate_overdue_every_runs_until_its_parent_ends(world, actions, monkeypatch):
    """`--every` (how `oversight serve` runs it): escalate, wait, again, and stop once the
    process that started it has gone (its parent changes)."""
    from oversight.cli import support as cli

    # the parent is there at the start and through the first hour's 720 checks (5 s each),
    # then gone during the second hour
    parents = iter([100] * (1 + 720 + 3) + [1])
    waits = []
    monkeypatch.setattr(cli.os, "getppid", lambda: next(parents))
    monkeypatch.setattr(cli.time, "sleep", waits.append)
    result = CliRunner().invoke(
        app, ["support", "escalate-overdue", "--today", "2022-01-04", "--every", "3600"]
    )
    assert result.exit_code == 0, result.output
    assert waits == [5] * (720 + 3)  # an hour, then 15 s until the parent was seen gone
    # what it does and why is said once; the second run, with nothing to do, says nothing
    assert result.output.count("escalated to the board now and every hour") == 1
    assert result.output.count("Escalated 1 overdue SOAG action to the board") == 1
    assert "nothing escalated" not in result.output
    assert SoagAction.objects.filter(status="escalated").count() == 1
    too_often = CliRunner().invoke(app, ["support", "escalate-overdue", "--every", "5"])
    assert too_often.exit_code == 2
