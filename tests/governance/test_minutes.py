"""Minutes: decisions only when quorate, no votes at the SOAG, conflicts minuted, approval at a
later meeting, publication, and a new version (who and why) for a change after approval."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from oversight.governance.interests import declare_interest, rule_on_conflict
from oversight.governance.meetings import add_item, record_attendance
from oversight.governance.minutes import (
    amend_minutes,
    approve_minutes,
    conflicts_minuted,
    draft_minutes,
    issue_draft,
    minutes_late,
    publish_minutes,
    raise_minute_action,
    record_minute,
)
from oversight.governance.models import MinutesStatus
from tests.factories import (
    BodyFactory,
    MeetingFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)

D = dt.date


@pytest.fixture
def quorate(soag):
    for m in [*soag.icb[:3], soag.nhse[0]]:
        record_attendance(soag.meeting, m.person)
    return soag


def test_a_quorate_meeting_records_a_consensus_decision(quorate):
    item = add_item(quorate.meeting, number="1", title="SOF 4 exit plan", purpose="decision")
    minutes = draft_minutes(quorate.meeting)
    entry = record_minute(
        minutes,
        item,
        discussion="The approach was considered.",
        decision="Approach to the SOF 4 exit plan agreed.",
        assurance="partial",
    )
    assert entry.decided == "consensus" and entry.assurance == "partial"


def test_an_inquorate_meeting_records_discussion_but_no_decision(soag):
    for m in soag.icb[:2]:
        record_attendance(soag.meeting, m.person)
    item = add_item(soag.meeting, number="1", title="Finance", purpose="decision")
    minutes = draft_minutes(soag.meeting)
    record_minute(minutes, item, discussion="H1 position noted.")
    with pytest.raises(ValidationError) as caught:
        record_minute(minutes, item, discussion="H1", decision="Agreed the plan.")
    [message] = caught.value.messages
    assert message.startswith("No decision can be recorded for item 1: Not quorate for item 1:")
    assert "only 2 ICB members" in message and "no NHS England director" in message
    assert message.endswith("Record the discussion only.")
    assert minutes.entries.get(item=item).decision == ""


def test_the_soag_takes_no_votes(quorate):
    item = add_item(quorate.meeting, number="1", title="X", purpose="decision")
    minutes = draft_minutes(quorate.meeting)
    with pytest.raises(ValidationError, match="SOAG takes no votes"):
        record_minute(
            minutes, item, decision="Agreed", decided="vote", votes_for=4, votes_against=0
        )


def test_another_body_records_the_vote(db):
    body = BodyFactory(short_name="IC")
    members = [MembershipFactory(body=body) for _ in range(3)]
    meeting = MeetingFactory(body=body)
    for m in members:
        record_attendance(meeting, m.person)
    item = add_item(meeting, number="1", title="Business case", purpose="approval")
    minutes = draft_minutes(meeting)
    with pytest.raises(ValidationError, match="votes for and against"):
        record_minute(minutes, item, decision="Approved", decided="vote")
    entry = record_minute(
        minutes, item, decision="Approved", decided="vote", votes_for=2, votes_against=1
    )
    assert (entry.votes_for, entry.votes_against) == (2, 1)


def test_an_excluded_member_is_in_the_minutes_and_out_of_the_quorum(quorate):
    trust = OrganisationFactory(ods_code="RGN", name="North West Anglia NHS Foundation Trust")
    conflicted = quorate.icb[2].person
    item = add_item(
        quorate.meeting,
        number="5",
        title="Provider undertakings",
        purpose="decision",
        part="B",
        organisation=trust,
    )
    declaration = declare_interest(
        conflicted,
        kind="organisational",
        financial=False,
        description="Chief executive of the trust",
        declared_on=D(2021, 4, 1),
        organisation=trust,
    )
    from oversight.governance.interests import possible_conflicts

    assert possible_conflicts(item) == [declaration]
    minutes = draft_minutes(quorate.meeting)
    rule_on_conflict(
        item,
        conflicted,
        "excluded",
        chair=quorate.chair.person,
        declaration=declaration,
        reason="The item concerns their trust.",
    )
    with pytest.raises(ValidationError, match="Cal ICB \\(excluded from the item\\)"):
        record_minute(minutes, item, decision="Undertakings accepted.")
    deputy = PersonFactory(name="Ivy Deputy")
    record_attendance(quorate.meeting, deputy, for_items=[item])
    rule_on_conflict(
        item,
        conflicted,
        "excluded",
        chair=quorate.chair.person,
        declaration=declaration,
        deputy=deputy,
        reason="The item concerns their trust.",
    )
    record_minute(minutes, item, decision="Undertakings accepted.")
    assert conflicts_minuted(minutes) == {
        item.pk: [
            "Cal ICB declared an organisational interest (Chief executive of the trust). The "
            "chair (Ada Chair) excluded them from the item; Ivy Deputy attended in their place. "
            "Reason: The item concerns their trust."
        ]
    }


def test_only_the_chair_rules_and_not_on_themselves(quorate):
    item = add_item(quorate.meeting, number="1", title="X", purpose="decision")
    with pytest.raises(ValidationError, match="does not chair SOAG"):
        rule_on_conflict(item, quorate.icb[1].person, "excluded", chair=quorate.icb[2].person)
    with pytest.raises(ValidationError, match="cannot rule on their own conflict"):
        rule_on_conflict(item, quorate.chair.person, "excluded", chair=quorate.chair.person)
    with pytest.raises(ValidationError, match="only when the chair excludes"):
        rule_on_conflict(
            item,
            quorate.icb[1].person,
            "participates",
            chair=quorate.chair.person,
            deputy=PersonFactory(),
        )


def test_lifecycle_draft_approved_published_then_a_new_version(quorate):
    secretary = UserFactory(username="sec")
    item = add_item(quorate.meeting, number="1", title="UEC", purpose="assure")
    minutes = draft_minutes(quorate.meeting, user=secretary)
    record_minute(minutes, item, discussion="ICPs set out their plans.", assurance="limited")
    issue_draft(minutes, at=dt.datetime(2021, 9, 10, 12, tzinfo=dt.UTC))
    assert not minutes_late(quorate.meeting)
    with pytest.raises(ValidationError, match="later meeting"):
        approve_minutes(minutes, quorate.meeting)
    september = MeetingFactory(body=quorate.body, date=D(2021, 9, 28))
    with pytest.raises(ValidationError, match="cannot approve minutes: Not quorate"):
        approve_minutes(minutes, september)
    for m in [*quorate.icb[:3], quorate.nhse[1]]:
        record_attendance(september, m.person)
    approve_minutes(minutes, september, user=secretary)
    assert minutes.status == MinutesStatus.APPROVED
    with pytest.raises(ValidationError, match="a change needs a new version"):
        record_minute(minutes, item, discussion="Changed")
    publish_minutes(minutes)
    with pytest.raises(ValidationError, match="Say why"):
        amend_minutes(minutes, user=secretary, reason=" ")
    second = amend_minutes(minutes, user=secretary, reason="Correct the assurance level")
    assert (second.version, second.status, second.supersedes) == (2, "draft", minutes)
    assert second.changed_by == secretary
    assert second.change_reason == "Correct the assurance level"
    copied = second.entries.get(item=item)
    assert copied.discussion == "ICPs set out their plans." and copied.assurance == "limited"
    record_minute(second, item, discussion="ICPs set out their plans.", assurance="partial")
    assert minutes.entries.get(item=item).assurance == "limited"  # version 1 unchanged
    with pytest.raises(ValidationError, match="not the latest version"):
        amend_minutes(minutes, user=secretary, reason="Again")


def test_minutes_late_after_ten_working_days(soag):
    # 31 August 2021: draft minutes due 14 September.
    assert not minutes_late(soag.meeting, D(2021, 9, 14))
    assert minutes_late(soag.meeting, D(2021, 9, 15))
    minutes = draft_minutes(soag.meeting)
    issue_draft(minutes, at=dt.datetime(2021, 9, 15, 9, tzinfo=dt.UTC))
    assert minutes_late(soag.meeting)


def test_escalation_says_what(quorate):
    item = add_item(quorate.meeting, number="1", title="X", purpose="assure")
    minutes = draft_minutes(quorate.meeting)
    with pytest.raises(ValidationError, match="escalated to the board"):
        record_minute(minutes, item, escalate_to_board=True)


def test_actions_are_soag_actions_linked_from_the_minute(quorate):
    item = add_item(quorate.meeting, number="1", title="UEC", purpose="assure")
    minutes = draft_minutes(quorate.meeting)
    entry = minutes.entries.get(item=item)
    owner = UserFactory(username="owner")
    trust = OrganisationFactory()
    action = raise_minute_action(
        entry,
        user=owner,
        subject=trust,
        kind="plan",
        title="UEC improvement plan",
        owner=owner,
        due=D(2021, 10, 26),
    )
    assert list(entry.actions.all()) == [action]
    assert action.owner == owner and action.status == "open"
