"""Every registered admin page opens for the demo's regional role and for a superuser: the page
is shown or refused (403), never a server error."""

import pytest
from django.contrib import admin
from django.urls import reverse

from oversight.access.models import Role
from oversight.demo.reference import DEMO_USERS
from tests.factories import OrganisationFactory, RegionFactory, RoleFactory, SystemFactory

pytestmark = pytest.mark.django_db

MODELS = sorted((model._meta.app_label, model._meta.model_name) for model in admin.site._registry)
DEMO = next(u for u in DEMO_USERS if u.username == "demo")


@pytest.fixture
def east():
    """Some reference rows, so changelists have something to list."""
    region = RegionFactory(code=DEMO.scope, name="East of England")
    system = SystemFactory(code="QUE", region=region)
    OrganisationFactory(ods_code="RGT", host_system=system)
    london = SystemFactory(code="QMF", region=RegionFactory(code="Y56", name="London"))
    OrganisationFactory(ods_code="RQX", host_system=london)
    return region


@pytest.fixture
def demo_role_client(client, east):
    """Signed in as the demo user is made: staff, regional oversight role, not superuser."""
    role = RoleFactory(
        kind=DEMO.role, region=east, user__is_staff=DEMO.is_staff, user__username=DEMO.username
    )
    assert role.kind == Role.Kind.REGIONAL and not role.user.is_superuser
    client.force_login(role.user)
    return client


@pytest.fixture
def superuser_client(client, east, django_user_model):
    client.force_login(
        django_user_model.objects.create_superuser("root", "root@example.org", "x" * 16)
    )
    return client


def listed(client, model: str, code: str) -> set[str]:
    """The codes of the rows an organisations changelist shows. Read from the page's own
    list, not searched for in its bytes: a three-letter code can turn up by chance in the
    page's random CSRF token or CSP nonce."""
    response = client.get(reverse(f"admin:organisations_{model}_changelist"))
    assert response.status_code == 200
    return {getattr(row, code) for row in response.context["cl"].result_list}


def test_every_model_is_checked():
    assert ("organisations", "organisation") in MODELS and ("organisations", "system") in MODELS


@pytest.mark.parametrize("page", ["changelist", "add"])
@pytest.mark.parametrize(("app", "model"), MODELS)
def test_demo_role_gets_a_page_or_a_refusal(demo_role_client, app, model, page):
    response = demo_role_client.get(reverse(f"admin:{app}_{model}_{page}"))
    assert response.status_code in (200, 403)


@pytest.mark.parametrize("page", ["changelist", "add"])
@pytest.mark.parametrize(("app", "model"), MODELS)
def test_superuser_gets_every_page(superuser_client, rf, django_user_model, app, model, page):
    """Every page its admin offers; an admin that offers no add page (the task queue's results
    are written by the worker, never by hand) refuses it, even to a superuser."""
    response = superuser_client.get(reverse(f"admin:{app}_{model}_{page}"))
    request = rf.get("/")
    request.user = django_user_model.objects.get(username="root")
    model_admin = next(a for m, a in admin.site._registry.items()
                       if (m._meta.app_label, m._meta.model_name) == (app, model))
    offered = page != "add" or model_admin.has_add_permission(request)
    assert response.status_code == (200 if offered else 403)


def test_demo_role_lists_the_organisations_and_systems_of_its_region(demo_role_client):
    """The regional role may view its region's reference data: the lists open and hold only
    that region's rows."""
    index = demo_role_client.get(reverse("admin:index"))
    assert index.status_code == 200
    # the index offers what the role may open, not "You don't have permission..."
    assert reverse("admin:organisations_organisation_changelist") in index.content.decode()
    assert "permission to view or edit anything" not in index.content.decode()
    assert listed(demo_role_client, "organisation", "ods_code") == {"RGT"}
    assert listed(demo_role_client, "system", "code") == {"QUE"}


def test_superuser_lists_every_organisation(superuser_client):
    assert listed(superuser_client, "organisation", "ods_code") == {"RGT", "RQX"}
