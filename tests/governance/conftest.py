"""A small SOAG: a lay chair and three more ICB members, two NHS England directors (one of them
deputy chair), a routine attendee and the secretariat, with nominated deputies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from oversight.governance.models import Body, Meeting, Membership, Person, Position
from tests.factories import (
    BodyFactory,
    MeetingFactory,
    MembershipFactory,
    PersonFactory,
    RoleFactory,
    SystemFactory,
    UserFactory,
)


@dataclass
class Soag:
    body: Body
    meeting: Meeting
    chair: Membership
    icb: list[Membership]  # chair first, then three more ICB members
    nhse: list[Membership]  # deputy chair, then the performance director
    attendee: Membership
    secretariat: Membership
    deputies: dict[str, Person]  # the nominated deputy of each member, by member name

    def person(self, m: Membership) -> Person:
        return m.person


@pytest.fixture
def soag(db) -> Soag:
    system = SystemFactory(code="QUE", name="Cambridgeshire and Peterborough")
    body = BodyFactory(soag=True, system=system)

    def member(name, group, position=Position.MEMBER, user=None):
        deputy = PersonFactory(name=f"Deputy of {name}")
        return MembershipFactory(
            body=body,
            person=PersonFactory(name=name, user=user),
            position=position,
            quoracy_group=group,
            nominated_deputy=deputy,
        )

    member_user = UserFactory(username="member")
    RoleFactory(user=member_user, kind="soag_member", region=None, system=system)
    chair = member("Ada Chair", "icb_member", Position.CHAIR, UserFactory(username="chair"))
    icb = [
        chair,
        member("Ben ICB", "icb_member", user=member_user),
        member("Cal ICB", "icb_member"),
        member("Dee ICB", "icb_member"),
    ]
    nhse = [
        member("Eve NHSE", "nhse_director", Position.DEPUTY_CHAIR),
        member("Fay NHSE", "nhse_director"),
    ]
    attendee = MembershipFactory(
        body=body,
        person=PersonFactory(name="Gil Attendee", user=UserFactory(username="attendee")),
        position=Position.ROUTINE_ATTENDEE,
    )
    secretariat = MembershipFactory(
        body=body,
        person=PersonFactory(name="Hal Secretariat", user=UserFactory(username="secretariat")),
        position=Position.SECRETARIAT,
    )
    meeting = MeetingFactory(body=body, date=dt.date(2021, 8, 31))
    deputies = {m.person.name: m.nominated_deputy for m in [*icb, *nhse]}
    return Soag(body, meeting, chair, icb, nhse, attendee, secretariat, deputies)
