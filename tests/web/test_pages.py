"""Smoke tests of the served pages, without a browser."""

import pytest
from django.urls import reverse

from tests.factories import CqcRatingFactory, OrganisationFactory, PlaceFactory


def test_health_answers_without_sign_in(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_home_redirects_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_in_then_home(client, django_user_model):
    django_user_model.objects.create_user("alice", password="a-long-password-1")
    page = client.get(reverse("login"))
    assert b"Sign in to Oversight" in page.content
    response = client.post(
        reverse("login"), {"username": "alice", "password": "a-long-password-1"}, follow=True
    )
    assert response.status_code == 200
    assert b"Signed in as alice" in response.content
    assert b"nhsuk-header" in response.content


def test_wrong_password_shows_error_summary(client, db):
    response = client.post(reverse("login"), {"username": "nobody", "password": "x"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content


def test_pages_send_security_headers(signed_in_client):
    response = signed_in_client.get("/")
    assert "script-src 'self' 'nonce-" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/", "/organisations/", "/systems/", "/metrics/"])
def test_signed_in_pages_render(signed_in_client, path):
    OrganisationFactory()
    assert signed_in_client.get(path).status_code == 200


def test_organisation_page_shows_details_and_cqc(signed_in_client):
    place = PlaceFactory(name="North ICP")
    org = OrganisationFactory(ods_code="RGT", name="Cambridge University Hospitals NHS FT",
                              host_system=place.system, place=place)
    CqcRatingFactory(organisation=org, overall="requires_improvement", well_led="inadequate")
    response = signed_in_client.get("/organisations/RGT/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Cambridge University Hospitals NHS FT" in text
    assert "North ICP" in text
    assert "Requires improvement" in text and "Inadequate" in text


def test_unknown_organisation_is_404(signed_in_client):
    assert signed_in_client.get("/organisations/XXX/").status_code == 404


def test_page_words_agree_with_their_numbers() -> None:
    from oversight.jinja2 import kind_names, plural

    assert plural(1, "system") == "1 system"
    assert plural(2, "system") == "2 systems"
    assert plural(1204, "row") == "1,204 rows"
    assert kind_names(["icb", "ccg", "acute"]).lower().startswith("integrated care board")
    assert "icb" not in kind_names(["icb", "ccg", "acute"])


def test_moments_read_in_london_time_on_the_page(signed_in_client):
    """Moments are stored in UTC; a page shows them as a reader in England reads a clock:
    09:00 UTC on 1 July is 10:00 (BST), and 23:30 UTC on 30 June is already 1 July."""
    import datetime as dt

    from oversight.jinja2 import local
    from tests.factories import ImportBatchFactory

    summer = dt.datetime(2025, 7, 1, 9, 0, tzinfo=dt.UTC)
    assert local(summer, "%-d %b %Y %H:%M") == "1 Jul 2025 10:00"
    assert local(dt.datetime(2025, 6, 30, 23, 30, tzinfo=dt.UTC), "%-d %b %Y") == "1 Jul 2025"
    assert local(dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC), "%H:%M") == "09:00"  # GMT
    assert local(dt.date(2025, 7, 1), "%-d %B %Y") == "1 July 2025"
    batch = ImportBatchFactory(published_at=summer)
    type(batch).objects.filter(pk=batch.pk).update(created_at=summer)  # set when saved
    page = signed_in_client.get(f"/imports/{batch.pk}/").content.decode()
    assert "1 July 2025 10:00" in page and "09:00" not in page


def test_people_are_named_by_their_full_name_else_their_username(db):
    from oversight.jinja2 import person
    from tests.factories import UserFactory

    named = UserFactory(username="demo", first_name="Demo", last_name="Regional")
    assert person(named) == "Demo Regional"
    assert person(UserFactory(username="cuh")) == "cuh"
    assert person(None) == "Not assigned" and person(None, "System") == "System"
