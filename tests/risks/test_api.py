"""GET /api/risks/: risks with scores, band and appetite status, within what the user may see."""

from __future__ import annotations

import datetime as dt

import pytest

from oversight.risks.editing import raise_risk, set_appetite


@pytest.fixture
def risks(world):
    set_appetite(user=world.icb, system=world.system, objective=world.finance, level="cautious",
                 reason="Board", approved_on=dt.date(2024, 6, 27), approved_by="ICB board")
    common = {"user": world.icb, "system": world.system, "theme": "finance",
              "consequence_domain": "finance", "objective": world.finance,
              "assessed_on": dt.date(2024, 6, 3)}
    return [
        raise_risk(title="System deficit", current_likelihood=4, current_consequence=4,
                   target_likelihood=2, target_consequence=4, **common),
        raise_risk(title="CUH agency spend", organisations=[world.cuh], current_likelihood=2,
                   current_consequence=4, **common),
        raise_risk(title="NWAFT agency spend", organisations=[world.nwaft],
                   current_likelihood=3, current_consequence=2, **common),
    ]


def test_list_with_scores_band_and_appetite(client, world, risks):
    client.force_login(world.icb)
    body = client.get("/api/risks/").json()
    assert [r["title"] for r in body] == ["System deficit", "CUH agency spend",
                                          "NWAFT agency spend"]
    first = body[0]
    assert first["current"] == {"likelihood": 4, "consequence": 4, "score": 16,
                                "band": "extreme", "on": "2024-06-03"}
    assert first["target"]["band"] == "high"
    assert first["appetite"] == {"level": "cautious", "tolerated_up_to": 10, "outside": True}
    assert first["level"] == "board"
    assert body[1]["appetite"]["outside"] is False  # 8 <= 10
    assert body[1]["organisations"] == ["RGT"]


def test_filters(client, world, risks):
    client.force_login(world.icb)
    assert [r["title"] for r in client.get("/api/risks/?outside_appetite=true").json()] == [
        "System deficit"]
    assert [r["title"] for r in client.get("/api/risks/?band=moderate").json()] == [
        "NWAFT agency spend"]
    assert [r["title"] for r in client.get("/api/risks/?organisation=system").json()] == [
        "System deficit"]


def test_an_organisation_user_sees_its_own_and_the_systems(client, world, risks):
    client.force_login(world.cuh_user)
    assert {r["title"] for r in client.get("/api/risks/").json()} == {
        "System deficit", "CUH agency spend"}
    nwaft = risks[2].reference
    response = client.get(f"/api/risks/{nwaft}")
    assert response.status_code == 404


def test_read_one_with_detail(client, world, risks):
    client.force_login(world.icb)
    body = client.get(f"/api/risks/{risks[0].reference}").json()
    assert body["assessments"] == [{"assessed_on": "2024-06-03", "likelihood": 4,
                                    "consequence": 4, "score": 16}]
    assert body["controls"] == [] and body["review_overdue"] in (True, False)


def test_signed_out_is_401(client, risks):
    assert client.get("/api/risks/").status_code == 401


def test_documented_in_the_schema(client, world):
    client.force_login(world.icb)
    schema = client.get("/api/openapi.json").json()
    assert "/api/risks/" in schema["paths"]
    assert "404" in schema["paths"]["/api/risks/{reference}"]["get"]["responses"]
