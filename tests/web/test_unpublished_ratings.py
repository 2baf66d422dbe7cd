"""An organisation's own CQC upload is unpublished until its overseers publish it: a SOAG
member sees the rating published before it, not the new one, on the organisation page."""

from __future__ import annotations

import datetime as dt

import pytest

from oversight.access.models import Role
from tests.factories import (
    CqcRatingFactory,
    ImportBatchFactory,
    OrganisationFactory,
    RegionFactory,
    RoleFactory,
    SystemFactory,
)

pytestmark = pytest.mark.django_db


def test_an_unpublished_cqc_rating_is_seen_only_by_those_who_see_unpublished_data(client):
    region = RegionFactory(code="Y61")
    system = SystemFactory(code="QUE", region=region)
    org = OrganisationFactory(ods_code="RGT", host_system=system, region=region)
    loader = RoleFactory(kind=Role.Kind.ORGANISATION, region=None, organisation=org).user
    CqcRatingFactory(organisation=org, published=dt.date(2022, 3, 1), overall="good",
                     batch=ImportBatchFactory())
    CqcRatingFactory(organisation=org, published=dt.date(2025, 3, 1), overall="inadequate",
                     batch=ImportBatchFactory(created_by=loader, published_at=None))
    soag = RoleFactory(kind=Role.Kind.SOAG_MEMBER, region=None, system=system).user
    icb = RoleFactory(kind=Role.Kind.ICB, region=None, system=system).user
    for user, sees in ((soag, False), (icb, True), (loader, True)):
        client.force_login(user)
        page = client.get("/organisations/RGT/").content.decode()
        assert ("Inadequate" in page) is sees, user
        assert "Good" in page
