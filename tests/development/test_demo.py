"""The demo holds seed 004's plan whole, with the checkpoints held since.

Expected figures are counted by hand from seed 004 (31 March 2021): the plan on a page and
workplans 1-5 hold 28 workstreams (two of "Direction and engagement", then 3 + 6 + 3 + 3 + 4 + 7
in themes 4, 6, 3, 2, 5, 1) and 101 actions."""

from __future__ import annotations

import datetime as dt

from oversight.development.demo import load_development_demo
from oversight.development.models import (
    Action,
    Ask,
    Assessment,
    Checkpoint,
    CoverageRow,
    GapArea,
    MaturityScore,
    OperatingArrangement,
    Plan,
    RiskStatement,
    Workstream,
)


def test_the_plan_is_loaded_whole(demo_plan) -> None:
    plan = demo_plan
    assert plan.published_on == dt.date(2021, 3, 31)
    assert Workstream.objects.filter(plan=plan).count() == 28
    assert Action.objects.filter(workstream__plan=plan).count() == 101
    per_theme = {
        n: Workstream.objects.filter(plan=plan, theme__number=n).count() for n in range(1, 7)
    }
    assert per_theme == {4: 3, 6: 6, 3: 3, 2: 3, 5: 4, 1: 7}
    assert Workstream.objects.filter(plan=plan, group__name="Direction and engagement").count() == 2
    # owners as written, several per workstream: "SG/REGION/ LK/KC"
    data = Workstream.objects.get(plan=plan, name="Data and information")
    owners = {o.code for a in data.actions.all() for o in a.owners.all()}
    assert owners == {"SG", "REGION", "LK", "KC"}
    assert plan.owners.get(code="System Leaders").kind == "group"
    assert plan.owners.get(code="REGION").kind == "group"
    assert plan.owners.get(code="KC").kind == "person"
    # the PHM strand of "Provider collaboratives and places" has its own owners (FH/EL)
    phm = Action.objects.get(workstream__plan=plan, text="Finalise PHM strategy")
    assert phm.strand == "Population Health Management"
    assert {o.code for o in phm.owners.all()} == {"FH", "EL"}
    assert phm.due == dt.date(2021, 6, 30)
    ongoing = Action.objects.get(deadline_text="Phase 3 (Q3 22/23 onward)")
    assert ongoing.due is None and ongoing.ongoing and ongoing.starts == dt.date(2022, 10, 1)


def test_the_plan_context_is_loaded_whole(demo_plan) -> None:
    plan = demo_plan
    assert MaturityScore.objects.filter(domain__plan=plan).count() == 10  # 5 domains x 2
    thriving = MaturityScore.objects.get(
        domain__plan=plan, domain__number=5, assessed_on=dt.date(2020, 11, 1)
    )
    assert thriving.level == "thriving"
    # Green -> G, Yellow -> A (plan agreed and on track), Orange -> AR (plan to be developed):
    # "still require a finalised plan to be developed for two areas"
    progress = dict(
        OperatingArrangement.objects.filter(plan=plan).values_list("number", "progress")
    )
    assert progress == {1: "G", 2: "AR", 3: "A", 4: "G", 5: "A", 6: "AR", 7: "A"}
    assert GapArea.objects.filter(plan=plan).count() == 16
    phm = GapArea.objects.get(plan=plan, heading="Population Health Management")
    assert sorted(t.number for t in phm.themes.all()) == [1, 4]
    assert len(phm.development_areas) == 12
    assert plan.recommendations.count() == 5
    assert plan.priorities.count() == 8
    rows = CoverageRow.objects.filter(plan=plan)
    assert rows.count() == 16
    assert rows.get(label="Assurance").priorities.count() == 0
    assert rows.get(label="System direction and engagement").workstreams.count() == 2
    assert {p.name for p in rows.get(label="Risk management").priorities.all()} == {
        "Progressing ICP and strategic commissioner development",
        "Local Authority engagement",
        "Finance",
    }
    assert Ask.objects.filter(plan=plan).count() == 6
    assert RiskStatement.objects.filter(plan=plan).count() == 21
    assert RiskStatement.objects.filter(plan=plan, theme="Workforce").count() == 4


def test_checkpoints_since_with_history_and_late_actions(demo_plan) -> None:
    plan = demo_plan
    checkpoints = list(Checkpoint.objects.filter(plan=plan))
    assert [c.quarter for c in checkpoints] == [
        "Q1 2021/22",
        "Q2 2021/22",
        "Q3 2021/22",
        "Q4 2021/22",
    ]
    assert checkpoints[1].held_on == dt.date(2021, 10, 21)  # the story's date, not today
    assert Assessment.objects.filter(checkpoint=checkpoints[0]).count() == 101 + 28
    cyp = Action.objects.get(
        text="System-wide Children and Young People collaborative to operate in shadow form"
    )
    assert [a.status for a in cyp.assessments.order_by("checkpoint__held_on")] == [
        "A",
        "R",
        "AR",
        "AR",
    ]
    assert cyp.status == "AR" and cyp.is_late(dt.date(2022, 4, 21))
    first = cyp.assessments.order_by("checkpoint__held_on").first()
    assert first.assessed_by.username == "icb-que"
    assert first.assessed_at.date() == dt.date(2021, 7, 22)
    # achieved on its deadline: not late
    align = Action.objects.get(text="Align on core purpose, vision and refresh system strategy")
    assert align.status == "G" and not align.is_late(dt.date(2022, 4, 21))


def test_loading_twice_changes_nothing(demo_plan) -> None:
    counts = (Plan.objects.count(), Action.objects.count(), Assessment.objects.count())
    assert load_development_demo().created == []
    assert (Plan.objects.count(), Action.objects.count(), Assessment.objects.count()) == counts


def test_the_ratification_milestone_is_linked_to_the_partnership_board(world, demo_plan) -> None:
    from oversight.governance.models import Body

    ratify = Action.objects.get(text__startswith="Development Plan engagement and ratification")
    assert ratify.signed_off_by is None  # no governance bodies loaded yet
    board = Body.objects.create(
        short_name="SPB", name="System Partnership Board", kind="board", system=world.system
    )
    summary = load_development_demo()  # a later load links it, once
    ratify.refresh_from_db()
    assert ratify.signed_off_by == board and len(summary.created) == 1
    assert load_development_demo().created == []


def test_risk_statements_link_to_the_register_once_it_holds_them(client, world, demo_plan) -> None:
    from tests.factories import RiskFactory

    statement = RiskStatement.objects.get(
        statement="Ensuring boards have clarity on all key areas across all ICS levels"
    )
    assert statement.risk is None
    risk = RiskFactory(
        system=world.system, title="Boards lack clarity on decisions at each level of the ICS"
    )
    assert load_development_demo().created == ["1 risk statement linked to the risk register"]
    statement.refresh_from_db()
    assert statement.risk == risk
    client.force_login(world.admin)
    page = client.get(f"/development/{demo_plan.pk}/asks-and-risks/").content.decode()
    assert f"/risks/{risk.reference}/" in page
