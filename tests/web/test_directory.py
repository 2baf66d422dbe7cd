"""The organisation directory (/organisations/): search by name or ODS code, filters by kind,
region and system (host or served), limited to what the user's roles cover."""

import re

import pytest

from oversight.access.models import Role
from tests.factories import OrganisationFactory, RegionFactory, RoleFactory, SystemFactory

pytestmark = pytest.mark.django_db

ROW = re.compile(r"<tr>\s*<td>([^<]+)</td>")


@pytest.fixture
def england():
    east = RegionFactory(code="Y61", name="East of England")
    london = RegionFactory(code="Y56", name="London")
    que = SystemFactory(code="QUE", name="Cambridgeshire and Peterborough", region=east)
    qmm = SystemFactory(code="QMM", name="Norfolk and Waveney", region=east)
    qmf = SystemFactory(code="QMF", name="North East London", region=london)
    OrganisationFactory(
        ods_code="RGT",
        name="Cambridge University Hospitals NHS Foundation Trust",
        kind="acute",
        host_system=que,
    )
    OrganisationFactory(
        ods_code="RT1",
        name="Cambridgeshire and Peterborough NHS Foundation Trust",
        kind="mental_health",
        host_system=que,
    )
    OrganisationFactory(
        ods_code="RM1",
        name="Norfolk and Norwich University Hospitals NHS Foundation Trust",
        kind="acute",
        host_system=qmm,
    )
    ambulance = OrganisationFactory(
        ods_code="RYC",
        name="East of England Ambulance Service NHS Trust",
        kind="ambulance",
        host_system=qmm,
    )
    ambulance.systems.add(que, qmm)
    OrganisationFactory(
        ods_code="RQX",
        name="Homerton Healthcare NHS Foundation Trust",
        kind="acute",
        host_system=qmf,
    )
    return east


def listed(client, **query) -> list[str]:
    response = client.get("/organisations/", query)
    assert response.status_code == 200
    return sorted(ROW.findall(response.content.decode()))


def test_without_a_query_everything_visible_is_listed(signed_in_client, england):
    assert listed(signed_in_client) == ["RGT", "RM1", "RQX", "RT1", "RYC"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("RGT", ["RGT"]),  # an ODS code, exactly
        ("rgt", ["RGT"]),  # whatever its case
        (" RT1 ", ["RT1"]),  # surrounding spaces ignored
        ("RG", []),  # a partial code is not a code
        ("cambridge", ["RGT", "RT1"]),  # part of the name, any case
        ("Ambulance", ["RYC"]),
        ("Homerton Healthcare", ["RQX"]),
        ("no such trust", []),
    ],
)
def test_search_by_name_or_ods_code(signed_in_client, england, q, expected):
    assert listed(signed_in_client, q=q) == expected


def test_no_match_says_so(signed_in_client, england):
    page = signed_in_client.get("/organisations/", {"q": "no such trust"}).content.decode()
    assert "0 organisations" in page and "No organisation matches" in page


def test_filter_by_kind(signed_in_client, england):
    assert listed(signed_in_client, kind="acute") == ["RGT", "RM1", "RQX"]
    assert listed(signed_in_client, kind="mental_health") == ["RT1"]
    assert listed(signed_in_client, kind="icb") == []


def test_filter_by_region(signed_in_client, england):
    assert listed(signed_in_client, region="Y56") == ["RQX"]
    assert listed(signed_in_client, region="Y61") == ["RGT", "RM1", "RT1", "RYC"]


def test_filter_by_system_includes_served_organisations_once(signed_in_client, england):
    """The ambulance trust is hosted by QMM and serves QUE too: it is listed under both, once."""
    assert listed(signed_in_client, system="QUE") == ["RGT", "RT1", "RYC"]
    assert listed(signed_in_client, system="QMM") == ["RM1", "RYC"]
    assert listed(signed_in_client, system="QMF") == ["RQX"]


def test_filters_combine(signed_in_client, england):
    assert listed(signed_in_client, system="QUE", kind="acute") == ["RGT"]
    assert listed(signed_in_client, region="Y61", q="norfolk") == ["RM1"]
    assert listed(signed_in_client, region="Y56", q="cambridge") == []


def test_htmx_request_gets_only_the_results(signed_in_client, england):
    response = signed_in_client.get("/organisations/", {"q": "RGT"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert ROW.findall(page) == ["RGT"] and "<html" not in page


def test_the_directory_lists_only_what_the_role_covers(client, england):
    role = RoleFactory(kind=Role.Kind.REGIONAL, region=RegionFactory(code="Y56"))
    client.force_login(role.user)
    assert listed(client) == ["RQX"]
    assert listed(client, q="RGT") == []
    assert listed(client, system="QUE") == []
