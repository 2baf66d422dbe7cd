"""The organisation model: ODS codes, closures and merges, systems served, CQC history."""

import datetime as dt

import pytest
from django.db import IntegrityError

from oversight.organisations.models import CqcRating, Organisation, OrganisationKind
from tests.factories import CqcRatingFactory, OrganisationFactory, SystemFactory

pytestmark = pytest.mark.django_db


def test_ods_code_is_unique():
    OrganisationFactory(ods_code="RGT")
    with pytest.raises(IntegrityError):
        Organisation.objects.create(ods_code="RGT", name="Duplicate", kind="acute")


def test_ccg_closure_points_to_its_successor():
    icb = OrganisationFactory(ods_code="QUE", kind=OrganisationKind.ICB)
    ccg = OrganisationFactory(ods_code="06H", kind=OrganisationKind.CCG,
                              closed=dt.date(2022, 7, 1), successor=icb)
    assert not ccg.is_open
    assert list(icb.predecessors.all()) == [ccg]


def test_ambulance_trust_serves_several_systems_with_one_host():
    host, other = SystemFactory(code="QUE"), SystemFactory(code="QHG")
    trust = OrganisationFactory(ods_code="RYC", kind=OrganisationKind.AMBULANCE, host_system=host)
    trust.systems.set([host, other])
    assert trust.host_system == host
    assert set(other.organisations.all()) == {trust}
    assert trust.is_trust


def test_one_cqc_rating_per_date():
    rating = CqcRatingFactory()
    with pytest.raises(IntegrityError):
        CqcRating.objects.create(organisation=rating.organisation, published=rating.published,
                                 overall="good")


def test_changes_to_an_organisation_are_kept_in_history():
    org = OrganisationFactory(name="Old name")
    org.name = "New name"
    org.save()
    assert [h.name for h in org.history.order_by("history_date")] == ["Old name", "New name"]
