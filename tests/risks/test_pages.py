"""Risk pages: who sees which risks, the register's filters, the heat map's cells, the BAF,
appetite, and the steps that change a risk (each recorded with why)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from oversight.risks.editing import add_assurance, add_control, add_gap, raise_risk, set_appetite
from oversight.risks.models import Risk, RiskEvent


def _risk(world, title, score, organisations=(), **kw):
    return raise_risk(
        user=world.icb, system=world.system, title=title, organisations=list(organisations),
        theme=kw.pop("theme", "finance"),
        consequence_domain=kw.pop("consequence_domain", "finance"),
        owner=world.icb, current_likelihood=score[0], current_consequence=score[1],
        assessed_on=kw.pop("assessed_on", dt.date(2024, 6, 3)),
        objective=kw.pop("objective", world.finance),
        **kw,
    )


@pytest.fixture
def register(world):
    return {
        "system": _risk(world, "System financial plan not delivered", (4, 4),
                        target_likelihood=2, target_consequence=4, principal=True),
        "cuh": _risk(world, "CUH elective backlog grows", (3, 4), [world.cuh],
                     theme="operational", consequence_domain="service"),
        "nwaft": _risk(world, "NWAFT nurse vacancies", (2, 3), [world.nwaft], theme="workforce",
                       consequence_domain="workforce", objective=world.quality),
    }


def _titles(response) -> set[str]:
    body = response.content.decode()
    return {t for t in ("System financial plan not delivered", "CUH elective backlog grows",
                        "NWAFT nurse vacancies") if t in body}


@pytest.mark.parametrize(
    "who,expected",
    [
        ("icb", {"System financial plan not delivered", "CUH elective backlog grows",
                 "NWAFT nurse vacancies"}),
        ("regional", {"System financial plan not delivered", "CUH elective backlog grows",
                      "NWAFT nurse vacancies"}),
        ("cuh_user", {"System financial plan not delivered", "CUH elective backlog grows"}),
        ("nwaft_user", {"System financial plan not delivered", "NWAFT nurse vacancies"}),
    ],
)
def test_register_shows_what_each_role_may_see(client, world, register, who, expected):
    client.force_login(getattr(world, who))
    response = client.get("/risks/?system=QUE")
    assert response.status_code == 200
    assert _titles(response) == expected


def test_another_trust_cannot_open_a_risk_or_its_export(client, world, register):
    client.force_login(world.cuh_user)
    assert client.get(register["nwaft"].get_absolute_url()).status_code == 403
    assert client.get(register["cuh"].get_absolute_url()).status_code == 200
    csv = client.get("/risks/export.csv?system=QUE").content.decode()
    assert "CUH elective backlog grows" in csv and "NWAFT nurse vacancies" not in csv


def test_other_systems_users_see_nothing(client, world, register):
    client.force_login(world.other_user)
    assert client.get(register["system"].get_absolute_url()).status_code == 403
    assert _titles(client.get("/risks/?system=QUE")) == set()
    client.force_login(world.outsider)
    assert client.get(register["cuh"].get_absolute_url()).status_code == 403


def test_register_filters(client, world, register):
    client.force_login(world.icb)
    assert _titles(client.get("/risks/?system=QUE&band=extreme")) == {
        "System financial plan not delivered"}
    assert _titles(client.get("/risks/?system=QUE&organisation=RGT")) == {
        "CUH elective backlog grows"}
    assert _titles(client.get("/risks/?system=QUE&organisation=system")) == {
        "System financial plan not delivered"}
    assert _titles(client.get("/risks/?system=QUE&theme=workforce")) == {"NWAFT nurse vacancies"}
    assert _titles(client.get(f"/risks/?system=QUE&objective={world.quality.pk}")) == {
        "NWAFT nurse vacancies"}
    assert _titles(client.get("/risks/?system=QUE&level=board")) == {
        "System financial plan not delivered"}
    assert _titles(client.get("/risks/?system=QUE&overdue=1")) == {
        "System financial plan not delivered", "CUH elective backlog grows",
        "NWAFT nurse vacancies"}  # reviewed June 2024, quarterly: overdue today
    assert _titles(client.get("/risks/?system=QUE&outside=1")) == set()
    set_appetite(user=world.icb, system=world.system, objective=world.finance, level="cautious",
                 reason="Board", approved_on=dt.date(2024, 6, 27), approved_by="ICB board")
    assert _titles(client.get("/risks/?system=QUE&outside=1")) == {
        "System financial plan not delivered", "CUH elective backlog grows"}  # 16 and 12 > 10


def test_heat_map_counts_and_links(client, world, register):
    client.force_login(world.icb)
    body = client.get("/risks/heat-map/?system=QUE").content.decode()
    assert "with likelihood 4 and consequence 4 (score 16, Extreme)" in body
    assert "&amp;scores=current&amp;likelihood=4&amp;consequence=4" in body
    # the target of the system risk is 2 x 4
    assert "&amp;scores=target&amp;likelihood=2&amp;consequence=4" in body
    cell = client.get("/risks/?system=QUE&scores=current&likelihood=3&consequence=4")
    assert _titles(cell) == {"CUH elective backlog grows"}


def test_baf_reads_objective_by_objective(client, world, register):
    risk = register["system"]
    add_control(risk, world.icb, "Monthly system finance recovery meeting")
    add_assurance(risk, world.icb, line="independent", source="Internal audit",
                  description="Review of the recovery plan", outcome="negative")
    add_gap(risk, world.icb, kind="assurance", description="No independent review of savings")
    client.force_login(world.icb)
    body = client.get("/risks/assurance-framework/?system=QUE").content.decode()
    assert "SO3: Deliver a sustainable financial position" in body
    assert "Monthly system finance recovery meeting" in body
    assert "Internal audit" in body and "No independent review of savings" in body
    assert "NWAFT nurse vacancies" not in body  # not a principal risk


def test_risk_page_shows_scores_chart_and_history(client, world, register):
    client.force_login(world.icb)
    body = client.get(register["system"].get_absolute_url()).content.decode()
    assert 'role="img"' in body and "scores over time" in body
    assert "Current score of 15 or more" in body  # the escalation rule, in words


def test_review_step_records_the_review(client, world, register):
    client.force_login(world.icb)
    risk = register["cuh"]
    url = f"/risks/{risk.reference}/review/"
    page = client.get(url).content.decode()
    assert "Almost certain" in page and "More than 50 per cent" in page  # the scoring guide
    response = client.post(url, {"likelihood": "4", "consequence": "4",
                                 "reviewed_on": "2024-09-02", "note": "Backlog grew"})
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.current_score == 16 and risk.level == "board"
    assert RiskEvent.objects.filter(risk=risk, event="review", by=world.icb).exists()


def test_org_user_cannot_change_the_systems_risk(client, world, register):
    client.force_login(world.cuh_user)
    assert client.get(f"/risks/{register['system'].reference}/edit/").status_code == 403
    assert client.get(f"/risks/{register['cuh'].reference}/edit/").status_code == 200
    assert client.get("/risks/new/?system=QUE").status_code == 403


def test_add_a_risk_through_the_form(client, world):
    client.force_login(world.icb)
    response = client.post("/risks/new/?system=QUE", {
        "title": "Estates backlog", "theme": "capabilities", "consequence_domain": "safety",
        "current_likelihood": "3", "current_consequence": "3", "review_months": "3",
        "reason": "New risk from the estates strategy",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    risk = Risk.objects.get(title="Estates backlog")
    assert risk.reference == "QUE-R001" and risk.current_score == 9


def test_form_errors_are_shown_not_500(client, world):
    client.force_login(world.icb)
    response = client.post("/risks/new/?system=QUE", {
        "title": "Half scored", "theme": "finance", "consequence_domain": "finance",
        "current_likelihood": "3", "review_months": "3", "reason": "x",
    })
    assert response.status_code == 400
    assert "Give both the current likelihood and consequence" in response.content.decode()


def test_the_export_command_as_a_user_writes_what_they_may_see(world, register):
    """`oversight risks export --as USER`: the register as that user's page shows it."""
    from typer.testing import CliRunner

    from oversight.cli.main import app

    def exported(*extra: str) -> set[str]:
        result = CliRunner().invoke(app, ["risks", "export", "--system", "QUE", "--format",
                                          "json", *extra])
        assert result.exit_code == 0, result.output
        return {row["title"] for row in json.loads(result.stdout)}

    everything = {"System financial plan not delivered", "CUH elective backlog grows",
                  "NWAFT nurse vacancies"}
    assert exported() == everything  # the command line's administrator
    assert exported("--as", world.icb.username) == everything
    assert exported("--as", world.cuh_user.username) == {
        "System financial plan not delivered", "CUH elective backlog grows"}
