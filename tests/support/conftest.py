"""Fixtures for the support tests: a region, a system, a trust and people in each role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from oversight.access.models import Role
from tests.factories import (
    FrameworkFactory,
    OrganisationFactory,
    RegionFactory,
    SystemFactory,
)


@dataclass
class World:
    framework: Any
    region: Any
    system: Any
    trust: Any
    other_trust: Any
    regional: Any
    icb: Any
    soag: Any
    org_user: Any
    other_org_user: Any
    outsider: Any


def decide(world: World, segment: int, quarter: str = "Q2 2021/22", subject=None, **kw):
    """The regional team records a segment decision for the world's trust (or ``subject``)."""
    from oversight.segmentation.decisions import record_decision

    return record_decision(
        user=world.regional,
        framework=world.framework,
        subject=subject or world.trust,
        quarter=quarter,
        segment=segment,
        rationale=kw.pop("rationale", f"Segment {segment} on evidence"),
        **kw,
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    framework = FrameworkFactory(
        code="sof-2021-22",
        name="System Oversight Framework 2021/22",
        year_start=dt.date(2021, 4, 1),
        method="criteria",
    )
    region = RegionFactory(code="Y61", name="East of England")
    system = SystemFactory(code="QUE", name="Cambridgeshire and Peterborough", region=region)
    OrganisationFactory(
        ods_code="QUE",
        name="NHS Cambridgeshire and Peterborough ICB",
        kind="icb",
        host_system=system,
        region=region,
    )
    trust = OrganisationFactory(
        ods_code="RGN",
        name="North West Anglia NHS Foundation Trust",
        host_system=system,
        region=region,
    )
    other_system = SystemFactory(
        code="QHG", name="Bedfordshire, Luton and Milton Keynes", region=region
    )
    other_trust = OrganisationFactory(
        ods_code="RC9",
        name="Bedfordshire Hospitals NHS FT",
        host_system=other_system,
        region=region,
    )
    far_region = RegionFactory(code="Y56", name="London")

    def person(name: str, kind: str, **scope: Any):
        # no password: hashing one per user would dominate the run time
        user = get_user_model().objects.create(username=name, email=f"{name}@example.nhs.uk")
        Role.objects.create(user=user, kind=kind, **scope)
        return user

    return World(
        framework=framework,
        region=region,
        system=system,
        trust=trust,
        other_trust=other_trust,
        regional=person("regional", Role.Kind.REGIONAL, region=region),
        icb=person("icb", Role.Kind.ICB, system=system),
        soag=person("soag", Role.Kind.SOAG_MEMBER, system=system),
        org_user=person("trust-user", Role.Kind.ORGANISATION, organisation=trust),
        other_org_user=person("other-trust-user", Role.Kind.ORGANISATION, organisation=other_trust),
        outsider=person("outsider", Role.Kind.REGIONAL, region=far_region),
    )
