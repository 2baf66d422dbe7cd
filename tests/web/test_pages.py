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
