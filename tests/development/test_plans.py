"""Holding a plan to its checkpoints: status history, lateness, reports, maturity changes and
who may read and assess."""

from __future__ import annotations

import datetime as dt

import pytest

from oversight.development import plans
from oversight.development.models import Assessment, MaturityDomain, MaturityScore, Workstream
from oversight.development.rules import assessable_plans, visible_plans

D = dt.date


@pytest.fixture
def plan(world):
    plan = plans.create_plan(world.system, "Development plan", D(2021, 3, 31))
    theme = plan.themes.get(number=6)
    ws = Workstream.objects.create(plan=plan, theme=theme, name="Governance", order=1)
    owners = plans.owners_for(plan, "KC/JT")
    plans.add_action(ws, "Determine relationship with HWBs", "Q2 21/22", owners, order=1)
    plans.add_action(ws, "Set out local leadership and governance", "Q3 2021/22", owners, order=2)
    plans.add_action(ws, "Keep engaging", "Ongoing", owners, order=3)
    return plan


def test_a_new_plan_has_the_six_themes_in_the_plans_groups(plan) -> None:
    groups = {g.name: [t.number for t in g.themes.order_by("order")] for g in plan.groups.all()}
    assert groups == {"Direction and engagement": [4, 6, 3], "Implementation": [2, 5, 1]}
    assert plan.themes.get(number=5).name == "Financial framework and use of resources"


def test_status_history_follows_the_checkpoints(plan, world) -> None:
    ws = plan.workstreams.get()
    hwb = ws.actions.get(text="Determine relationship with HWBs")
    q1 = plans.open_checkpoint(plan, "Q1 21/22", D(2021, 7, 22), world.icb)
    q2 = plans.open_checkpoint(plan, "Q2 2021/22", D(2021, 10, 21), world.icb)
    assert (q1.quarter, q2.quarter) == ("Q1 2021/22", "Q2 2021/22")
    plans.record_assessment(q1, action=hwb, status="A", user=world.icb, commentary="Planned")
    hwb.refresh_from_db()
    assert hwb.status == "A"
    plans.record_assessment(q2, action=hwb, status="AR", user=world.regional, evidence="Minutes")
    hwb.refresh_from_db()
    assert hwb.status == "AR"
    # Correcting the earlier checkpoint does not override the later one's status...
    plans.record_assessment(q1, action=hwb, status="GA", user=world.icb)
    hwb.refresh_from_db()
    assert hwb.status == "AR"
    history = plans.action_history(hwb)
    assert [(a.checkpoint.quarter, a.status) for a in history] == [
        ("Q1 2021/22", "GA"),
        ("Q2 2021/22", "AR"),
    ]
    # ...and the correction is kept in the assessment's own history (who changed what)
    q1_assessment = Assessment.objects.get(checkpoint=q1, action=hwb)
    assert [h.status for h in q1_assessment.history.order_by("history_date")] == ["A", "GA"]
    assert hwb.history.first().history_change_reason == "Q2 2021/22 checkpoint"
    with pytest.raises(ValueError, match="not a delivery status"):
        plans.record_assessment(q2, action=hwb, status="Amber")
    with pytest.raises(ValueError, match="either an action or a workstream"):
        plans.record_assessment(q2, status="G")


def test_late_is_due_passed_and_not_achieved(plan, world) -> None:
    ws = plan.workstreams.get()
    hwb, local, ongoing = ws.actions.order_by("order")
    assert hwb.due == D(2021, 9, 30) and ongoing.due is None
    assert not hwb.is_late(D(2021, 9, 30)) and hwb.is_late(D(2021, 10, 1))
    assert not ongoing.is_late(D(2030, 1, 1))
    q2 = plans.open_checkpoint(plan, "Q2 21/22", D(2021, 10, 21), world.icb)
    plans.record_assessment(q2, action=hwb, status="G", user=world.icb)
    plans.record_assessment(q2, action=local, status="A", user=world.icb)
    hwb.refresh_from_db()
    assert not hwb.is_late(D(2022, 1, 1))
    assert plans.late_actions(plan, D(2022, 1, 1)) == [local]
    (group,) = [g for g in plans.plan_on_a_page(plan, D(2022, 1, 1)) if g.themes]
    line = group.themes[0].lines[0]
    assert (line.late, line.achieved, line.total) == (1, 1, 3)
    assert line.next_action == local
    assert [o.code for o in line.owners] == ["KC", "JT"]


def test_checkpoint_report_counts_changes_and_lateness_at_the_checkpoint(plan, world) -> None:
    ws = plan.workstreams.get()
    hwb, local, ongoing = ws.actions.order_by("order")
    q1 = plans.open_checkpoint(plan, "Q1 21/22", D(2021, 7, 22), world.icb)
    q2 = plans.open_checkpoint(plan, "Q2 21/22", D(2021, 10, 21), world.icb)
    for action, status in ((hwb, "A"), (local, "A"), (ongoing, "GA")):
        plans.record_assessment(q1, action=action, status=status, user=world.icb)
    plans.record_assessment(q1, workstream=ws, status="A", user=world.icb)
    plans.record_assessment(q2, action=hwb, status="R", user=world.icb, commentary="Stalled")
    plans.record_assessment(q2, action=local, status="GA", user=world.icb)
    report = plans.checkpoint_report(q2)
    assert report.previous == q1
    assert report.counts == {"G": 0, "GA": 1, "A": 0, "AR": 0, "R": 1}
    assert report.not_assessed == 1  # the ongoing action was not assessed at Q2
    assert {(c.subject.pk, c.before, c.after, c.direction) for c in report.changes} == {
        (hwb.pk, "A", "R", "worse"),
        (local.pk, "A", "GA", "better"),
    }
    assert report.late == [hwb]  # due 30 September 2021, not achieved by 21 October
    first = plans.checkpoint_report(q1)
    assert first.previous is None and first.late == [] and first.changes == []


def test_maturity_change_arrows(world) -> None:
    plan = plans.create_plan(world.system, "Plan", D(2021, 3, 31))
    for number, levels in (
        (1, ("developing", "maturing")),
        (4, ("developing", "developing")),
        (7, ("thriving", "maturing")),
        (8, ("emerging",)),
    ):
        domain = MaturityDomain.objects.create(plan=plan, number=number, name=f"Domain {number}")
        for day, level in zip((D(2019, 8, 1), D(2020, 11, 1)), levels, strict=False):
            MaturityScore.objects.create(domain=domain, assessed_on=day, level=level)
    dates, rows = plans.maturity_matrix(plan)
    assert dates == [D(2019, 8, 1), D(2020, 11, 1)]
    assert [(r.domain.number, r.change, r.arrow) for r in rows] == [
        (1, "up", "↑"),
        (4, "same", "↔"),
        (7, "down", "↓"),
        (8, "", ""),
    ]


def test_who_reads_and_who_assesses(plan, world) -> None:
    readers = ["regional", "icb", "soag", "org_user", "admin"]
    for who in readers:
        user = getattr(world, who)
        assert list(visible_plans(user)) == [plan], who
        assert user.has_perm("development.view_plan", plan), who
    for who in ("other_icb", "other_regional"):
        user = getattr(world, who)
        assert not visible_plans(user).exists() and not user.has_perm("development.view_plan", plan)
    for who in ("regional", "icb", "admin"):
        user = getattr(world, who)
        assert list(assessable_plans(user)) == [plan]
        assert user.has_perm("development.assess_plan", plan), who
    for who in ("soag", "org_user", "other_icb", "other_regional"):
        assert not getattr(world, who).has_perm("development.assess_plan", plan), who
