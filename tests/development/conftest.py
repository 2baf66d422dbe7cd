"""Fixtures for the development plan tests: the C&P system, people in each role, the plan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from oversight.access.models import Role
from tests.factories import OrganisationFactory, RegionFactory, SystemFactory, UserFactory


@dataclass
class World:
    region: Any
    system: Any
    other_system: Any
    regional: Any
    icb: Any
    soag: Any
    org_user: Any
    other_icb: Any
    other_regional: Any
    admin: Any


@pytest.fixture
def world(db) -> World:
    region = RegionFactory(code="Y61", name="East of England")
    elsewhere = RegionFactory(code="Y56", name="London")
    system = SystemFactory(code="QUE", name="Cambridgeshire and Peterborough", region=region)
    other = SystemFactory(code="QMM", name="Norfolk and Waveney", region=region)
    trust = OrganisationFactory(ods_code="RGT", host_system=system, region=region)

    def person(name: str, kind: str, **scope: Any) -> Any:
        user = UserFactory(username=name)
        Role.objects.create(user=user, kind=kind, **scope)
        return user

    return World(
        region=region,
        system=system,
        other_system=other,
        regional=person("demo", "regional", region=region),
        icb=person("icb-que", "icb", system=system),
        soag=person("soag-que", "soag_member", system=system),
        org_user=person("cuh", "organisation", organisation=trust),
        other_icb=person("icb-qmm", "icb", system=other),
        other_regional=person("london", "regional", region=elsewhere),
        admin=person("admin", "administrator"),
    )


@pytest.fixture
def demo_plan(world: World) -> Any:
    """Seed 004's plan and its four checkpoints, as the demo loads them."""
    from oversight.development.demo import load_development_demo
    from oversight.development.models import Plan

    load_development_demo()
    return Plan.objects.get(system=world.system)
