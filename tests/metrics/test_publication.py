"""Publication of organisation data loads: who sees unpublished figures, who may publish."""

import datetime as dt

import pytest
from django.core.cache import cache

from oversight.access.models import Role
from oversight.metrics import insight
from oversight.metrics.models import ImportBatch, Observation, ObservationRevision
from oversight.metrics.rules import publishes_on_load
from tests.factories import (
    ImportBatchFactory,
    MetricFactory,
    ObservationFactory,
    OrganisationFactory,
    RegionFactory,
    RoleFactory,
    SystemFactory,
    UserFactory,
)

PUBLISHED_LATEST = "41.5%"  # month 12 as first published
REVISED = "66.5%"  # month 12 as the unpublished batch revised it
NEW = "88.5%"  # month 13, only in the unpublished batch


def _month(i: int) -> tuple[dt.date, dt.date, str]:
    start = dt.date(2024 + (i - 1) // 12, (i - 1) % 12 + 1, 1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return start, end, start.strftime("%b-%y")


@pytest.fixture
def world(db):
    region = RegionFactory(code="Y61")
    system = SystemFactory(code="QUE", region=region)
    org = OrganisationFactory(ods_code="RGT", host_system=system, region=region)
    other_system = SystemFactory(code="QXX", region=region)
    metric = MetricFactory(code="OF0001", unit="%")
    loader = RoleFactory(kind=Role.Kind.ORGANISATION, region=None, organisation=org).user
    published = ImportBatchFactory()
    for i in range(1, 13):
        start, end, label = _month(i)
        ObservationFactory(metric=metric, organisation=org, period_start=start, period_end=end,
                           period_label=label, value=41.5 if i == 12 else 50.0 + i % 3,
                           batch=published)
    pending = ImportBatchFactory(created_by=loader, published_at=None)
    start, end, label = _month(13)
    ObservationFactory(metric=metric, organisation=org, period_start=start, period_end=end,
                       period_label=label, value=88.5, batch=pending)
    revised = Observation.objects.get(organisation=org, period_start=_month(12)[0])
    ObservationRevision.objects.create(observation=revised, value=41.5, batch=published,
                                       superseded_by=pending)
    Observation.objects.filter(pk=revised.pk).update(value=66.5, batch=pending)
    cache.clear()
    insight._MEMO.clear()
    users = {
        "loader": loader,
        "soag": RoleFactory(kind=Role.Kind.SOAG_MEMBER, region=None, system=system).user,
        "icb": RoleFactory(kind=Role.Kind.ICB, region=None, system=system).user,
        "other_icb": RoleFactory(kind=Role.Kind.ICB, region=None, system=other_system).user,
        "regional": RoleFactory(kind=Role.Kind.REGIONAL, region=region).user,
        "other_regional": RoleFactory(kind=Role.Kind.REGIONAL, region=RegionFactory()).user,
        "admin": RoleFactory(kind=Role.Kind.ADMINISTRATOR, region=None).user,
    }
    return {"org": org, "metric": metric, "batch": pending, "users": users}


PAGES = ["/organisations/RGT/", "/organisations/RGT/metrics/OF0001/", "/systems/QUE/"]


def _page(client, user, path: str) -> str:
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


@pytest.mark.parametrize("path", PAGES)
def test_soag_member_sees_only_published_figures_until_publication(client, world, path):
    soag, icb = world["users"]["soag"], world["users"]["icb"]
    text = _page(client, soag, path)
    assert NEW not in text and REVISED not in text
    if path != "/systems/QUE/":  # the dashboard shows the latest value only
        assert PUBLISHED_LATEST in text
    client.force_login(icb)
    assert client.post(f"/imports/{world['batch'].pk}/publish/").status_code == 302
    batch = ImportBatch.objects.get(pk=world["batch"].pk)
    assert batch.published_by == icb and batch.published_at is not None
    assert NEW in _page(client, soag, path)


@pytest.mark.parametrize("who", ["loader", "icb", "regional", "admin"])
@pytest.mark.parametrize("path", PAGES)
def test_loader_and_overseers_see_unpublished_figures(client, world, who, path):
    assert NEW in _page(client, world["users"][who], path)


def test_metric_page_falls_back_to_the_published_value_of_a_revised_point(client, world):
    soag = _page(client, world["users"]["soag"], PAGES[1])
    loader = _page(client, world["users"]["loader"], PAGES[1])
    assert PUBLISHED_LATEST in soag and REVISED not in soag
    assert REVISED in loader


def test_caches_do_not_leak_between_viewers(client, world):
    """The loader's view (computed first, cached) never reaches the SOAG member."""
    for path in PAGES:
        assert NEW in _page(client, world["users"]["loader"], path)
        assert NEW not in _page(client, world["users"]["soag"], path)
        assert NEW in _page(client, world["users"]["admin"], path)


@pytest.mark.parametrize("who,allowed", [
    ("loader", False), ("soag", False), ("other_icb", False), ("other_regional", False),
    ("icb", True), ("regional", True), ("admin", True),
])
def test_only_the_overseeing_teams_publish(client, world, who, allowed):
    client.force_login(world["users"][who])
    response = client.post(f"/imports/{world['batch'].pk}/publish/")
    assert response.status_code == (302 if allowed else 403)
    assert ImportBatch.objects.get(pk=world["batch"].pk).is_published is allowed


def test_batch_page_offers_publication_to_the_icb_only_while_unpublished(client, world):
    path = f"/imports/{world['batch'].pk}/"
    assert "Publish this batch" in _page(client, world["users"]["icb"], path)
    assert "Publish this batch" not in _page(client, world["users"]["loader"], path)
    client.force_login(world["users"]["icb"])
    client.post(f"{path}publish/")
    assert "Publish this batch" not in _page(client, world["users"]["icb"], path)


def test_publish_needs_post(client, world):
    client.force_login(world["users"]["icb"])
    assert client.get(f"/imports/{world['batch'].pk}/publish/").status_code == 405


def test_who_publishes_on_load(world):
    assert publishes_on_load(None)
    for who in ("icb", "regional", "admin"):
        assert publishes_on_load(world["users"][who])
    assert not publishes_on_load(world["users"]["loader"])
    assert not publishes_on_load(UserFactory())  # no role at all: restricted to nothing


def test_batch_list_says_which_loads_await_publication(client, world):
    html = _page(client, world["users"]["icb"], "/imports/")
    assert html.count("Not published") == 1  # the pending batch; the first load is published
    client.post(f"/imports/{world['batch'].pk}/publish/")
    assert "Not published" not in _page(client, world["users"]["icb"], "/imports/")
