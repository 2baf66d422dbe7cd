"""A case opened by an unpublished segment decision is not named to those who may not see it,
wherever an action serving it appears (action page, API ``case_id``); and an action cannot be
given to an owner who may not see its case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from oversight.support.actions import raise_action
from oversight.support.models import SupportCase
from tests.support.conftest import decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret_case(world):
    decide(world, 4, rationale="Critical finance concerns")  # unpublished: an RSP case
    case = SupportCase.objects.get()
    action = raise_action(user=world.regional, subject=world.trust, kind="plan",
                          title="Send the recovery plan", owner=world.icb,
                          due=dt.date(2030, 1, 31), case=case)
    return case, action


@pytest.mark.parametrize(("who", "named"), [("regional", True), ("icb", True),
                                            ("org_user", False), ("soag", False)])
def test_the_action_names_its_case_only_to_those_who_see_the_case(client, world, secret_case,
                                                                  who, named):
    case, action = secret_case
    client.force_login(getattr(world, who))
    page = client.get(f"/support/actions/{action.pk}/")
    assert page.status_code == 200
    assert (f"/support/cases/{case.pk}/" in page.content.decode()) is named
    api = client.get(f"/api/support/actions/{action.pk}")
    assert api.json()["case_id"] == (case.pk if named else None)
    listed = client.get("/api/support/actions").json()
    assert [a["case_id"] for a in listed] == [case.pk if named else None]


def test_an_action_cannot_be_owned_by_someone_who_may_not_see_its_case(world, secret_case):
    case, _ = secret_case
    with pytest.raises(ValidationError) as exc:
        raise_action(user=world.regional, subject=world.trust, kind="plan",
                     title="Explain", owner=world.org_user, due=dt.date(2030, 1, 31), case=case)
    assert "trust-user may not see the support case" in str(exc.value)


def test_the_api_refuses_such_an_owner_with_422(client, world, secret_case):
    case, _ = secret_case
    client.force_login(world.regional)
    response = client.post("/api/support/actions", {
        "organisation": world.trust.ods_code, "case_id": case.pk, "kind": "plan",
        "title": "Explain", "owner": "trust-user", "due": "2030-01-31",
    }, content_type="application/json")
    assert response.status_code == 422
    assert "may not see the support case" in response.json()["detail"]
