"""The one rule for what is not public: unpublished data and Part B business."""

import pytest

from oversight.access.visibility import PUBLIC, Restriction, may_see
from tests.factories import OrganisationFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    mine = OrganisationFactory()
    other = OrganisationFactory()
    return mine, other


def role(kind, **scope):
    return RoleFactory(kind=kind, **scope).user


def test_unpublished_data_is_seen_by_its_organisation_and_the_teams_over_it(world) -> None:
    mine, other = world
    restriction = Restriction.unpublished(mine.pk)
    assert may_see(role("organisation", organisation=mine), restriction)
    assert not may_see(role("organisation", organisation=other), restriction)
    assert may_see(role("icb", system=mine.host_system), restriction)
    assert may_see(role("regional", region=mine.region), restriction)
    assert may_see(role("administrator"), restriction)
    # SOAG members read published data only, even in their own system.
    assert not may_see(role("soag_member", system=mine.host_system), restriction)


def test_part_b_is_seen_by_its_audience_only(world) -> None:
    member, outsider = UserFactory(), role("administrator")
    confidential = Restriction.confidential([member.pk])
    assert may_see(member, confidential)
    assert not may_see(outsider, confidential)
    assert may_see(outsider, PUBLIC)
