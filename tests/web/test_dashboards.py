"""System, place, icon-summary, organisation and metric pages: content and access rules."""

from __future__ import annotations

import datetime as dt

import pytest

from oversight.access.models import Role
from oversight.metrics.models import Observation
from tests.factories import (
    ImportBatchFactory,
    MetricFactory,
    OrganisationFactory,
    PlaceFactory,
    RegionFactory,
    RoleFactory,
    SystemFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

STEADY = [90, 91, 89, 90, 92, 88, 90, 91, 89, 90, 92, 88, 90, 91, 89]


def _months(n: int) -> list[dt.date]:
    return [dt.date(2023 + i // 12, i % 12 + 1, 1) for i in range(n)]


def _series(metric, org, values, batch, denominators=None):
    for i, (start, v) in enumerate(zip(_months(len(values)), values, strict=True)):
        den = denominators[i] if denominators else None
        Observation.objects.create(
            metric=metric, organisation=org, period_start=start,
            period_end=start + dt.timedelta(days=27), period_label=start.strftime("%b-%y"),
            value=v, numerator=v * den / 100 if den else None, denominator=den, batch=batch,
        )


@pytest.fixture
def ics():
    region = RegionFactory(code="Y61", name="East of England")
    system = SystemFactory(code="QUE", name="Cambridgeshire and Peterborough ICS", region=region)
    north = PlaceFactory(system=system, code="N", name="North ICP")
    south = PlaceFactory(system=system, code="S", name="South ICP")
    theme = ThemeFactory(name="Quality of care, access and outcomes", code="quality")
    metric = MetricFactory(theme=theme, code="AE4HR", name="A&E within 4 hours", unit="%",
                           standard=95, polarity="higher")
    batch = ImportBatchFactory(file_name="ae-2024.csv")
    rgt = OrganisationFactory(ods_code="RGT", name="Cambridge University Hospitals",
                              host_system=system, place=south)
    rgn = OrganisationFactory(ods_code="RGN", name="North West Anglia", host_system=system,
                              place=north)
    other = OrganisationFactory(ods_code="RXX", name="Elsewhere Hospital")
    _series(metric, rgt, [*STEADY, 40], batch, [1000] * 16)
    _series(metric, rgn, [*STEADY, 90], batch, [3000] * 16)
    _series(metric, other, [*STEADY, 80], batch, [2000] * 16)
    return {"system": system, "metric": metric, "rgt": rgt, "rgn": rgn, "other": other,
            "batch": batch, "region": region}


def test_system_dashboard_shows_system_places_and_organisations(signed_in_client, ics):
    page = signed_in_client.get("/systems/QUE/").content.decode()
    assert "System dashboard" in page
    assert "Quality of care, access and outcomes" in page
    # System value: (0.40*1000 + 0.90*3000) / 4000 = 77.5%, summed numerators/denominators.
    assert "77.5%" in page
    assert "North ICP" in page and "South ICP" in page
    assert "/organisations/RGT/metrics/AE4HR/" in page
    assert "Special cause concern (low)" in page
    assert 'role="img"' in page
    # by name and link: a bare three-letter code can turn up by chance in the CSRF token
    assert "Elsewhere Hospital" not in page and "/organisations/RXX/" not in page


def test_theme_filter_htmx_returns_only_the_dashboard(signed_in_client, ics):
    response = signed_in_client.get("/systems/QUE/?theme=quality", HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert "<html" not in text and "77.5%" in text
    unknown = signed_in_client.get("/systems/QUE/?theme=nope", HTTP_HX_REQUEST="true")
    assert "Quality of care" in unknown.content.decode()  # an unknown theme shows them all


def test_organisation_filter_chooses_the_columns(signed_in_client, ics):
    pcn = OrganisationFactory(ods_code="U12345", kind="pcn", host_system=ics["system"])
    trusts = signed_in_client.get("/systems/QUE/").content.decode()
    assert "U12345" not in trusts.split("System dashboard")[1].split("<h2>Places")[0]
    everyone = signed_in_client.get("/systems/QUE/?organisations=all").content.decode()
    assert f"{pcn.name}" in everyone


def test_icon_summary_links_every_icon_to_its_chart(signed_in_client, ics):
    page = signed_in_client.get("/systems/QUE/icons/").content.decode()
    assert "Making Data Count icon summary" in page
    for ods in ("RGT", "RGN"):
        assert f'href="/organisations/{ods}/metrics/AE4HR/"' in page
    assert "Variation: Special cause concern (low)" in page
    assert "Assurance:" in page


def test_place_page_aggregates_its_organisations(signed_in_client, ics):
    page = signed_in_client.get("/systems/QUE/places/S/").content.decode()
    assert "South ICP" in page and "RGT" in page
    assert "North West Anglia" not in page.split("<h2>Organisations</h2>")[1]
    assert signed_in_client.get("/systems/QUE/places/ZZ/").status_code == 404


def test_organisation_page_has_quartile_rank_icons_and_sparkline(signed_in_client, ics):
    page = signed_in_client.get("/organisations/RGT/").content.decode()
    # 40% is the worst of three acute trusts: rank 3 of 3, fourth quartile.
    assert "3 of 3" in page and "Q4" in page
    assert "oversight-sparkline" in page
    assert "Special cause concern (low)" in page


def test_metric_page_has_chart_table_ranking_and_batches(signed_in_client, ics):
    response = signed_in_client.get("/organisations/RGN/metrics/AE4HR/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in page and "XmR chart of 16 points" in page
    assert "Data</caption>" in page
    # 90% ranks first of three acute trusts (90, 80, 40).
    assert "ranked <strong>1 of 3</strong>" in page
    assert "ranking-this" in page
    assert "Higher is better" in page
    assert f'href="/imports/{ics["batch"].pk}/"' in page  # the ingestion batch page
    assert signed_in_client.get("/organisations/RGN/metrics/NOPE/").status_code == 404


@pytest.mark.parametrize(
    ("kind", "scope", "allowed", "denied"),
    [
        ("organisation", "rgt", ["/organisations/RGT/", "/organisations/RGT/metrics/AE4HR/"],
         ["/organisations/RGN/", "/organisations/RGN/metrics/AE4HR/",
          "/organisations/RXX/"]),
        ("icb", "system", ["/systems/QUE/", "/systems/QUE/icons/", "/systems/QUE/places/N/",
                           "/organisations/RGN/metrics/AE4HR/"],
         ["/organisations/RXX/", "/organisations/RXX/metrics/AE4HR/"]),
        ("soag_member", "system", ["/systems/QUE/icons/"], ["/organisations/RXX/"]),
    ],
)
def test_pages_enforce_per_object_rules(client, ics, kind, scope, allowed, denied):
    target = ics[scope]
    role = RoleFactory(kind=kind, region=None, **{
        "organisation" if kind == Role.Kind.ORGANISATION else "system": target})
    client.force_login(role.user)
    for path in allowed:
        assert client.get(path).status_code == 200, path
    for path in denied:
        assert client.get(path).status_code == 403, path


def test_organisation_user_sees_only_its_own_column_and_no_aggregates(client, ics):
    role = RoleFactory(kind="organisation", region=None, organisation=ics["rgt"])
    client.force_login(role.user)
    page = client.get("/systems/QUE/").content.decode()
    assert "77.5%" not in page
    assert "/organisations/RGN/metrics/" not in page
    assert "/organisations/RGT/metrics/AE4HR/" in page


def test_regional_user_sees_its_region_only(client, ics):
    role = RoleFactory(kind="regional", region=ics["region"])
    client.force_login(role.user)
    assert client.get("/systems/QUE/").status_code == 200
    other_system = SystemFactory(code="QZZ")
    assert client.get("/systems/QZZ/").status_code == 403
    assert other_system.region_id != ics["region"].pk


def test_columns_are_headed_by_names_and_closed_organisations_are_left_out(
    signed_in_client, ics
):
    ics["rgt"].name = "Cambridge University Hospitals NHS Foundation Trust"
    ics["rgt"].save()
    ics["rgn"].closed = dt.date(2024, 3, 31)
    ics["rgn"].save()
    page = signed_in_client.get("/systems/QUE/").content.decode()
    # the name without its legal form heads the column; the code is under it
    assert 'title="Cambridge University Hospitals NHS Foundation Trust">Cambridge University ' \
        "Hospitals</a>" in page
    assert 'oversight-dashboard__code">RGT<' in page
    # the closed trust is not a dashboard column, is marked in the list, and can be asked for
    assert "/organisations/RGN/metrics/AE4HR/" not in page
    assert "1 closed organisation is left out" in page
    assert "Closed 31 Mar 2024" in page
    with_closed = signed_in_client.get("/systems/QUE/?closed=1").content.decode()
    assert "/organisations/RGN/metrics/AE4HR/" in with_closed
    assert 'name="closed" value="1"' in with_closed  # the filters keep the choice


def test_organisation_and_system_pages_show_the_current_segment(signed_in_client, ics):
    from oversight.segmentation.decisions import record_decision
    from tests.factories import FrameworkFactory
    from tests.web.test_home_segmentation import propose

    framework = FrameworkFactory(code="sof-2021-22")
    propose(framework, ics["rgt"], "Q4 2021/22", dt.date(2022, 3, 31), 3)
    page = signed_in_client.get("/organisations/RGT/").content.decode()
    assert "Current segment" in page and "Segment 3</strong> proposed" in page
    record_decision(user=signed_in_client.user, framework=framework, subject=ics["rgt"],
                    quarter="Q4 2021/22", segment=3)
    page = signed_in_client.get("/organisations/RGT/").content.decode()
    assert "Segment 3 (decided)" in page and "Decided for Q4 2021/22" in page
    system_page = signed_in_client.get("/systems/QUE/").content.decode()
    assert "Current segment" not in system_page  # nothing proposed or decided for QUE


def test_a_year_to_date_measure_is_charted_by_its_monthly_movement(signed_in_client, ics):
    """FINVAR-like: a deficit deepening by 0.5 a month every year looks, as year-to-date
    figures, like a sawtooth whose every April is a special cause; its monthly movement is
    steady (common cause), and the page still shows the year-to-date figure."""
    metric = MetricFactory(theme=ics["metric"].theme, code="FINVAR", unit="£m", standard=0,
                           polarity="higher", accumulation="year_to_date",
                           name="Variance against plan, year to date")
    starts = [dt.date(2021 + (3 + i) // 12, (3 + i) % 12 + 1, 1) for i in range(36)]
    for start in starts:
        month_of_year = (start.month - 4) % 12 + 1
        jitter = (0.05, -0.05, 0.0)[starts.index(start) % 3]
        Observation.objects.create(
            metric=metric, organisation=ics["rgt"], period_start=start,
            period_end=start + dt.timedelta(days=27), period_label=start.strftime("%b-%y"),
            value=-0.5 * month_of_year + jitter, batch=ics["batch"],
        )
    page = signed_in_client.get("/organisations/RGT/metrics/FINVAR/").content.decode()
    assert "monthly movement" in page
    assert "-£6.0m" in page  # March's year-to-date figure shown as it is
    assert "Common cause" in page and "Concern:" not in page
