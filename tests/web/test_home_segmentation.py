"""The home page: segment changes, new triggers, decisions and open actions in the user's scope."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from oversight.access.models import Role
from oversight.support.models import ActionKind
from tests.factories import (
    FrameworkFactory,
    OrganisationFactory,
    ProposalFactory,
    RoleFactory,
    SoagActionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def propose(framework, org, quarter, quarter_end, segment, rules=()):
    return ProposalFactory(
        framework=framework, organisation=org, quarter=quarter, quarter_end=quarter_end,
        segment=segment, reasons=[{"rule": r, "label": r.replace("_", " ")} for r in rules],
        digest=f"{org.pk}{quarter}{segment}", inputs_version="test",
        computed_at=timezone.now(),
    )


@pytest.fixture
def world():
    framework = FrameworkFactory(code="sof-2021-22", name="System Oversight Framework 2021/22")
    rgt = OrganisationFactory(ods_code="RGT", name="Cambridge University Hospitals")
    rgn = OrganisationFactory(ods_code="RGN", name="North West Anglia",
                              host_system=rgt.host_system)
    elsewhere = OrganisationFactory(ods_code="RQX", name="Homerton Healthcare")
    q1, q2 = ("Q1 2025/26", dt.date(2025, 6, 30)), ("Q2 2025/26", dt.date(2025, 9, 30))
    propose(framework, rgt, *q1, 2)
    propose(framework, rgt, *q2, 3, rules=["financial_plan"])
    propose(framework, rgn, *q1, 2)
    propose(framework, rgn, *q2, 2)
    propose(framework, elsewhere, *q1, 2)
    propose(framework, elsewhere, *q2, 4)
    role = RoleFactory(kind=Role.Kind.ICB, region=None, system=rgt.host_system)
    return {"rgt": rgt, "rgn": rgn, "elsewhere": elsewhere, "user": role.user}


def test_home_shows_segment_moves_and_new_triggers_in_scope_only(client, world):
    client.force_login(world["user"])
    text = client.get("/").content.decode()
    assert "Segment changes and new triggers" in text
    assert "Cambridge University Hospitals" in text
    assert "2 → <strong>3</strong>" in text
    assert "financial plan" in text
    assert "North West Anglia</a>" not in text  # unchanged, no new trigger
    assert "Homerton Healthcare" not in text  # outside the user's system


def test_home_lists_open_actions_and_flags_overdue(client, world):
    SoagActionFactory(
        organisation=world["rgt"], kind=ActionKind.PLAN, title="Agree a financial recovery plan",
        owner=world["user"], due=dt.date(2020, 1, 31), created_by=world["user"],
    )
    SoagActionFactory(
        organisation=world["rgt"], kind=ActionKind.PEER_REVIEW, title="Finished review",
        owner=world["user"], due=dt.date(2020, 1, 31), created_by=world["user"],
        status="completed",
    )
    client.force_login(world["user"])
    text = client.get("/").content.decode()
    assert "Agree a financial recovery plan" in text
    assert "Overdue" in text
    assert "Finished review" not in text


def test_home_concerns_skip_stale_series_and_report_a_measure_once():
    """Insights.new_concerns: a series that stopped long ago is not news; a metric code in two
    framework years is reported from the newest year only."""
    from oversight.metrics.insight import Insight, Insights
    from tests.factories import MetricFactory, ThemeFactory

    old_year = ThemeFactory(framework=FrameworkFactory(code="sof-2021-22",
                                                       year_start=dt.date(2021, 4, 1)))
    new_year = ThemeFactory(framework=FrameworkFactory(code="nof-2025-26",
                                                       year_start=dt.date(2025, 4, 1)))
    in_2021 = MetricFactory(theme=old_year, code="CAN28")
    in_2025 = MetricFactory(theme=new_year, code="CAN28")
    stale = MetricFactory(theme=old_year, code="AE4HR")

    def cell(metric, start):
        return Insight(subject="RGT", metric=metric, period_label="", period_start=start,
                       value=1.0, variation="concern_low", assurance=None, new_concern=True,
                       n_points=24, sparkline=())

    found = Insights(cells={
        ("RGT", in_2021.pk): cell(in_2021, dt.date(2025, 9, 1)),
        ("RGT", in_2025.pk): cell(in_2025, dt.date(2025, 9, 1)),
        ("RGT", stale.pk): cell(stale, dt.date(2019, 3, 1)),
    })
    assert [c.metric.pk for c in found.new_concerns()] == [in_2025.pk]


def test_organisation_user_sees_the_same_open_actions_on_home_as_in_the_action_list(
        client, world):
    """Which SOAG actions a user sees is support.rules.visible_actions' answer, on both pages:
    the organisation's own, and any the user owns; not the system's, nor a neighbour's."""
    rgt = world["rgt"]
    staff = RoleFactory(kind=Role.Kind.ORGANISATION, region=None, system=None,
                        organisation=rgt).user
    overseer = world["user"]
    own = SoagActionFactory(organisation=rgt, owner=overseer)
    owned = SoagActionFactory(organisation=world["elsewhere"], owner=staff)
    SoagActionFactory(organisation=None, system=rgt.host_system, owner=overseer)
    SoagActionFactory(organisation=world["rgn"], owner=overseer)
    client.force_login(staff)
    links = re.compile(r'href="/support/actions/(\d+)/"')
    on_home = {int(pk) for pk in links.findall(client.get("/").content.decode())}
    in_list = {int(pk) for pk in links.findall(
        client.get("/support/actions/").content.decode())}
    assert on_home == in_list == {own.pk, owned.pk}


def test_a_move_from_a_trigger_already_firing_names_it(client, world):
    """The Q2 move of a subject whose trigger fired already in Q1 is explained by that trigger,
    not 'None' (the column used to list only newly fired triggers)."""
    framework = FrameworkFactory(code="sof-2021-22")
    trust = OrganisationFactory(ods_code="RGM", name="Royal Papworth",
                                host_system=world["rgt"].host_system)
    propose(framework, trust, "Q1 2025/26", dt.date(2025, 6, 30), 3, rules=["bottom_quartile"])
    propose(framework, trust, "Q2 2025/26", dt.date(2025, 9, 30), 4,
            rules=["bottom_quartile", "financial_plan"])
    client.force_login(world["user"])
    text = client.get("/").content.decode()
    row = text[text.index("Royal Papworth</a>"):]
    row = row[: row.index("</tr>")]
    assert "3 → <strong>4</strong>" in row
    assert "bottom quartile;" in row  # already firing in Q1: named, not marked new
    assert 'financial plan <strong class="nhsuk-tag nhsuk-tag--orange">New</strong>' in row
