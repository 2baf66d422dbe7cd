"""The demo's C&P risk register: seed 004's themes across the partners, a few risks held by the
board, some outside appetite, controls and assurances with gaps, a BAF per objective; dated as
a story and loaded once."""

from __future__ import annotations

import datetime as dt

import pytest

from oversight.access.models import Role
from oversight.metrics.catalogue import load_all
from oversight.risks.demo import RISKS, load_risks_demo
from oversight.risks.models import Risk, RiskEvent, StrategicObjective
from oversight.risks.register import assess, with_related
from oversight.support.demo import load_support_demo
from tests.factories import (
    BodyFactory,
    MembershipFactory,
    OrganisationFactory,
    RegionFactory,
    SystemFactory,
    UserFactory,
)

SEED_004_THEMES = {
    "population_focus", "effective_governance", "capabilities", "relationships",
    "collaboration", "workforce", "opportunities", "regional",
}


@pytest.fixture
def demo(db):
    load_all()
    region = RegionFactory(code="Y61", name="East of England")
    system = SystemFactory(code="QUE", name="Cambridgeshire and Peterborough", region=region)
    for code, name, kind in [
        ("QUE", "NHS Cambridgeshire and Peterborough ICB", "icb"),
        ("RGN", "North West Anglia NHS Foundation Trust", "acute"),
        ("RGT", "Cambridge University Hospitals NHS Foundation Trust", "acute"),
        ("RT1", "Cambridgeshire and Peterborough NHS Foundation Trust", "mental_health"),
        ("RYC", "East of England Ambulance Service NHS Trust", "ambulance"),
    ]:
        OrganisationFactory(ods_code=code, name=name, kind=kind, host_system=system,
                            region=region)
    for name, kind, scope in [
        ("demo", "regional", {"region": region}),
        ("icb-que", "icb", {"system": system}),
        ("soag-que", "soag_member", {"system": system}),
    ]:
        Role.objects.create(user=UserFactory(username=name, password=None), kind=kind, **scope)
    load_support_demo()
    spb = BodyFactory(short_name="SPB", name="System Partnership Board", kind="board",
                      system=system)
    hce = BodyFactory(short_name="HCE", name="Health and Care Executive", kind="executive",
                      system=system, reports_to=spb)
    for short, kind, parent in [("FPPG", "finance_group", hce), ("SDB", "delivery_board", hce),
                                ("AEDB", "ae_delivery_board", None), ("CC",
                                "clinical_community", hce)]:
        BodyFactory(short_name=short, name=short, kind=kind, system=system, reports_to=parent)
    soag = BodyFactory(short_name="SOAG", name="System Oversight and Assurance Group",
                       kind="committee", system=system, reports_to=spb)
    MembershipFactory(body=soag)
    return load_risks_demo()


def test_the_register(demo):
    risks = list(Risk.objects.filter(system__code="QUE", suggestion_key=""))
    assert len(risks) == len(RISKS)
    assert {r.theme for r in risks} >= SEED_004_THEMES
    partners = {o.ods_code for r in risks for o in r.organisations.all()}
    assert {"RGT", "RGN", "RT1", "RYC"} <= partners
    assert any(not r.organisations.exists() for r in risks)  # system-wide risks


def test_board_holds_the_extreme_risks_and_the_one_it_asked_for(demo):
    board = {r.reference: r for r in Risk.objects.filter(level="board")}
    finance = board["QUE-R001"]
    assert finance.current_score == 16 and finance.escalated_by_rule
    assert finance.held_by.short_name == "SPB"  # FPPG -> HCE -> SPB
    elective = board["QUE-R002"]
    assert not elective.escalated_by_rule
    assert RiskEvent.objects.get(risk=elective, event="escalate", by__isnull=False).at.date() \
        == dt.date(2025, 5, 1)


def test_some_risks_are_outside_appetite(demo):
    rows = assess(with_related(Risk.objects.filter(status__in=["open", "tolerated"])),
                  dt.date(2025, 9, 30))
    outside = {r.risk.reference for r in rows if r.outside_appetite}
    # elective 12 and mental health 12 above cautious (10) and minimal (6)
    assert {"QUE-R002", "QUE-R014"} <= outside


def test_baf_has_controls_assurances_and_gaps(demo):
    finance = Risk.objects.get(reference="QUE-R001")
    assert finance.principal and finance.board_assurance == "limited"
    assert {a.line for a in finance.assurances.all()} == {"management", "oversight",
                                                         "independent"}
    assert finance.gaps.filter(kind="control").exists()
    assert finance.gaps.filter(kind="assurance").exists()
    assert finance.actions.count() == 2
    assert finance.support_case is not None and finance.exit_criterion.metric.code == "FINVAR"
    assert StrategicObjective.objects.filter(system__code="QUE").count() == 6
    assert all(o.appetite.approved_on for o in StrategicObjective.objects.all())


def test_dated_as_a_story(demo):
    finance = Risk.objects.get(reference="QUE-R001")
    assert [a.score for a in finance.assessments.all()] == [12, 16, 16, 20, 20, 16]
    assert finance.assessments.first().assessed_on == dt.date(2024, 4, 29)
    assert finance.last_reviewed_on == dt.date(2025, 7, 28)
    assert RiskEvent.objects.filter(at__date__gt=dt.date(2025, 9, 30)).filter(
        risk__suggestion_key="").count() == 0
    nwaft = Risk.objects.get(reference="QUE-R015")
    assert nwaft.status == "closed" and "Good" in nwaft.status_reason


def test_loaded_once(demo):
    count, events = Risk.objects.count(), RiskEvent.objects.count()
    again = load_risks_demo()
    assert again.created == []
    assert (Risk.objects.count(), RiskEvent.objects.count()) == (count, events)


def test_the_soag_reviewed_its_risks_and_minuted_it(demo):
    from oversight.governance.models import MinuteEntry

    regional = Risk.objects.get(reference="QUE-R013")
    assert regional.lead_committee.short_name == "SOAG"
    assert regional.last_reviewed_on == dt.date(2025, 7, 29)
    entry = MinuteEntry.objects.get(item__title="Risk register review")
    assert entry.item.meeting.date == dt.date(2025, 7, 29)
    assert "QUE-R013" in entry.decision and "reviewed, no change" in entry.decision
    assert "SOAG risk review of 29 July 2025 minuted" in demo.describe()
