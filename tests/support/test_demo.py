"""The support demo: an RSP case mid-way for C&P and a closed (exited) case for a trust."""

from __future__ import annotations

import pytest

from oversight.access.models import Role
from oversight.metrics.catalogue import load_all
from oversight.support.demo import load_support_demo
from oversight.support.models import CaseKind, CaseStatus, SupportCase
from tests.factories import OrganisationFactory, RegionFactory, SystemFactory, UserFactory


@pytest.fixture
def demo_reference(db):
    load_all()
    region = RegionFactory(code="Y61", name="East of England")
    system = SystemFactory(code="QUE", name="Cambridgeshire and Peterborough", region=region)
    OrganisationFactory(
        ods_code="QUE",
        name="NHS Cambridgeshire and Peterborough ICB",
        kind="icb",
        host_system=system,
        region=region,
    )
    OrganisationFactory(
        ods_code="RGN",
        name="North West Anglia NHS Foundation Trust",
        host_system=system,
        region=region,
    )
    for name, kind, scope in [
        ("demo", "regional", {"region": region}),
        ("icb-que", "icb", {"system": system}),
        ("soag-que", "soag_member", {"system": system}),
    ]:
        Role.objects.create(user=UserFactory(username=name, password=None), kind=kind, **scope)


def test_demo_support_cases(demo_reference):
    first = load_support_demo()
    assert len(first.created) == 2
    que = SupportCase.objects.get(system__code="QUE", kind=CaseKind.RSP)
    assert que.status == CaseStatus.ACTIVE and que.segment == 4
    assert que.rsp.sid_appointed and que.rsp.stocktake_done
    criteria = list(que.rsp.criteria.all())
    assert len(criteria) == 4 and sum(c.met is True for c in criteria) == 2
    assert que.actions.count() == 2
    exited = SupportCase.objects.get(organisation__ods_code="RGN", kind=CaseKind.RSP)
    assert exited.status == CaseStatus.CLOSED
    assert exited.rsp.exit_decision.segment == 3
    # transitional mandated support followed the exit; the segment 2 decision of 2024/25 ended it
    transitional = SupportCase.objects.get(organisation__ods_code="RGN", kind=CaseKind.MANDATED)
    assert transitional.follows == exited and transitional.status == CaseStatus.CLOSED
    # C&P was in mandated support (segment 3) before the RSP replaced it (segment 4)
    mandated = SupportCase.objects.get(system__code="QUE", kind=CaseKind.MANDATED)
    assert mandated.status == CaseStatus.CLOSED and que.follows == mandated
    # idempotent
    count = SupportCase.objects.count()
    again = load_support_demo()
    assert again.created == [] and SupportCase.objects.count() == count
