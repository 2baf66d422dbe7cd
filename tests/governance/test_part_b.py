"""Part B items (individual providers' regulatory matters) and their papers and minutes are
seen only by the meeting's members, the item's attendees and the secretariat: nobody else sees
even their titles, in lists, the API or the minutes export."""

import pytest
from django.test import Client

from oversight.governance.meetings import add_item, record_attendance
from oversight.governance.minutes import draft_minutes, record_minute
from oversight.governance.models import AgendaItem, Paper
from oversight.governance.papers import add_paper
from oversight.governance.rules import can_see_body
from oversight.governance.visibility import item_audience, visible_items, visible_papers
from tests.factories import PersonFactory, RoleFactory, UserFactory

SECRET = "Undertakings at Example Trust"


@pytest.fixture
def business(soag):
    for m in [*soag.icb[:3], soag.nhse[0]]:
        record_attendance(soag.meeting, m.person)
    part_a = add_item(soag.meeting, number="1", title="Urgent and emergency care", purpose="assure")
    part_b = add_item(soag.meeting, number="2", title=SECRET, purpose="decision", part="B")
    guest = PersonFactory(name="Trust CEO", user=UserFactory(username="guest"))
    record_attendance(soag.meeting, guest, for_items=[part_b])
    add_paper(part_a, title="UEC dashboard", report_purpose="assure")
    add_paper(part_b, title=f"{SECRET}: paper", report_purpose="decision")
    minutes = draft_minutes(soag.meeting)
    record_minute(minutes, part_a, discussion="ICP plans set out.")
    record_minute(minutes, part_b, discussion="Regulatory position.", decision="Accepted.")
    regional = RoleFactory(user=UserFactory(username="regional"), region=soag.body.system.region)
    return soag, part_a, part_b, regional.user


def users(*names):
    from django.contrib.auth import get_user_model

    return {u.username: u for u in get_user_model().objects.filter(username__in=names)}


def test_audience(business):
    soag, _, part_b, _ = business
    u = users("chair", "member", "secretariat", "guest", "attendee", "regional")
    audience = item_audience(part_b)
    assert {u["chair"].pk, u["member"].pk, u["secretariat"].pk, u["guest"].pk} <= audience
    assert u["attendee"].pk not in audience  # a routine attendee not attending the item
    assert u["regional"].pk not in audience


@pytest.mark.parametrize(
    ("username", "sees"),
    [
        ("chair", True),
        ("member", True),
        ("secretariat", True),
        ("guest", True),
        ("attendee", False),
        ("regional", False),
    ],
)
def test_lists(business, username, sees):
    soag, part_a, part_b, _ = business
    user = users(username)[username]
    items = visible_items(user, AgendaItem.objects.filter(meeting=soag.meeting))
    assert (part_b in items) is sees and part_a in items
    titles = [p.title for p in visible_papers(user, Paper.objects.all())]
    assert (f"{SECRET}: paper" in titles) is sees and "UEC dashboard" in titles


@pytest.mark.parametrize(
    ("username", "sees"),
    [("member", True), ("secretariat", True), ("attendee", False), ("regional", False)],
)
def test_api_agenda_and_minutes_export(business, username, sees):
    soag, *_ = business
    user = users(username)[username]
    assert can_see_body(user, soag.body)
    client = Client()
    client.force_login(user)
    agenda = client.get(f"/api/governance/meetings/{soag.meeting.pk}/agenda")
    assert agenda.status_code == 200
    assert (SECRET in agenda.content.decode()) is sees
    assert [i["number"] for i in agenda.json()] == (["1", "2"] if sees else ["1"])
    export = client.get(f"/api/governance/meetings/{soag.meeting.pk}/minutes.csv")
    assert export.status_code == 200
    text = export.content.decode()
    assert "Urgent and emergency care" in text
    assert (SECRET in text) is sees and ("Regulatory position" in text) is sees


def test_someone_outside_the_system_sees_no_body(business):
    soag, *_ = business
    stranger = RoleFactory(user=UserFactory(username="stranger")).user  # another region
    client = Client()
    client.force_login(stranger)
    assert client.get("/api/governance/bodies").json() == []
    response = client.get(f"/api/governance/meetings/{soag.meeting.pk}/agenda")
    assert response.status_code == 404
    assert SECRET not in response.content.decode()


def test_signed_out_gets_401(business):
    soag, *_ = business
    assert Client().get(f"/api/governance/meetings/{soag.meeting.pk}/agenda").status_code == 401


def test_minutes_export_carries_no_formula(business):
    soag, part_a, *_ = business
    from oversight.governance.minutes import current_minutes

    record_minute(current_minutes(soag.meeting), part_a, discussion='=HYPERLINK("http://x")')
    client = Client()
    client.force_login(users("member")["member"])
    text = client.get(f"/api/governance/meetings/{soag.meeting.pk}/minutes.csv").content.decode()
    assert "'=HYPERLINK" in text
