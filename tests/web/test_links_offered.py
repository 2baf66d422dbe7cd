"""Pages link only what the reader may open: an organisation or system the reader may not see
is named, not linked (a link that answers 403 is a dead end), and counts agree with their noun."""

from __future__ import annotations

import re

import pytest

from oversight.organisations.models import OrganisationKind, ProviderCollaborative
from tests.factories import (
    FrameworkFactory,
    OrganisationFactory,
    PlaceFactory,
    ProposalFactory,
    RegionFactory,
    RoleFactory,
    SystemFactory,
)

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="(/(?:organisations|systems|segmentation)/[^"#]*)"')


@pytest.fixture
def system():
    """A system with its ICB, a place of two trusts in a collaborative, and an ambulance trust
    hosted by a neighbouring system that serves it too."""
    region = RegionFactory()
    que = SystemFactory(code="QUE", name="Cambridgeshire and Peterborough", region=region)
    neighbour = SystemFactory(code="QHG", name="Bedfordshire, Luton and Milton Keynes",
                              region=region)
    place = PlaceFactory(system=que, code="N", name="North")
    OrganisationFactory(ods_code="QUE", name="NHS Cambridgeshire and Peterborough ICB",
                        kind=OrganisationKind.ICB, host_system=que)
    ours = OrganisationFactory(ods_code="RGT", name="Cambridge University Hospitals",
                               host_system=que, place=place)
    theirs = OrganisationFactory(ods_code="RGN", name="North West Anglia", host_system=que,
                                 place=place)
    ambulance = OrganisationFactory(ods_code="RYC", name="East of England Ambulance Service",
                                    kind=OrganisationKind.AMBULANCE, host_system=neighbour)
    ambulance.systems.add(que)
    collaborative = ProviderCollaborative.objects.create(system=que, name="Acute collaborative",
                                                         kind="acute")
    collaborative.members.set([ours, theirs])
    return que


def _links(client, path: str) -> set[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    return {link.replace("&amp;", "&") for link in LINK.findall(response.content.decode())}


@pytest.mark.parametrize("path", ["/systems/QUE/", "/organisations/"])
def test_an_organisation_user_is_offered_no_link_that_is_refused(client, system, path):
    role = RoleFactory(kind="organisation", region=None, organisation=system.hosted.get(
        ods_code="RGT"))
    client.force_login(role.user)
    refused = {link for link in _links(client, path) if client.get(link).status_code == 403}
    assert not refused, refused


@pytest.mark.parametrize("path", ["/systems/QUE/", "/organisations/"])
def test_an_icb_user_is_offered_no_link_that_is_refused(client, system, path):
    role = RoleFactory(kind="icb", region=None, system=system)
    client.force_login(role.user)
    refused = {link for link in _links(client, path) if client.get(link).status_code == 403}
    assert not refused, refused


def test_what_cannot_be_opened_is_named_and_what_can_is_linked(client, system):
    role = RoleFactory(kind="organisation", region=None, organisation=system.hosted.get(
        ods_code="RGT"))
    client.force_login(role.user)
    page = client.get("/systems/QUE/").content.decode()
    assert "North West Anglia" in page and "NHS Cambridgeshire and Peterborough ICB" in page
    assert 'href="/organisations/RGN/"' not in page and 'href="/organisations/QUE/"' not in page
    assert 'href="/organisations/RGT/"' in page
    # the regional team may open every one of them, and is offered the links
    client.force_login(RoleFactory(kind="regional", region=system.region).user)
    links = _links(client, "/systems/QUE/")
    assert {"/organisations/RGN/", "/organisations/QUE/", "/organisations/RGT/"} <= links


def test_segmentation_names_the_members_an_organisation_user_may_not_open(client, system):
    framework = FrameworkFactory(code="sof-2021-22", name="System Oversight Framework 2021/22")
    for trust in system.hosted.exclude(kind=OrganisationKind.ICB):
        ProposalFactory(framework=framework, organisation=trust)
    role = RoleFactory(kind="organisation", region=None, organisation=system.hosted.get(
        ods_code="RGT"))
    client.force_login(role.user)
    links = _links(client, "/segmentation/systems/QUE/?framework=sof-2021-22")
    assert client.get("/segmentation/organisations/RGN/").status_code == 403
    assert not any(link.startswith("/segmentation/organisations/RGN/") for link in links)
    assert any(link.startswith("/segmentation/organisations/RGT/") for link in links)
    page = client.get("/segmentation/systems/QUE/?framework=sof-2021-22").content.decode()
    assert "North West Anglia" in page


def test_home_counts_agree_with_their_noun(client, system):
    role = RoleFactory(kind="organisation", region=None, organisation=system.hosted.get(
        ods_code="RGT"))
    client.force_login(role.user)
    page = client.get("/").content.decode()
    assert "1 organisation<" in page and "1 organisations" not in page
