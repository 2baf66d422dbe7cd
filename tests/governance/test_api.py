"""The governance API: bodies, members, meetings with deadlines and quoracy; attendance and
declarations recorded by the secretariat only."""

import datetime as dt
import json

import pytest
from django.test import Client

from oversight.governance.models import Declaration
from tests.factories import OrganisationFactory, PersonFactory, TermsOfReferenceFactory


def client_for(username):
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_bodies_and_members(soag):
    TermsOfReferenceFactory(
        body=soag.body, version="1.7", dated=dt.date(2021, 8, 1), approved_on=dt.date(2021, 8, 3)
    )
    client = client_for("member")
    [body] = client.get("/api/governance/bodies").json()
    assert body["short_name"] == "SOAG" and body["decision_method"] == "consensus"
    assert body["terms"]["version"] == "1.7"
    assert body["terms"]["review_due"] == "2022-08-03"
    members = client.get("/api/governance/bodies/soag/members?on=2021-08-31").json()
    chair = next(m for m in members if m["person"] == "Ada Chair")
    assert chair["position"] == "chair" and chair["quoracy_group"] == "icb_member"
    assert chair["nominated_deputy"] == "Deputy of Ada Chair"
    assert {m["position"] for m in members} >= {"secretariat", "routine_attendee"}


def test_meetings_with_deadlines_and_quoracy(soag):
    client = client_for("member")
    [meeting] = client.get(
        "/api/governance/bodies/SOAG/meetings?from=2021-08-01&to=2021-08-31"
    ).json()
    assert meeting["date"] == "2021-08-31" and meeting["kind"] == "scheduled"
    assert meeting["papers_due"] == "2021-08-23" and meeting["minutes_due"] == "2021-09-14"
    assert meeting["quorate"] is False
    assert client.get("/api/governance/bodies/SOAG/meetings?from=2021-09-01").json() == []


def test_secretariat_records_attendance_and_quoracy_changes(soag):
    url = f"/api/governance/meetings/{soag.meeting.pk}/attendance"
    client = client_for("secretariat")
    for m in [*soag.icb[:3]]:
        assert post(client, url, {"person_id": m.person.pk}).status_code == 201
    deputy = soag.nhse[1].nominated_deputy
    answer = post(
        client, url, {"person_id": deputy.pk, "deputising_for": soag.nhse[1].pk, "mode": "remote"}
    )
    assert answer.status_code == 201
    data = answer.json()
    assert data["quorate"] is True
    assert "Fay NHSE (deputy Deputy of Fay NHSE)" in data["quoracy_reason"]
    assert data["attendance"]["deputising_for"] == "Fay NHSE"
    rows = client.get(url).json()
    assert len(rows) == 4


@pytest.mark.parametrize("username", ["member", "chair", "attendee"])
def test_others_may_not_record_attendance(soag, username):
    url = f"/api/governance/meetings/{soag.meeting.pk}/attendance"
    answer = post(client_for(username), url, {"person_id": soag.icb[0].person.pk})
    assert answer.status_code == 403
    assert not soag.meeting.attendances.exists()


def test_bad_attendance_is_422(soag):
    url = f"/api/governance/meetings/{soag.meeting.pk}/attendance"
    client = client_for("secretariat")
    assert post(client, url, {"person_id": 999999}).status_code == 422
    answer = post(
        client, url, {"person_id": soag.icb[0].person.pk, "deputising_for": soag.icb[0].pk}
    )
    assert answer.status_code == 422
    assert answer.json()["detail"] == "A member cannot deputise for themselves."
    assert (
        post(client, url, {"person_id": soag.icb[0].person.pk, "status": "asleep"}).status_code
        == 422
    )


def test_declarations(soag):
    trust = OrganisationFactory(ods_code="RGT")
    payload = {
        "person_id": soag.icb[2].person.pk,
        "kind": "organisational",
        "financial": False,
        "description": "Chief executive of RGT",
        "declared_on": "2021-08-31",
        "organisation": "RGT",
        "meeting_id": soag.meeting.pk,
    }
    assert post(client_for("member"), "/api/governance/declarations", payload).status_code == 403
    answer = post(client_for("secretariat"), "/api/governance/declarations", payload)
    assert answer.status_code == 201, answer.content
    assert answer.json()["review_due"] == "2022-08-31"
    declaration = Declaration.objects.get()
    assert declaration.organisation == trust and declaration.declared_at == soag.meeting
    assert declaration.history.first().history_user.username == "secretariat"
    register = client_for("member").get("/api/governance/declarations?body=SOAG").json()
    assert [d["description"] for d in register] == ["Chief executive of RGT"]
    outsider = PersonFactory()
    answer = post(
        client_for("secretariat"),
        "/api/governance/declarations",
        {**payload, "person_id": outsider.pk},
    )
    assert answer.status_code == 403


def test_openapi_documents_the_governance_api(soag):
    schema = client_for("member").get("/api/openapi.json").json()
    paths = schema["paths"]
    assert "/api/governance/bodies/{short_name}/meetings" in paths
    post_attendance = paths["/api/governance/meetings/{meeting_id}/attendance"]["post"]
    assert set(post_attendance["responses"]) >= {"201", "403", "404", "422"}
    meeting = schema["components"]["schemas"]["MeetingOut"]["properties"]
    assert {"date", "kind", "quorate", "papers_due", "minutes_due"} <= set(meeting)
