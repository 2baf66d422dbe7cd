"""The support JSON API: list and read cases, RSP cases and actions within the user's scope,
create actions, session authentication with CSRF, and the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from oversight.support.actions import raise_action
from oversight.support.models import SoagAction, SupportCase
from tests.factories import ExitCriterionFactory
from tests.support.conftest import decide


@pytest.fixture
def rsp_case(world) -> SupportCase:
    decide(world, 4, subject=world.system, rationale="Finance")
    case = SupportCase.objects.get()
    ExitCriterionFactory(
        rsp=case.rsp, description="Financial plan delivered", met=True, evidence="Month 12 accounts"
    )
    ExitCriterionFactory(rsp=case.rsp, description="Leadership review")
    return case


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_schema_is_served(client, world):
    schema = signed_in(world.regional).get("/api/openapi.json").json()
    assert schema["info"]["title"] == "Oversight API"
    paths = schema["paths"]
    for path in (
        "/api/support/cases",
        "/api/support/cases/{case_id}",
        "/api/support/rsp",
        "/api/support/rsp/{case_id}",
        "/api/support/actions",
        "/api/support/actions/{action_id}",
    ):
        assert path in paths, path
    assert "post" in paths["/api/support/actions"]


def test_anonymous_gets_401_not_a_redirect(client, db):
    assert client.get("/api/support/cases").status_code == 401


def test_list_and_read_cases(world, rsp_case):
    c = signed_in(world.icb)
    cases = c.get("/api/support/cases").json()
    assert [x["id"] for x in cases] == [rsp_case.pk]
    assert cases[0]["kind"] == "rsp" and cases[0]["subject_code"] == "QUE"
    assert cases[0]["transitions"][0]["event"] == "open"
    one = c.get(f"/api/support/cases/{rsp_case.pk}").json()
    assert one["segment"] == 4 and one["region"] == "Y61"
    rsp = c.get(f"/api/support/rsp/{rsp_case.pk}").json()
    assert rsp["criteria_met"] == 1 and len(rsp["criteria"]) == 2
    assert [x["case"]["id"] for x in c.get("/api/support/rsp").json()] == [rsp_case.pk]


def test_out_of_scope_reads_are_404(world, rsp_case):
    c = signed_in(world.outsider)
    assert c.get("/api/support/cases").json() == []
    assert c.get(f"/api/support/cases/{rsp_case.pk}").status_code == 404
    assert c.get(f"/api/support/rsp/{rsp_case.pk}").status_code == 404


def payload(world, **kw) -> dict:
    return {
        "organisation": world.trust.ods_code,
        "kind": "plan",
        "title": "Agree a recovery plan",
        "owner": world.org_user.username,
        "due": "2022-02-28",
    } | kw


def test_create_action_with_csrf(world, rsp_case):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.regional)
    body = json.dumps(payload(world))
    refused = c.post("/api/support/actions", body, content_type="application/json")
    assert refused.status_code == 403  # no CSRF token
    c.get("/support/")  # sets the CSRF cookie
    token = c.cookies["csrftoken"].value
    made = c.post(
        "/api/support/actions",
        body,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert made.status_code == 201, made.content
    data = made.json()
    action = SoagAction.objects.get(pk=data["id"])
    assert (action.title, action.owner, action.created_by, action.due) == (
        "Agree a recovery plan",
        world.org_user,
        world.regional,
        dt.date(2022, 2, 28),
    )
    listed = signed_in(world.org_user).get("/api/support/actions").json()
    assert [a["id"] for a in listed] == [action.pk]
    read = signed_in(world.icb).get(f"/api/support/actions/{action.pk}").json()
    assert read["status"] == "open" and read["overdue"] is True


@pytest.mark.parametrize("who", ["icb", "org_user"])
def test_only_regional_and_soag_create_actions(world, who):
    r = signed_in(getattr(world, who)).post(
        "/api/support/actions", json.dumps(payload(world)), content_type="application/json"
    )
    assert r.status_code == 403
    assert not SoagAction.objects.exists()


def test_create_action_outside_scope_is_refused(world):
    r = signed_in(world.soag).post(
        "/api/support/actions",
        json.dumps(payload(world, organisation="RC9")),
        content_type="application/json",
    )
    assert r.status_code == 403
    assert not SoagAction.objects.exists()


def test_create_action_bad_input(world):
    c = signed_in(world.regional)
    r = c.post(
        "/api/support/actions",
        json.dumps(payload(world, kind="sanctions")),
        content_type="application/json",
    )
    assert r.status_code == 422 and "not a SOAG action kind" in r.json()["detail"]
    r = c.post(
        "/api/support/actions",
        json.dumps(payload(world, system="QUE")),
        content_type="application/json",
    )
    assert r.status_code == 422 and "either" in r.json()["detail"]
    r = c.post(
        "/api/support/actions",
        json.dumps(payload(world, owner="nobody")),
        content_type="application/json",
    )
    assert r.status_code == 422


def test_action_filters(world):
    raise_action(
        user=world.regional,
        subject=world.trust,
        kind="plan",
        title="Late",
        owner=world.org_user,
        due=dt.date(2021, 1, 1),
    )
    raise_action(
        user=world.regional,
        subject=world.trust,
        kind="plan",
        title="Future",
        owner=world.org_user,
        due=dt.date(2999, 1, 1),
    )
    c = signed_in(world.regional)
    assert [a["title"] for a in c.get("/api/support/actions?overdue=true").json()] == ["Late"]
    assert [a["title"] for a in c.get("/api/support/actions?overdue=false").json()] == ["Future"]
