"""Fixtures for the risk tests: the C&P system with two partner trusts, another system's trust,
people in each role and the system's strategic objectives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from oversight.access.models import Role
from tests.factories import (
    OrganisationFactory,
    RegionFactory,
    StrategicObjectiveFactory,
    SystemFactory,
)


@dataclass
class World:
    region: Any
    system: Any
    cuh: Any
    nwaft: Any
    other_system: Any
    other_trust: Any
    finance: Any  # strategic objective
    quality: Any
    regional: Any
    icb: Any
    soag: Any
    cuh_user: Any
    nwaft_user: Any
    other_user: Any
    outsider: Any


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    region = RegionFactory(code="Y61", name="East of England")
    system = SystemFactory(code="QUE", name="Cambridgeshire and Peterborough", region=region)
    cuh = OrganisationFactory(
        ods_code="RGT", name="Cambridge University Hospitals NHS Foundation Trust",
        host_system=system, region=region,
    )
    nwaft = OrganisationFactory(
        ods_code="RGN", name="North West Anglia NHS Foundation Trust",
        host_system=system, region=region,
    )
    other_system = SystemFactory(
        code="QHG", name="Bedfordshire, Luton and Milton Keynes", region=region
    )
    other_trust = OrganisationFactory(
        ods_code="RC9", name="Bedfordshire Hospitals NHS Foundation Trust",
        host_system=other_system, region=region,
    )
    far = RegionFactory(code="Y56", name="London")

    def person(name: str, kind: str, **scope: Any):
        user = get_user_model().objects.create(username=name, email=f"{name}@example.nhs.uk")
        Role.objects.create(user=user, kind=kind, **scope)
        return user

    return World(
        region=region,
        system=system,
        cuh=cuh,
        nwaft=nwaft,
        other_system=other_system,
        other_trust=other_trust,
        finance=StrategicObjectiveFactory(
            system=system, code="SO3", title="Deliver a sustainable financial position", order=3
        ),
        quality=StrategicObjectiveFactory(
            system=system, code="SO1", title="Improve quality and outcomes", order=1
        ),
        regional=person("regional", Role.Kind.REGIONAL, region=region),
        icb=person("icb", Role.Kind.ICB, system=system),
        soag=person("soag", Role.Kind.SOAG_MEMBER, system=system),
        cuh_user=person("cuh-user", Role.Kind.ORGANISATION, organisation=cuh),
        nwaft_user=person("nwaft-user", Role.Kind.ORGANISATION, organisation=nwaft),
        other_user=person("other-user", Role.Kind.ORGANISATION, organisation=other_trust),
        outsider=person("outsider", Role.Kind.REGIONAL, region=far),
    )
