"""Roles decide which organisations and systems a user sees."""

import pytest
from django.core.exceptions import ValidationError

from oversight.access.models import Role
from oversight.access.rules import visible_organisations, visible_systems
from tests.factories import OrganisationFactory, RegionFactory, RoleFactory, SystemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def england():
    east, london = RegionFactory(code="Y61"), RegionFactory(code="Y56")
    que, nel = SystemFactory(code="QUE", region=east), SystemFactory(code="QMF", region=london)
    return {
        "east": east, "que": que, "nel": nel,
        "rgt": OrganisationFactory(ods_code="RGT", host_system=que),
        "ryc": OrganisationFactory(ods_code="RYC", host_system=que),
        "rqx": OrganisationFactory(ods_code="RQX", host_system=nel),
    }


def codes(queryset):
    return sorted(o.ods_code for o in queryset)


def test_regional_team_sees_its_region(england):
    role = RoleFactory(kind=Role.Kind.REGIONAL, region=england["east"])
    assert codes(visible_organisations(role.user)) == ["RGT", "RYC"]
    assert [s.code for s in visible_systems(role.user)] == ["QUE"]


def test_icb_team_sees_hosted_and_served_organisations(england):
    england["ryc"].systems.add(england["nel"])
    role = RoleFactory(kind=Role.Kind.ICB, region=None, system=england["nel"])
    assert codes(visible_organisations(role.user)) == ["RQX", "RYC"]


def test_organisation_user_sees_only_its_organisation(england):
    role = RoleFactory(kind=Role.Kind.ORGANISATION, region=None, organisation=england["rgt"])
    assert codes(visible_organisations(role.user)) == ["RGT"]
    assert role.user.has_perm("organisations.view_organisation", england["rgt"])
    assert not role.user.has_perm("organisations.view_organisation", england["rqx"])


def test_user_without_role_sees_nothing(england, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x" * 12)
    assert not visible_organisations(user).exists()


def test_organisation_page_is_forbidden_outside_the_role(client, england):
    role = RoleFactory(kind=Role.Kind.ORGANISATION, region=None, organisation=england["rgt"])
    client.force_login(role.user)
    assert client.get("/organisations/RGT/").status_code == 200
    assert client.get("/organisations/RQX/").status_code == 403


@pytest.mark.parametrize(
    ("kind", "scope", "ok"),
    [("regional", "region", True), ("regional", "system", False),
     ("administrator", None, True), ("icb", "organisation", False)],
)
def test_role_scope_is_validated(england, kind, scope, ok):
    values = {"region": england["east"], "system": england["que"],
              "organisation": england["rgt"]}
    role = Role(user=RoleFactory().user, kind=kind, **({scope: values[scope]} if scope else {}))
    if ok:
        role.clean()
    else:
        with pytest.raises(ValidationError):
            role.clean()


def test_role_scope_filters_rows_linked_to_organisations_and_systems(england):
    """One definition of scope serves every model with organisation and system links."""
    from oversight.access.rules import role_scope, scoped
    from oversight.organisations.models import Place
    from tests.factories import PlaceFactory

    england["ryc"].systems.add(england["nel"])  # hosted by QUE, also serves NEL
    PlaceFactory(system=england["que"], code="N")
    icb = RoleFactory(kind=Role.Kind.ICB, region=None, system=england["que"]).user
    rows = scoped(Place.objects.all(), role_scope(icb, organisation=None))
    assert [p.code for p in rows] == ["N"]
    # An organisation both hosted by and serving the system is listed once.
    both = RoleFactory(kind=Role.Kind.ICB, region=None, system=england["nel"]).user
    both.oversight_roles.create(kind=Role.Kind.ICB, system=england["que"])
    assert codes(visible_organisations(both)) == ["RGT", "RQX", "RYC"]


def test_administrators_cover_everything_whatever_kinds_are_asked_for(england):
    from oversight.access.rules import role_scope

    admin = RoleFactory(kind=Role.Kind.ADMINISTRATOR, region=None).user
    assert role_scope(admin, {Role.Kind.REGIONAL}) is None
    org_user = RoleFactory(kind=Role.Kind.ORGANISATION, region=None,
                           organisation=england["rgt"]).user
    assert codes(visible_organisations(org_user)) == ["RGT"]
    # Roles of other kinds do not count; an organisation user's systems stay navigable.
    from oversight.organisations.models import Organisation
    assert not Organisation.objects.filter(role_scope(org_user, {Role.Kind.REGIONAL})).exists()
    assert [s.code for s in visible_systems(org_user)] == ["QUE"]
