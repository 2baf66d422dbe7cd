"""The delegation demo on the governance demo's bodies: the whole scheme, three business cases
(one per route, at different stages, one refused), an urgent decision awaiting one partner,
dated as a story; loaded once."""

from __future__ import annotations

import datetime as dt

import pytest

from oversight.delegation.demo import load_delegation_demo
from oversight.delegation.models import (
    BusinessCase,
    CaseStatus,
    ImprovementProject,
    Matter,
    StepDecision,
    UrgentDecision,
)
from oversight.delegation.urgent import status
from tests.factories import BodyFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_the_demo_tells_the_story():
    for short in ["SPB", "HCE", "CAG", "FPPG", "IC"]:
        BodyFactory(short_name=short, name=short)
    BodyFactory(short_name="DEG", name="DEG", kind="delivery_group")
    OrganisationFactory(ods_code="RGT", name="Cambridge University Hospitals")
    OrganisationFactory(ods_code="RGN", name="North West Anglia")
    load_delegation_demo()
    assert Matter.objects.count() == 105
    cases = {c.route: c for c in BusinessCase.objects.all()}
    assert cases["sif"].status == CaseStatus.SIGNED_OFF and cases["sif"].outcome == "part"
    final = cases["sif"].sign_offs.filter(final=True).order_by("signed_on")
    assert [s.signed_on for s in final] == [dt.date(2022, 6, 9), dt.date(2022, 6, 30)]
    assert cases["local"].status == CaseStatus.REFUSED
    assert cases["none"].status == CaseStatus.VISION
    first = StepDecision.objects.order_by("decided_at").first()
    assert (
        first.decided_at.date() == dt.date(2022, 1, 17)
        and first.meeting.date == first.decided_at.date()
    )
    urgent = UrgentDecision.objects.get()
    states = {
        p["organisation"].ods_code: p["state"]
        for p in status(urgent, dt.date(2023, 1, 20))["partners"]
    }
    assert states == {"RGT": "ratified", "RGN": "awaiting"}
    projects = {p.title: p.stage for p in ImprovementProject.objects.all()}
    assert projects == {"Falls prevention": "deploy", "Outpatient transformation": "design"}
    assert load_delegation_demo().describe() == "Delegation: already loaded"


def test_api_lists_cases_and_urgent_decisions(client):
    from tests.factories import RoleFactory

    for short in ["SPB", "HCE", "CAG", "FPPG", "IC"]:
        BodyFactory(short_name=short, name=short)
    BodyFactory(short_name="DEG", name="DEG", kind="delivery_group")
    OrganisationFactory(ods_code="RGT", name="Cambridge University Hospitals")
    OrganisationFactory(ods_code="RGN", name="North West Anglia")
    load_delegation_demo()
    client.force_login(RoleFactory().user)
    cases = {c["route"]: c for c in client.get("/api/delegation/business-cases").json()}
    assert (cases["sif"]["amount_awarded"], cases["sif"]["outcome"]) == (600000.0, "part")
    assert cases["local"]["status"] == "refused" and cases["none"]["next_step"] == "gateway"
    [urgent] = client.get("/api/delegation/urgent-decisions").json()
    states = {p["organisation"]: p["state"] for p in urgent["partners"]}
    assert states["Cambridge University Hospitals"] == "ratified"
    assert states["North West Anglia"] == "overdue"  # its 26 January 2023 meeting has passed
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/delegation/business-cases" in paths and "/api/delegation/urgent-decisions" in paths
