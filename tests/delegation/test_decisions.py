"""Decisions minuted under the scheme of delegation: the holder decides; another body's minute
is refused or recorded only as a recommendation to the holder; a chair's matter is not a
meeting's; an inquorate meeting decides nothing (governance's quoracy, a majority of members
by default)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from oversight.delegation.decisions import minute_decision
from oversight.delegation.models import MinutedDecision, Outcome
from oversight.delegation.scheme import load_scheme
from oversight.governance.meetings import add_item, record_attendance
from oversight.governance.minutes import draft_minutes
from tests.factories import BodyFactory, MeetingFactory, MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    bodies = {
        s: BodyFactory(short_name=s, name=n)
        for s, n in [
            ("SPB", "System Partnership Board"),
            ("HCE", "Health and Care Executive"),
            ("CAG", "Care Advisory Group"),
        ]
    }
    scheme = load_scheme(approved_on=dt.date(2017, 11, 30))
    members = {
        s: [MembershipFactory(body=b, person=PersonFactory()) for _ in range(3)]
        for s, b in bodies.items()
    }
    return bodies, scheme, members


def _minutes(body, members, present: int, day=dt.date(2018, 1, 10)):
    meeting = MeetingFactory(body=body, date=day)
    for m in members[:present]:
        record_attendance(meeting, m.person)
    item = add_item(meeting, number="1", title="Business case", purpose="decision")
    return draft_minutes(meeting), item


def _matter(scheme, start: str):
    return scheme.matters.get(text__startswith=start)


def test_the_holder_decides_under_its_matter(setting):
    bodies, scheme, members = setting
    minutes, item = _minutes(bodies["HCE"], members["HCE"], present=2)
    matter = _matter(scheme, "To approve business cases")
    entry = minute_decision(minutes, item, matter, decision="Business case approved.")
    link = MinutedDecision.objects.get(entry=entry)
    assert (link.matter, link.outcome, link.recommended_to) == (matter, Outcome.DECISION, None)
    assert link.history.first().history_change_reason == "Decision under matter 5.13"


def test_a_decision_outside_delegation_is_refused(setting):
    bodies, scheme, members = setting
    minutes, item = _minutes(bodies["CAG"], members["CAG"], present=3)
    matter = _matter(scheme, "To approve business cases")
    with pytest.raises(ValidationError, match="Care Advisory Group does not hold matter 5.13"):
        minute_decision(minutes, item, matter, decision="Business case approved.")
    assert not MinutedDecision.objects.exists()
    assert minutes.entries.get(item=item).decision == ""


def test_or_recorded_only_as_a_recommendation_to_the_holder(setting):
    bodies, scheme, members = setting
    minutes, item = _minutes(bodies["CAG"], members["CAG"], present=3)
    matter = _matter(scheme, "To approve business cases")
    entry = minute_decision(
        minutes, item, matter, decision="Recommend approval to the HCE.", as_recommendation=True
    )
    link = entry.delegation
    assert link.outcome == Outcome.RECOMMENDATION
    assert link.recommended_to.name == "Health and Care Executive"


def test_a_statutory_matter_is_no_partnership_bodys_decision(setting):
    bodies, scheme, members = setting
    minutes, item = _minutes(bodies["SPB"], members["SPB"], present=3)
    matter = _matter(scheme, "To approve options for future organisational form")
    with pytest.raises(ValidationError, match="held by the Boards and governing bodies"):
        minute_decision(minutes, item, matter, decision="Options approved.")


def test_a_chairs_matter_is_not_the_meetings(setting):
    bodies, scheme, members = setting
    minutes, item = _minutes(bodies["HCE"], members["HCE"], present=3)
    matter = scheme.matters.get(table=5, text__startswith="To determine the need for Urgent")
    with pytest.raises(ValidationError, match="held by the Chair of Health and Care Executive"):
        minute_decision(minutes, item, matter, decision="Urgent decision needed.")


def test_an_inquorate_decision_is_refused(setting):
    bodies, scheme, members = setting
    minutes, item = _minutes(bodies["HCE"], members["HCE"], present=1)  # 1 of 3: no majority
    matter = _matter(scheme, "To approve business cases")
    with pytest.raises(ValidationError, match="No decision can be recorded for item 1"):
        minute_decision(minutes, item, matter, decision="Business case approved.")
    assert not MinutedDecision.objects.exists()


def test_an_inquorate_recommendation_is_refused_too(setting):
    bodies, scheme, members = setting
    minutes, item = _minutes(bodies["CAG"], members["CAG"], present=1)
    matter = _matter(scheme, "To approve business cases")
    with pytest.raises(ValidationError, match="No decision can be recorded"):
        minute_decision(minutes, item, matter, decision="Recommend.", as_recommendation=True)


def test_a_meeting_before_the_scheme_was_approved_cannot_use_it(setting):
    bodies, scheme, members = setting
    minutes, item = _minutes(bodies["HCE"], members["HCE"], present=3, day=dt.date(2017, 6, 1))
    matter = _matter(scheme, "To approve business cases")
    with pytest.raises(ValidationError, match="approved on 30 November 2017, after the meeting"):
        minute_decision(minutes, item, matter, decision="Business case approved.")
