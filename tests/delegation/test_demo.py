"""The delegation demo on the governance demo's bodies: the whole scheme, three business cases
(one per route, at different stages, one refused), an urgent decision awaiting one partner,
dated as a story; loaded once."""

from __future__ import annotations

import datetime as dt

import pytest

from oversight.delegation.conflicts import not_deciding
from oversight.delegation.demo import load_delegation_demo
from oversight.delegation.models import (
    BusinessCase,
    CaseStatus,
    Dispute,
    ImprovementProject,
    Matter,
    MinutedDecision,
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
    evaluated = cases["local"].decisions.get(step="evaluation")
    assert [r.person.name for r in not_deciding(evaluated.item)] == [
        "Director of Finance, RGN (demo)"  # the hub is North West Anglia's (RGN)
    ]
    approved = MinutedDecision.objects.get()
    assert (approved.matter.reference, approved.entry.minutes.meeting.date) == (
        "5.13", dt.date(2022, 5, 18))  # fmt: skip
    dispute = Dispute.objects.get()
    assert (dispute.case, dispute.referred_on, dispute.outcome_on) == (
        cases["sif"], dt.date(2022, 7, 4), dt.date(2022, 7, 26))  # fmt: skip
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


def test_the_demo_login_records_under_the_scheme(client):
    from tests.factories import PersonFactory, UserFactory

    demo = UserFactory(username="demo")
    PersonFactory(user=demo)
    for short in ["SPB", "HCE", "CAG", "FPPG", "IC"]:
        BodyFactory(short_name=short, name=short)
    BodyFactory(short_name="DEG", name="DEG", kind="delivery_group")
    OrganisationFactory(ods_code="RGT", name="Cambridge University Hospitals")
    OrganisationFactory(ods_code="RGN", name="North West Anglia")
    load_delegation_demo()
    client.force_login(demo)
    waiting = BusinessCase.objects.get(route="none")  # waits for the DEG's gateway
    assert client.get(f"/governance/business-cases/{waiting.pk}/step/").status_code == 200
    assert client.get("/governance/urgent-decisions/new/").status_code == 200
    assert client.get("/governance/disputes/new/").status_code == 200


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
