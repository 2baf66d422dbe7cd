"""Quoracy of the SOAG (terms of reference v1.7, 5.1): three ICB members and one Director from
NHSE/I present; a nominated deputy counts for the member they replace (4.3); a member the chair
excludes for a conflict does not count for that item (7.6-7.7)."""

import pytest
from django.core.exceptions import ValidationError

from oversight.governance.interests import rule_on_conflict
from oversight.governance.meetings import add_item, record_attendance
from oversight.governance.quoracy import quoracy
from tests.factories import BodyFactory, MeetingFactory, MembershipFactory, PersonFactory


def present(soag, *memberships):
    for m in memberships:
        record_attendance(soag.meeting, m.person)


def test_three_icb_members_and_one_nhse_director_are_quorate(soag):
    present(soag, *soag.icb[:3], soag.nhse[1])
    result = quoracy(soag.meeting)
    assert result.quorate
    assert result.reason.startswith("Quorate: 3 ICB members (Ada Chair, Ben ICB, Cal ICB)")
    assert "1 NHS England director (Fay NHSE), 1 needed" in result.reason


def test_two_icb_members_are_not_enough(soag):
    present(soag, *soag.icb[:2], *soag.nhse)
    result = quoracy(soag.meeting)
    assert not result.quorate
    assert "only 2 ICB members" in result.reason and "3 needed" in result.reason


def test_nhs_england_director_missing(soag):
    present(soag, *soag.icb)
    result = quoracy(soag.meeting)
    assert not result.quorate
    assert "no NHS England director, 1 needed" in result.reason


def test_attendees_and_secretariat_do_not_count(soag):
    present(soag, *soag.icb[:2], soag.nhse[0], soag.attendee, soag.secretariat)
    assert not quoracy(soag.meeting)


def test_apologies_do_not_count(soag):
    present(soag, *soag.icb[:2], soag.nhse[0])
    record_attendance(soag.meeting, soag.icb[2].person, "apologies")
    assert not quoracy(soag.meeting)


def test_nominated_deputy_counts_for_the_member_they_replace(soag):
    present(soag, *soag.icb[:2], soag.nhse[0])
    absent = soag.icb[2]
    record_attendance(soag.meeting, absent.nominated_deputy, deputising_for=absent)
    result = quoracy(soag.meeting)
    assert result.quorate
    assert "Cal ICB (deputy Deputy of Cal ICB)" in result.reason


def test_deputy_not_nominated_does_not_count(soag):
    present(soag, *soag.icb[:2], soag.nhse[0])
    stand_in = PersonFactory(name="Someone Else")
    record_attendance(soag.meeting, stand_in, deputising_for=soag.icb[2])
    result = quoracy(soag.meeting)
    assert not result.quorate
    assert "Someone Else (deputy for Cal ICB, not the nominated deputy)" in result.reason


def test_deputy_for_the_nhse_director(soag):
    present(soag, *soag.icb[:3])
    director = soag.nhse[1]
    record_attendance(soag.meeting, director.nominated_deputy, deputising_for=director)
    assert quoracy(soag.meeting)


def test_a_member_holding_two_roles_counts_once(soag):
    # Annex 1: one person may represent more than one sector.
    MembershipFactory(
        body=soag.body,
        person=soag.icb[1].person,
        sector="Local Government",
        quoracy_group="icb_member",
    )
    present(soag, soag.icb[0], soag.icb[1], soag.nhse[0])
    result = quoracy(soag.meeting)
    assert not result.quorate
    assert "only 2 ICB members" in result.reason


def test_member_excluded_for_a_conflict_does_not_count_for_that_item(soag):
    present(soag, *soag.icb[:3], soag.nhse[0])
    item = add_item(
        soag.meeting, number="5", title="Provider undertakings", purpose="decision", part="B"
    )
    other = add_item(soag.meeting, number="6", title="Finance", purpose="decision")
    rule_on_conflict(item, soag.icb[2].person, "excluded", chair=soag.chair.person)
    assert quoracy(soag.meeting).quorate
    assert quoracy(soag.meeting, other).quorate
    result = quoracy(soag.meeting, item)
    assert not result.quorate
    assert result.reason.startswith("Not quorate for item 5: only 2 ICB members")
    assert "Cal ICB (excluded from the item)" in result.reason


def test_discussion_only_does_not_count_for_the_decision(soag):
    present(soag, *soag.icb[:3], soag.nhse[0])
    item = add_item(soag.meeting, number="5", title="Provider", purpose="decision")
    rule_on_conflict(item, soag.icb[0].person, "discussion_only", chair=soag.nhse[0].person)
    assert not quoracy(soag.meeting, item)


def test_deputy_attending_for_an_excluded_member_counts(soag):
    present(soag, *soag.icb[:3], soag.nhse[0])
    item = add_item(soag.meeting, number="5", title="Provider", purpose="decision", part="B")
    deputy = PersonFactory(name="Ivy Deputy")
    record_attendance(soag.meeting, deputy, for_items=[item])
    rule_on_conflict(item, soag.icb[2].person, "excluded", chair=soag.chair.person, deputy=deputy)
    result = quoracy(soag.meeting, item)
    assert result.quorate
    assert "Cal ICB (deputy Ivy Deputy)" in result.reason


def test_attendance_for_some_items_counts_only_for_them(soag):
    present(soag, *soag.icb[:2], soag.nhse[0])
    first = add_item(soag.meeting, number="1", title="UEC", purpose="assure")
    second = add_item(soag.meeting, number="2", title="Finance", purpose="decision")
    record_attendance(soag.meeting, soag.icb[2].person, for_items=[second])
    assert not quoracy(soag.meeting, first)
    assert quoracy(soag.meeting, second)


def test_a_member_whose_term_ended_does_not_count(soag):
    import datetime as dt

    left = soag.icb[2]
    left.end = dt.date(2021, 7, 31)
    left.save()
    present(soag, *soag.icb[:3], soag.nhse[0])
    assert not quoracy(soag.meeting)


def test_other_bodies_use_their_own_rule(db):
    # No rule recorded: more than half of the members (bodies.yaml defaults).
    body = BodyFactory()
    members = [MembershipFactory(body=body) for _ in range(4)]
    meeting = MeetingFactory(body=body)
    for m in members[:2]:
        record_attendance(meeting, m.person)
    assert not quoracy(meeting)
    record_attendance(meeting, members[2].person)
    result = quoracy(meeting)
    assert result.quorate and "3 members" in result.reason and "3 needed" in result.reason


def test_an_unusable_rule_is_reported(db):
    body = BodyFactory(short_name="BAD", quoracy={"require": [{"group": "x"}]})
    with pytest.raises(ValueError, match="body BAD quoracy, requirement 1: give either"):
        quoracy(MeetingFactory(body=body))


def test_a_deputy_for_a_non_member_is_refused(soag):
    with pytest.raises(ValidationError, match="stands in for a member"):
        record_attendance(soag.meeting, PersonFactory(), deputising_for=soag.attendee)


def test_a_body_refuses_a_rule_it_cannot_apply(db):
    body = BodyFactory(short_name="BAD2")
    body.quoracy = {"require": [{"group": "icb_member"}]}
    body.deadlines = {"papers_before": "five"}
    with pytest.raises(ValidationError) as caught:
        body.full_clean()
    assert set(caught.value.message_dict) == {"quoracy", "deadlines"}
    assert (
        "requirement 1: give either 'at_least: N' or 'majority: true'"
        in (caught.value.message_dict["quoracy"][0])
    )
