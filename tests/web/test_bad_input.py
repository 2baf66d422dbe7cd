"""Bad input is a 4xx with a message, never a 500: NUL characters anywhere in a request (path,
query string, form, JSON body), and a decision number that is not a number."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db

NUL = "The request contains a NUL character"


@pytest.mark.parametrize("url", [
    "/organisations/R%00X/", "/systems/?region=%00", "/organisations/?q=a%00b",
    "/imports/observations/1/?x=%00", "/api/support/cases?status=%00",
    "/organisations/RGT/metrics/A%00/",
])
def test_a_nul_in_a_path_or_query_string_is_refused(signed_in_client, url):
    response = signed_in_client.get(url)
    assert response.status_code == 400
    assert NUL in response.content.decode()


def test_a_nul_in_a_json_body_is_refused_as_json(signed_in_client):
    response = signed_in_client.post(
        "/api/support/actions", json.dumps({"title": "a\u0000b"}),
        content_type="application/json")
    assert response.status_code == 400 and NUL in response.json()["detail"]


def test_a_nul_in_a_form_is_refused(signed_in_client):
    response = signed_in_client.post("/imports/", {"format": "template\x00"})
    assert response.status_code == 400 and NUL in response.content.decode()


def test_a_file_may_hold_nul_bytes_and_reaches_the_importer(signed_in_client):
    """An upload is binary: the importer, not the middleware, says what is wrong with it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("t.csv", b"org_code\x00,value\n")
    response = signed_in_client.post("/imports/", {"format": "template", "file": upload},
                                     follow=True)  # to the upload's page, its job done
    assert response.status_code == 422


def test_a_clean_request_passes(signed_in_client):
    assert signed_in_client.get("/organisations/?q=cambridge").status_code == 200


def test_publishing_a_decision_that_is_not_a_number_is_refused(signed_in_client):
    from tests.factories import FrameworkFactory, OrganisationFactory

    FrameworkFactory(code="nof-2025-26")
    org = OrganisationFactory(ods_code="RGT")
    for bad in ("abc", "1.5", "99999999999999999999999", "١"):
        response = signed_in_client.post(f"/segmentation/organisations/{org.ods_code}/",
                                         {"publish": bad})
        assert response.status_code == 400, (bad, response.status_code)
        assert "publish must name a decision" in response.content.decode()
    missing = signed_in_client.post(f"/segmentation/organisations/{org.ods_code}/",
                                    {"publish": "12345"})
    assert missing.status_code == 404
