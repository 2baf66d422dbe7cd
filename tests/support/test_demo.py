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


def test_demo_events_carry_the_story_dates_not_the_load_day(demo_reference):
    """docs/demo.md's story: C&P's segment 4 decision in April 2025 opens its RSP case, its
    SID appointed in May 2025; the trust entered the RSP in 2021 and left it in March 2022."""
    import datetime as dt

    from oversight.segmentation.models import Decision
    from oversight.support.models import Transition

    load_support_demo()
    que = SupportCase.objects.get(system__code="QUE", kind=CaseKind.RSP)
    assert que.opened_at.date() == dt.date(2025, 4, 17)
    exited = SupportCase.objects.get(organisation__ods_code="RGN", kind=CaseKind.RSP)
    assert exited.opened_at.date() == dt.date(2021, 6, 28)
    assert exited.closed_at.date() == dt.date(2022, 3, 25)
    decided = sorted(d.decided_at.date() for d in Decision.objects.filter(system__code="QUE"))
    assert decided == [dt.date(2024, 7, 18), dt.date(2025, 4, 17)]
    # Every step of both cases, and every version-history row, happened on a story date.
    transitions = [t.at.date() for t in Transition.objects.all()]
    history = [h.history_date.date() for h in SupportCase.history.all()]
    assert transitions and max(transitions + history) <= dt.date(2025, 9, 30)
    assert min(transitions) >= dt.date(2021, 6, 28)
