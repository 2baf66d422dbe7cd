"""Decision publication: unpublished decisions are seen by the regional team, the ICB team of the
subject's system and administrators only; organisation users and SOAG members see them once a
regional team member publishes them."""

import pytest

from oversight.access.models import Role
from oversight.segmentation.decisions import (
    decided_segments,
    history,
    record_decision,
    visible_decision,
)
from oversight.segmentation.models import Decision, DecisionPublication
from oversight.segmentation.proposals import recompute_proposals
from tests.factories import RegionFactory, RoleFactory, SystemFactory

Q4 = "Q4 2021/22"
PAGE = "/segmentation/organisations/R0/?framework=sof-2021-22&quarter=Q4+2021/22"


@pytest.fixture
def decided(national):
    recompute_proposals("sof-2021-22")
    r0 = national["orgs"][0]
    users = {
        "regional": RoleFactory(kind=Role.Kind.REGIONAL, region=national["region"]).user,
        "other_regional": RoleFactory(kind=Role.Kind.REGIONAL, region=RegionFactory()).user,
        "icb": RoleFactory(kind=Role.Kind.ICB, region=None, system=national["system"]).user,
        "other_icb": RoleFactory(kind=Role.Kind.ICB, region=None,
                                 system=SystemFactory(region=national["region"])).user,
        "admin": RoleFactory(kind=Role.Kind.ADMINISTRATOR, region=None).user,
        "organisation": RoleFactory(kind=Role.Kind.ORGANISATION, region=None,
                                    organisation=r0).user,
        "soag": RoleFactory(kind=Role.Kind.SOAG_MEMBER, region=None,
                            system=national["system"]).user,
    }
    decision = record_decision(user=users["regional"], framework=national["framework"],
                               subject=r0, quarter=Q4, segment=4)
    return {**national, "r0": r0, "users": users, "decision": decision}


@pytest.mark.parametrize("who,sees", [
    ("regional", True), ("icb", True), ("admin", True),
    ("organisation", False), ("soag", False), ("other_regional", False), ("other_icb", False),
])
def test_unpublished_decision_is_seen_by_overseers_only(decided, who, sees):
    user, fw, r0 = decided["users"][who], decided["framework"], decided["r0"]
    assert (visible_decision(fw, r0, Q4, user) is not None) is sees
    assert ((r0.pk, None) in decided_segments(user, framework=fw, quarter=Q4)) is sees
    assert any(e.kind == "decision" for e in history(r0, fw, user)) is sees


def test_pages_hide_the_decision_until_the_regional_team_publishes(client, decided):
    users = decided["users"]
    for who in ("organisation", "soag"):
        client.force_login(users[who])
        page = client.get(PAGE).content.decode()
        assert "Not decided" in page and "Publish this decision" not in page
    client.force_login(users["organisation"])
    assert "Latest segment decisions" not in client.get("/").content.decode()

    client.force_login(users["regional"])
    page = client.get(PAGE).content.decode()
    assert "Not published" in page and "Publish this decision" in page
    response = client.post(PAGE, {"publish": decided["decision"].pk})
    assert response.status_code == 302
    publication = DecisionPublication.objects.get(decision=decided["decision"])
    assert publication.published_by == users["regional"]
    assert "Publish this decision" not in client.get(PAGE).content.decode()

    for who in ("organisation", "soag"):
        client.force_login(users[who])
        page = client.get(PAGE).content.decode()
        assert "Not decided" not in page and "Not published" not in page
    client.force_login(users["organisation"])
    assert "Latest segment decisions" in client.get("/").content.decode()


@pytest.mark.parametrize("who", ["icb", "organisation", "soag", "other_regional"])
def test_only_the_regional_team_publishes(client, decided, who):
    client.force_login(decided["users"][who])
    response = client.post(PAGE, {"publish": decided["decision"].pk})
    assert response.status_code == 403
    assert not DecisionPublication.objects.exists()


def test_a_newer_unpublished_decision_leaves_the_published_one_in_view(decided):
    from oversight.segmentation.decisions import publish_decision

    users, fw, r0 = decided["users"], decided["framework"], decided["r0"]
    publish_decision(users["regional"], decided["decision"])
    newer = record_decision(user=users["regional"], framework=fw, subject=r0, quarter=Q4,
                            segment=3, rationale="Recovery plan agreed")
    assert visible_decision(fw, r0, Q4, users["soag"]).pk == decided["decision"].pk
    assert visible_decision(fw, r0, Q4, users["icb"]).pk == newer.pk
    assert decided_segments(users["soag"], framework=fw, quarter=Q4)[(r0.pk, None)] == 4
    assert decided_segments(users["icb"], framework=fw, quarter=Q4)[(r0.pk, None)] == 3
    # publication is a separate row: the decision itself is never updated
    assert Decision.objects.get(pk=decided["decision"].pk).segment == 4


def test_segmentation_show_as_a_user_shows_the_decisions_they_may_see(decided):
    """`oversight segmentation show ODS --as USER`: an unpublished decision only for those its
    rule lets see it; refused for a user who may not see the organisation."""
    import re

    from typer.testing import CliRunner

    from oversight.cli.main import app

    def decided_in_q4(*extra: str) -> str:
        result = CliRunner().invoke(app, ["segmentation", "show", decided["r0"].ods_code,
                                          "--framework", "sof-2021-22", *extra],
                                    env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        row = next(line for line in result.output.splitlines() if Q4 in line)
        return re.split(r"\s*│\s*", row.strip("│ "))[3]  # Framework, Quarter, Proposed, Decided

    users = decided["users"]
    assert decided_in_q4() == "4"  # the command line's administrator sees every decision
    for who in ("regional", "icb", "admin"):
        assert decided_in_q4("--as", users[who].username) == "4", who
    for who in ("organisation", "soag"):
        assert decided_in_q4("--as", users[who].username) == "", who
    refused = CliRunner().invoke(app, ["segmentation", "show", decided["r0"].ods_code,
                                       "--as", users["other_icb"].username])
    assert refused.exit_code == 1 and "may not see" in refused.output
