"""Organisation and place pages: segment (proposed, decided, history), CQC rating, open support
cases and SOAG actions, each as the viewer may see them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from oversight.access.models import Role
from oversight.metrics.models import Framework
from oversight.segmentation.decisions import record_decision
from oversight.support.actions import raise_action
from oversight.support.models import CaseKind, SupportCase
from tests.factories import (
    CqcRatingFactory,
    FrameworkFactory,
    OrganisationFactory,
    PlaceFactory,
    ProposalFactory,
    RegionFactory,
    RoleFactory,
    SystemFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def place_world():
    framework = FrameworkFactory(
        code="sof-2021-22",
        name="System Oversight Framework 2021/22",
        year_start=dt.date(2021, 4, 1),
        method=Framework.Method.CRITERIA,
    )
    region = RegionFactory(code="Y61", name="East of England")
    system = SystemFactory(code="QUE", name="Cambridgeshire and Peterborough", region=region)
    north = PlaceFactory(system=system, code="NORTH", name="North ICP")
    trust = OrganisationFactory(
        ods_code="RGN", name="North West Anglia", host_system=system, place=north, region=region
    )
    calm = OrganisationFactory(
        ods_code="RT1",
        name="Calm Community Trust",
        host_system=system,
        place=north,
        region=region,
        kind="community",
    )
    for quarter, end, segment in [
        ("Q1 2021/22", dt.date(2021, 6, 30), 2),
        ("Q2 2021/22", dt.date(2021, 9, 30), 3),
    ]:
        ProposalFactory(
            framework=framework,
            organisation=trust,
            quarter=quarter,
            quarter_end=end,
            segment=segment,
            digest=quarter,
            inputs_version="test",
            computed_at=timezone.now(),
        )
    regional = RoleFactory(kind=Role.Kind.REGIONAL, region=region).user
    CqcRatingFactory(organisation=trust, published=dt.date(2019, 1, 1))
    CqcRatingFactory(
        organisation=trust,
        published=dt.date(2021, 3, 1),
        overall="requires_improvement",
        well_led="inadequate",
    )
    return {
        "framework": framework,
        "system": system,
        "place": north,
        "trust": trust,
        "calm": calm,
        "regional": regional,
    }


def _decide(w, *, publish: bool):
    return record_decision(
        user=w["regional"],
        framework=w["framework"],
        subject=w["trust"],
        quarter="Q2 2021/22",
        segment=3,
        rationale="Agrees with the proposal: quality and finance",
        publish=publish,
    )


def test_organisation_page_shows_segment_history_support_and_actions(client, place_world):
    w = place_world
    _decide(w, publish=True)
    case = SupportCase.objects.get(organisation=w["trust"])
    assert case.kind == CaseKind.MANDATED
    action = raise_action(
        user=w["regional"],
        subject=w["trust"],
        kind="plan",
        title="Agree a recovery plan",
        owner=w["regional"],
        due=dt.date(2021, 11, 30),
        case=case,
    )
    client.force_login(w["regional"])
    page = client.get("/organisations/RGN/").content.decode()
    segment = page[page.index("<h2>Segment</h2>") : page.index("<h2>CQC ratings</h2>")]
    assert "System Oversight Framework 2021/22" in segment and "Q2 2021/22" in segment
    assert (
        "Segment 3</strong>" in segment and "Segment 3 (decided)</strong> for Q2 2021/22" in segment
    )
    assert "/segmentation/organisations/RGN/?framework=sof-2021-22" in segment
    # history: the decision, then both proposals, newest first
    assert segment.index("Decision: ") < segment.index("Proposal: ")
    assert segment.count("Proposal: ") == 2
    assert case.get_absolute_url() in segment and "Mandated support" in segment
    assert action.get_absolute_url() in segment and "Agree a recovery plan" in segment
    assert "Overdue" in segment  # due 30 Nov 2021


def test_unpublished_decision_and_its_case_stay_with_those_who_see_them(client, place_world):
    w = place_world
    _decide(w, publish=False)
    soag = RoleFactory(kind=Role.Kind.SOAG_MEMBER, region=None, system=w["system"]).user
    client.force_login(soag)
    page = client.get("/organisations/RGN/").content.decode()
    segment = page[page.index("<h2>Segment</h2>") : page.index("<h2>CQC ratings</h2>")]
    assert "Segment 3</strong>" in segment  # the proposal
    assert "(decided)" not in segment and "Not decided" in segment
    assert "No open support case." in segment
    client.force_login(w["regional"])
    page = client.get("/organisations/RGN/").content.decode()
    assert "Segment 3 (decided)</strong> for Q2 2021/22 (not published)" in page


def test_place_page_lists_each_organisations_standing(client, place_world):
    w = place_world
    _decide(w, publish=True)
    raise_action(
        user=w["regional"],
        subject=w["trust"],
        kind="plan",
        title="Agree a recovery plan",
        owner=w["regional"],
        due=dt.date(2099, 1, 31),
    )
    client.force_login(w["regional"])
    page = client.get("/systems/QUE/places/NORTH/").content.decode()
    table = page[page.index("<h2>Organisations</h2>") :]
    rgn = table[table.index("North West Anglia") : table.index("Calm Community Trust")]
    assert "Segment 3 (decided)" in rgn and "Q2 2021/22" in rgn
    # the newest CQC rating, overall and well-led
    assert "Requires improvement" in rgn and "Inadequate" in rgn and "Good" not in rgn
    assert "Mandated support" in rgn
    assert "Open actions </span>1</td>" in rgn  # not overdue: no tag
    calm = table[table.index("Calm Community Trust") :]
    assert "None proposed" in calm and "Not rated" in calm
