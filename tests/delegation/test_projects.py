"""Improvement projects (seed 003 §9.1): Design, Develop, Deploy, Deliver in order; the HCE's
sign-off needs a delivery or enabling group and an executive SRO, at a quorate HCE meeting."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from oversight.delegation.projects import advance, sign_off_project
from oversight.governance.meetings import record_attendance
from tests.factories import (
    BodyFactory,
    ImprovementProjectFactory,
    MeetingFactory,
    MembershipFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hce_meeting():
    hce = BodyFactory(short_name="HCE", name="Health and Care Executive")
    member = MembershipFactory(body=hce)
    meeting = MeetingFactory(body=hce, date=dt.date(2022, 2, 3))
    record_attendance(meeting, member.person)
    return meeting


def test_sign_off_needs_group_and_sro_then_stages_in_order(hce_meeting):
    project = ImprovementProjectFactory()
    with pytest.raises(
        ValidationError, match="needs a delivery or enabling group and an executive"
    ):
        sign_off_project(project, hce_meeting)
    with pytest.raises(ValidationError, match="needs the HCE's sign-off to leave Design"):
        advance(project, reason="Ready")
    project.group = BodyFactory(short_name="DEG", kind="delivery_group")
    project.sro = PersonFactory(name="Exec SRO")
    sign_off_project(project, hce_meeting)
    for stage in ["develop", "deploy", "deliver"]:
        advance(project, reason=f"Into {stage}")
        assert project.stage == stage
    with pytest.raises(ValidationError, match="no further stage"):
        advance(project, reason="More")
    assert project.history.count() == 5  # created, signed off, three stages


def test_sign_off_only_by_the_hce_and_not_to_a_board(hce_meeting):
    project = ImprovementProjectFactory(
        group=BodyFactory(short_name="SDB", kind="delivery_board"), sro=PersonFactory()
    )
    with pytest.raises(ValidationError, match="needs a delivery or enabling group"):
        sign_off_project(project, hce_meeting)
    cag = MeetingFactory(body=BodyFactory(short_name="CAG"))
    with pytest.raises(ValidationError, match="signed off by the HCE, not"):
        sign_off_project(project, cag)
