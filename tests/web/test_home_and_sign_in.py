"""Home page concerns for the signed-in user's scope, and sign-in throttling."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from oversight.access.throttle import ADDRESS_FAILURE_LIMIT, FAILURE_LIMIT
from oversight.metrics.models import Observation
from tests.factories import ImportBatchFactory, MetricFactory, OrganisationFactory, RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _series(metric, org, values):
    batch = ImportBatchFactory()
    for i, v in enumerate(values):
        start = dt.date(2023 + i // 12, i % 12 + 1, 1)
        Observation.objects.create(metric=metric, organisation=org, period_start=start,
                                   period_end=start + dt.timedelta(days=27),
                                   period_label=start.strftime("%b-%y"), value=v, batch=batch)


def test_home_lists_new_special_cause_concerns_for_the_users_organisation(client):
    steady = [90, 91, 89, 90, 92, 88, 90, 91, 89, 90, 92, 88, 90, 91, 89]
    falling = MetricFactory(name="Falling metric", polarity="higher")
    calm = MetricFactory(name="Calm metric", polarity="higher")
    org = OrganisationFactory(name="Our Trust")
    _series(falling, org, [*steady, 40])
    _series(calm, org, [*steady, 90])
    role = RoleFactory(kind="organisation", region=None, organisation=org)
    client.force_login(role.user)
    page = client.get("/").content.decode()
    assert "Your organisation" in page and "Our Trust" in page
    assert "New special-cause concerns" in page
    assert "Falling metric" in page
    assert "Calm metric" not in page
    assert f"/organisations/{org.ods_code}/metrics/{falling.code}/" in page


def test_home_with_no_concerns_says_so(client):
    org = OrganisationFactory()
    _series(MetricFactory(), org, [90, 91, 89, 90])
    role = RoleFactory(kind="organisation", region=None, organisation=org)
    client.force_login(role.user)
    assert "No new special-cause concerns" in client.get("/").content.decode()


def test_sign_in_locks_after_repeated_failures(client, django_user_model):
    django_user_model.objects.create_user("bob", password="the-right-password-1")
    for _ in range(FAILURE_LIMIT):
        r = client.post(reverse("login"), {"username": "bob", "password": "wrong"})
        assert r.status_code == 200
    cache.clear()  # the count is not per-process memory: every server process shares it
    locked = client.post(reverse("login"), {"username": "bob",
                                            "password": "the-right-password-1"})
    assert locked.status_code == 429
    assert b"Too many failed sign-in attempts" in locked.content
    assert "_auth_user_id" not in client.session
    # Another username from the same address is not affected.
    django_user_model.objects.create_user("carol", password="another-password-2")
    ok = client.post(reverse("login"), {"username": "carol", "password": "another-password-2"})
    assert ok.status_code == 302


def test_successful_sign_in_resets_the_failure_count(client, django_user_model):
    django_user_model.objects.create_user("dan", password="the-right-password-1")
    for _ in range(FAILURE_LIMIT - 1):
        client.post(reverse("login"), {"username": "dan", "password": "wrong"})
    assert client.post(reverse("login"), {"username": "dan",
                                          "password": "the-right-password-1"}).status_code == 302
    client.logout()
    for _ in range(FAILURE_LIMIT - 1):
        client.post(reverse("login"), {"username": "dan", "password": "wrong"})
    assert client.post(reverse("login"), {"username": "dan",
                                          "password": "the-right-password-1"}).status_code == 302


@pytest.mark.parametrize(
    ("kind", "sees"),
    [("soag", set()), ("organisation", {"mine.csv"}), ("regional", {"mine.csv", "theirs.csv"})],
)
def test_home_lists_only_the_data_loads_the_user_may_see(client, kind, sees):
    """A neighbour's load (unpublished or not) is not news for a SOAG member or another
    organisation's user: the home page lists loads only to loaders, as /imports/ does."""
    org, other = OrganisationFactory(), OrganisationFactory()
    scope = {"organisation": org, "region": None} if kind == "organisation" else {}
    if kind == "soag":
        scope = {"system": org.host_system, "region": None}
    user = RoleFactory(kind=kind, **scope).user
    ImportBatchFactory(file_name="mine.csv", created_by=user, published_at=None)
    theirs = RoleFactory(kind="organisation", region=None, organisation=other).user
    ImportBatchFactory(file_name="theirs.csv", created_by=theirs, published_at=None)
    client.force_login(user)
    page = client.get("/").content.decode()
    assert {name for name in ("mine.csv", "theirs.csv") if name in page} == sees
    assert ("Latest data loads" in page) == (kind != "soag")
    if sees:  # unpublished loads say so, and link to their batch page
        assert page.count("Not published</strong>") == len(sees)
        assert "/imports/" in page


def test_home_tags_a_rejected_load(client):
    role = RoleFactory(kind="regional")
    ImportBatchFactory(file_name="bad.csv", created_by=role.user, status="rejected")
    client.force_login(role.user)
    page = client.get("/").content.decode()
    assert "bad.csv</a> <strong class=\"nhsuk-tag nhsuk-tag--red\">Rejected</strong>" in page


def test_one_address_trying_many_usernames_is_locked_out(client, django_user_model):
    """Counted per address as well as per username: 30 usernames from one address are not all
    tried; another address is not affected."""
    django_user_model.objects.create_user("erin", password="the-right-password-1")
    for n in range(ADDRESS_FAILURE_LIMIT):
        r = client.post(reverse("login"), {"username": f"user{n}", "password": "wrong"},
                        REMOTE_ADDR="203.0.113.7")
        assert r.status_code == 200, n
    locked = client.post(reverse("login"), {"username": "erin",
                                            "password": "the-right-password-1"},
                         REMOTE_ADDR="203.0.113.7")
    assert locked.status_code == 429
    elsewhere = client.post(reverse("login"), {"username": "erin",
                                               "password": "the-right-password-1"},
                            REMOTE_ADDR="198.51.100.9")
    assert elsewhere.status_code == 302
