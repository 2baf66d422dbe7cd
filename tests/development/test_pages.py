"""The /development/ pages: who sees them, what they show, the checkpoint form."""

from __future__ import annotations

import datetime as dt

import pytest

from oversight.development.models import Action, Assessment, Checkpoint, Workstream

PAGES = [
    "/development/{plan}/",
    "/development/{plan}/workstreams/{ws}/",
    "/development/{plan}/timeline/",
    "/development/{plan}/maturity/",
    "/development/{plan}/arrangements/",
    "/development/{plan}/priorities/",
    "/development/{plan}/asks-and-risks/",
    "/development/{plan}/checkpoints/",
    "/development/{plan}/checkpoints/{cp}/",
]


def urls(plan) -> list[str]:
    ws = Workstream.objects.get(plan=plan, name="Provider collaboratives and places")
    cp = Checkpoint.objects.get(plan=plan, quarter="Q2 2021/22")
    return [p.format(plan=plan.pk, ws=ws.pk, cp=cp.pk) for p in PAGES]


@pytest.mark.parametrize("who", ["regional", "icb", "soag", "org_user", "admin"])
def test_the_systems_users_read_every_page(client, world, demo_plan, who) -> None:
    client.force_login(getattr(world, who))
    assert demo_plan.system.name in client.get("/development/").content.decode()
    for url in urls(demo_plan):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["other_icb", "other_regional"])
def test_others_are_refused(client, world, demo_plan, who) -> None:
    client.force_login(getattr(world, who))
    assert demo_plan.title not in client.get("/development/").content.decode()
    for url in urls(demo_plan):
        assert client.get(url).status_code == 403, url


def test_signed_out_goes_to_sign_in(client, demo_plan) -> None:
    response = client.get(f"/development/{demo_plan.pk}/")
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_plan_on_a_page_shows_themes_owners_status_and_next_milestone(
    client, world, demo_plan
) -> None:
    client.force_login(world.icb)
    page = client.get(f"/development/{demo_plan.pk}/").content.decode()
    assert "Theme 4: System roles and capabilities" in page
    assert "Direction and engagement" in page and "Implementation" in page
    assert "KC/SG/REGION" not in page  # owners are listed one by one
    assert ">SG</span>, <span" in page or "SG</span>" in page
    # The children's collaborative slipped: the workstream's next milestone, and late.
    assert "System-wide Children and Young People collaborative" in page
    assert "late" in page


def test_workstream_page_lists_deadlines_as_written_and_history(client, world, demo_plan) -> None:
    client.force_login(world.icb)
    ws = Workstream.objects.get(plan=demo_plan, name="Provider collaboratives and places")
    page = client.get(ws.get_absolute_url()).content.decode()
    assert "June 2021/22" in page and "30 Jun 2021" in page  # as written, and its due date
    assert "by end of Q2 2021/22" in page and "30 Sep 2021" in page
    assert "Population Health Management" in page  # the strand heading
    assert "Discussion ongoing with both local authorities" in page  # history's commentary


def test_timeline_chart_is_served_inline_with_late_actions(client, world, demo_plan) -> None:
    client.force_login(world.regional)
    page = client.get(f"/development/{demo_plan.pk}/timeline/").content.decode()
    assert "<svg" in page and "Milestones by quarter" in page
    assert "Q4 2020/21" in page and "Q2 2022/23" in page  # early March 2021 .. Q2 22/23
    assert "<path d=" in page  # late actions are diamonds
    assert "cdn" not in page.lower()


def test_maturity_page_scores_and_arrows(client, world, demo_plan) -> None:
    client.force_login(world.regional)
    page = client.get(f"/development/{demo_plan.pk}/maturity/").content.decode()
    assert "Aug 2019" in page and "Nov 2020" in page
    assert "Thriving" in page and "↑" in page and "↔" in page
    assert "<polyline" in page


def test_checkpoint_report_counts_changes_and_late(client, world, demo_plan) -> None:
    client.force_login(world.icb)
    cp = Checkpoint.objects.get(plan=demo_plan, quarter="Q2 2021/22")
    page = client.get(cp.get_absolute_url()).content.decode()
    assert "Compared with the" in page and "Q1 2021/22 checkpoint" in page
    assert "Slipped" in page and "Moved forward" in page
    # Late at 21 October 2021: the children's collaborative (by September 2021) was R
    assert "System-wide Children and Young People collaborative" in page.split("Late at this")[1]


def test_the_icb_team_records_a_checkpoint(client, world, demo_plan) -> None:
    client.force_login(world.icb)
    response = client.post(
        f"/development/{demo_plan.pk}/checkpoints/",
        {"quarter": "Q1 22/23", "held_on": "2022-07-21", "summary": "First of 2022/23"},
    )
    cp = Checkpoint.objects.get(plan=demo_plan, quarter="Q1 2022/23")
    assert response.status_code == 302 and response["Location"] == cp.get_absolute_url()
    ws = Workstream.objects.get(plan=demo_plan, name="Engagement")
    (action,) = ws.actions.all()
    url = f"/development/{demo_plan.pk}/checkpoints/{cp.pk}/assess/{ws.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "ws_status": "G",
            "ws_commentary": "Engagement strategy agreed",
            "ws_evidence": "Board paper, July 2022",
            f"a{action.pk}_status": "G",
            f"a{action.pk}_commentary": "Mechanisms in place",
        },
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get(checkpoint=cp, workstream=ws)
    assert (assessment.status, assessment.assessed_by, assessment.evidence) == (
        "G",
        world.icb,
        "Board paper, July 2022",
    )
    assert Action.objects.get(pk=action.pk).status == "G"


def test_an_assessment_without_a_status_is_refused_with_the_field_named(
    client, world, demo_plan
) -> None:
    client.force_login(world.regional)
    cp = Checkpoint.objects.create(
        plan=demo_plan, quarter="Q1 2022/23", held_on=dt.date(2022, 7, 21)
    )
    ws = Workstream.objects.get(plan=demo_plan, name="OD")
    (action,) = ws.actions.all()
    url = f"/development/{demo_plan.pk}/checkpoints/{cp.pk}/assess/{ws.pk}/"
    response = client.post(url, {"ws_status": "", f"a{action.pk}_status": "G"})
    assert response.status_code == 400
    assert "Choose a delivery status" in response.content.decode()
    assert not Assessment.objects.filter(checkpoint=cp).exists()
    # With HTMX the form comes back in place (200, so htmx swaps it) with its errors
    response = client.post(url, {"ws_status": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "nhsuk-error-summary" in response.content.decode()
    assert "<html" not in response.content.decode()
    # Saved with HTMX: the report it was opened on reloads
    response = client.post(
        url, {"ws_status": "GA", f"a{action.pk}_status": "GA"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    assert Assessment.objects.get(checkpoint=cp, workstream=ws).status == "GA"


@pytest.mark.parametrize("who", ["soag", "org_user", "other_icb"])
def test_only_the_icb_team_regional_team_and_administrators_assess(
    client, world, demo_plan, who
) -> None:
    client.force_login(getattr(world, who))
    cp = Checkpoint.objects.get(plan=demo_plan, quarter="Q4 2021/22")
    ws = Workstream.objects.get(plan=demo_plan, name="OD")
    url = f"/development/{demo_plan.pk}/checkpoints/{cp.pk}/assess/{ws.pk}/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"ws_status": "R"}).status_code == 403
    response = client.post(
        f"/development/{demo_plan.pk}/checkpoints/",
        {"quarter": "Q1 22/23", "held_on": "2022-07-21"},
    )
    assert response.status_code == 403
    assert not Checkpoint.objects.filter(quarter="Q1 2022/23").exists()


def test_opening_a_checkpoint_twice_or_for_no_quarter_is_refused(client, world, demo_plan) -> None:
    client.force_login(world.regional)
    url = f"/development/{demo_plan.pk}/checkpoints/"
    page = client.post(url, {"quarter": "Q2 21/22", "held_on": "2021-10-21"}).content.decode()
    assert "There is already a checkpoint for Q2 2021/22" in page
    response = client.post(url, {"quarter": "autumn", "held_on": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter the quarter as the plan writes it" in page and "Enter the date" in page
