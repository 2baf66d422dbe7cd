"""A stored series the SPC engine refuses (a value that is not finite, as an accepted row with a
numerator of 1e308 over 1e-308 once made) shows its problem in its own cell; every page that
reads data still renders, with the other series intact."""

from __future__ import annotations

import pytest

from oversight.metrics.models import Observation
from tests.web.test_dashboards import ics  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

PAGES = ["/systems/QUE/", "/systems/QUE/icons/", "/systems/QUE/places/S/", "/organisations/RGT/",
         "/organisations/RGT/metrics/AE4HR/", "/organisations/RGN/", "/"]


@pytest.fixture
def broken(ics):  # noqa: F811
    """RGT's latest month holds an infinite ratio: its own series and the system's and the
    South place's aggregates (sums of numerators and denominators) are all unusable."""
    latest = Observation.objects.filter(organisation=ics["rgt"]).order_by("-period_start")[0]
    latest.numerator, latest.denominator, latest.value = 1e308, 1e-308, float("inf")
    latest.save()
    return ics


@pytest.mark.parametrize("url", PAGES)
def test_every_page_reading_data_renders(signed_in_client, broken, url):
    response = signed_in_client.get(url)
    assert response.status_code == 200, url


def test_the_refused_series_shows_its_problem_and_the_rest_renders(signed_in_client, broken):
    page = signed_in_client.get("/systems/QUE/").content.decode()
    assert "Not shown" in page and "is not a finite number" in page
    # RGN's own series is untouched: its latest value and its chart link.
    assert "90.0%" in page and "/organisations/RGN/metrics/AE4HR/" in page
    icons = signed_in_client.get("/systems/QUE/icons/").content.decode()
    assert "Not shown" in icons and "/organisations/RGN/metrics/AE4HR/" in icons
    organisation = signed_in_client.get("/organisations/RGT/").content.decode()
    assert "Not shown" in organisation and "is not a finite number" in organisation
    chart = signed_in_client.get("/organisations/RGT/metrics/AE4HR/").content.decode()
    assert "is not a finite number: not charted" in chart
