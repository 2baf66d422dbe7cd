"""Error answers in the NHS layout with navigation and a next step, never Django's bare text."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from oversight.web import assets, errors

pytestmark = pytest.mark.django_db


def test_not_found_is_in_the_nhs_layout_with_a_next_step(signed_in_client) -> None:
    response = signed_in_client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "nhsuk-header" in page and "Page not found" in page
    assert "/no-such-page/" in page
    assert 'href="/"' in page  # the next step: home


def test_permission_denied_page(rf: RequestFactory, signed_in_client) -> None:
    from django.views.defaults import permission_denied

    request = rf.get("/somewhere/")
    request.user = signed_in_client.user
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    page = response.content.decode()
    assert "You do not have access to this page" in page and "nhsuk-header" in page


def test_bad_request_and_server_error_pages(rf: RequestFactory, signed_in_client) -> None:
    request = rf.get("/x/")
    request.user = signed_in_client.user
    bad = errors.bad_request(request, ValueError("a filter value is not a date"))
    assert bad.status_code == 400
    assert "a filter value is not a date" in bad.content.decode()
    failed = errors.server_error(request)
    assert failed.status_code == 500
    page = failed.content.decode()
    assert "Sorry, there is a problem with the service" in page and "nhsuk-header" in page


def test_server_error_page_survives_a_broken_layout(rf: RequestFactory, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(errors, "render_to_string", broken)
    response = errors.server_error(rf.get("/x/"))
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.content


def test_api_docs_load_swagger_ui_from_our_static_files(signed_in_client) -> None:
    response = signed_in_client.get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()


def test_nhs_stylesheet_loses_only_remote_font_faces() -> None:
    css = (
        "a{color:red}@font-face{font-family:Frutiger W01;src:url(https://assets.nhs.uk/f.woff2)}"
        "@font-face{font-family:Local;src:url(/static/f.woff2)}b{color:blue}"
    )
    assert assets.without_remote_fonts(css) == (
        "a{color:red}@font-face{font-family:Local;src:url(/static/f.woff2)}b{color:blue}"
    )


def test_nhs_stylesheet_icons_are_found_beside_it() -> None:
    css = ".x{background:url(/assets/images/nhsuk-icon-cross.svg)}.y{src:url('/static/f.svg')}"
    assert assets.beside_the_stylesheet(css) == (
        ".x{background:url(assets/images/nhsuk-icon-cross.svg)}.y{src:url('/static/f.svg')}"
    )


def test_served_nhs_stylesheet_icons_are_served(client) -> None:
    from django.contrib.staticfiles import finders

    found = finders.find("nhsuk/nhsuk-frontend.min.css")
    if found is None or ".oversight" not in str(found):
        pytest.skip("the NHS.UK stylesheet is not built (make setup)")
    with open(found, encoding="utf-8") as css:
        icons = set(re.findall(r"url\(([^)]*\.svg)\)", css.read()))
    assert icons and all(finders.find(f"nhsuk/{icon}") for icon in icons), icons


def test_served_nhs_stylesheet_has_no_remote_url(client) -> None:
    from django.contrib.staticfiles import finders

    found = finders.find("nhsuk/nhsuk-frontend.min.css")
    if found is None:
        pytest.skip("NHS.UK frontend is not installed (npm install)")
    if ".oversight" not in str(found):
        pytest.skip("the stylesheet without remote fonts is not built (make setup)")
    with open(found, encoding="utf-8") as css:
        assert "https://" not in css.read()
