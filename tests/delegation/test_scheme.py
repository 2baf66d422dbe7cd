"""The scheme loaded into the database (versions with history), `oversight delegation who`, the
pages and the API. Expected answers are the seed's tables (seed 003 §9)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from typer.testing import CliRunner

from oversight.cli.main import app
from oversight.delegation.models import Matter, Scheme
from oversight.delegation.scheme import SCHEME_FILE, chain, current_scheme, load_scheme, who
from tests.factories import BodyFactory, MeetingFactory, RoleFactory

pytestmark = pytest.mark.django_db

runner = CliRunner()


@pytest.fixture
def bodies():
    return {
        short: BodyFactory(short_name=short, name=name)
        for short, name in [
            ("SPB", "System Partnership Board"),
            ("HCE", "Health and Care Executive"),
            ("CAG", "Care Advisory Group"),
            ("DEG", "Delivery and Enabling Groups"),
        ]
    }


@pytest.fixture
def scheme(bodies) -> Scheme:
    return load_scheme(approved_on=dt.date(2017, 11, 30))


def test_load_keeps_every_matter_with_history_and_links_bodies(scheme, bodies):
    assert scheme.matters.count() == 105
    assert scheme.approved_by == bodies["SPB"]
    assert current_scheme() == scheme
    hce = scheme.holders.get(key="HCE")
    assert hce.body == bodies["HCE"]
    assert scheme.holders.get(key="IC").body is None  # no Investment Committee body here
    m = scheme.matters.get(text__startswith="To approve business cases")
    assert m.history.count() == 1
    assert m.history.first().history_change_reason.startswith("Scheme of delegation version 2017")


def test_a_version_is_loaded_once(scheme):
    with pytest.raises(ValidationError, match="version 2017 is already loaded"):
        load_scheme()


def test_approval_at_a_meeting_of_another_body_is_refused(bodies):
    meeting = MeetingFactory(body=bodies["HCE"], date=dt.date(2017, 11, 30))
    with pytest.raises(ValidationError, match="approved by System Partnership Board"):
        load_scheme(meeting=meeting)
    assert not Scheme.objects.exists()


def test_who_and_the_chain_of_delegation(scheme):
    [m] = who("approve business cases")
    assert m.reference == "5.13" and m.held_by_label == "Health and Care Executive"
    assert [h.key for h in chain(m)] == ["HCE", "SPB", "STATUTORY"]
    deg = scheme.matters.get(text__startswith="To develop final Business Cases")
    assert [h.key for h in chain(deg)] == ["DEG", "HCE", "SPB", "STATUTORY"]
    urgent = who("need for urgent decisions")
    assert [u.held_by_label for u in urgent] == ["Chair of Health and Care Executive"]


def test_cli_who_prints_the_public_csv(scheme):
    result = runner.invoke(app, ["delegation", "who", "approve business cases"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows == [
        ["matter", "held_by", "kind", "delegated_by"],
        [
            "To approve business cases to support delivery of the STP",
            "Health and Care Executive",
            "approve",
            "STP Board",
        ],
    ]
    reserved = runner.invoke(app, ["delegation", "who", "options for future organisational form"])
    assert list(csv.reader(io.StringIO(reserved.stdout)))[1] == [
        "To approve options for future organisational form",
        "Boards and governing bodies of the statutory NHS organisations",
        "approve",
        "",
    ]


def test_cli_who_without_a_scheme_or_words(db):
    result = runner.invoke(app, ["delegation", "who", "approve"])
    assert result.exit_code == 1 and "no scheme of delegation is loaded" in result.stderr
    assert runner.invoke(app, ["delegation", "who", "  "]).exit_code == 2


def test_cli_load_reports_a_bad_file(tmp_path, db):
    bad = tmp_path / "scheme-bad.yaml"
    bad.write_text(SCHEME_FILE.read_text().replace("kind: endorse", "kind: bless", 1))
    result = runner.invoke(app, ["delegation", "load", str(bad)])
    assert result.exit_code == 1
    assert "scheme-bad.yaml: table 2, matter 5: kind 'bless'" in result.stderr
    ok = runner.invoke(app, ["delegation", "load", str(SCHEME_FILE), "--approved-on", "2017-11-30"])
    assert ok.exit_code == 0 and "105 matters" in ok.stdout


@pytest.fixture
def client(client):
    client.force_login(RoleFactory().user)
    return client


def test_scheme_page_searches_and_lists_by_holder(client, scheme):
    page = client.get("/governance/delegation/", {"q": "approve business cases"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "1 matter for “approve business cases”" in html
    assert "Matters held by Investment Committee" in html
    none = client.get("/governance/delegation/", {"q": "parking permits"}).content.decode()
    assert "No matter in the scheme matches" in none
    long = client.get("/governance/delegation/", {"q": "x" * 201})
    assert long.status_code == 200 and "at most 200 characters" in long.content.decode()


def test_scheme_page_htmx_returns_the_answers_only(client, scheme):
    page = client.get(
        "/governance/delegation/",
        {"q": "minutes"},
        headers={"HX-Request": "true", "HX-Target": "answers"},
    )
    html = page.content.decode()
    assert html.lstrip().startswith('<div id="answers"') and "9 matters" in html


def test_matter_page_shows_the_chain(client, scheme):
    m = Matter.objects.get(text__startswith="To develop final Business Cases")
    html = client.get(f"/governance/delegation/matters/{m.pk}/").content.decode()
    for name in ["Delivery and Enabling Groups", "Health and Care Executive", "STP Board"]:
        assert name in html
    assert client.get("/governance/delegation/matters/999999/").status_code == 404


def test_pages_need_sign_in(scheme):
    from django.test import Client

    assert Client().get("/governance/delegation/").status_code == 302


def test_api_matters_and_openapi(client, scheme):
    rows = client.get("/api/delegation/matters", {"q": "approve business cases"}).json()
    assert [(r["reference"], r["held_by"], r["delegated_by"]) for r in rows] == [
        ("5.13", "Health and Care Executive", "STP Board")
    ]
    detail = client.get(f"/api/delegation/matters/{rows[0]['id']}").json()
    assert detail["chain"] == [
        "Health and Care Executive",
        "STP Board",
        "The relevant statutory bodies (boards, CCG governing body, councils)",
    ]
    assert len(client.get("/api/delegation/matters").json()) == 105
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/delegation/matters" in paths and "/api/delegation/matters/{matter_id}" in paths
