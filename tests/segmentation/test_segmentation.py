"""Recompute end to end, decisions (supersede, never edit, rationale, permission), pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from oversight.access.models import Role
from oversight.metrics.models import Observation
from oversight.segmentation.decisions import current_decision, history, record_decision
from oversight.segmentation.models import Decision, Proposal
from oversight.segmentation.proposals import SegmentationError, recompute_proposals
from tests.factories import RegionFactory, RoleFactory, UserFactory

Q4 = "Q4 2021/22"


def regional(region):
    return RoleFactory(kind=Role.Kind.REGIONAL, region=region).user


def test_recompute_end_to_end(national) -> None:
    result = recompute_proposals("sof-2021-22")
    assert result.quarters == ["Q1 2021/22", "Q2 2021/22", "Q3 2021/22", Q4]
    assert result.proposals == 9 * 4 and result.written == 36  # 8 trusts + the system
    r0 = Proposal.objects.get(organisation__ods_code="R0", quarter=Q4, current=True)
    # R0: bottom of every metric for 12 months (sustained), FINVAR -2 (finance) and CQC
    # Inadequate overall since January (critical quality): segment 4
    assert r0.segment == 4
    rules = {r["rule"] for r in r0.reasons}
    assert {"segment_4", "critical_quality", "sustained_poor", "financial_plan",
            "bottom_quartile"} <= rules
    fin = next(r for r in r0.reasons if r["rule"] == "financial_plan")
    assert (fin["metric"], fin["value"], fin["period"]) == ("FINVAR", -2.0, "Mar-22")
    assert Proposal.objects.get(organisation__ods_code="R0", quarter="Q3 2021/22").segment == 3
    # R7: top quartile everywhere, plan met, CQC Good: segment 1
    assert Proposal.objects.get(organisation__ods_code="R7", quarter=Q4).segment == 1
    # the system is segmented on its ICB's metrics, beside its organisations
    system = Proposal.objects.get(system=national["system"], quarter=Q4)
    assert system.organisation_id is None and system.facts["kind"] == "icb"

    again = recompute_proposals("sof-2021-22")
    assert (again.written, again.unchanged) == (0, 36)

    obs = Observation.objects.get(
        organisation__ods_code="R0", metric__code="FINVAR", period_end=dt.date(2022, 3, 31)
    )
    Observation.objects.filter(pk=obs.pk).update(value=0.5)
    third = recompute_proposals("sof-2021-22", [Q4])
    assert third.written == 1
    old, new = Proposal.objects.filter(organisation__ods_code="R0", quarter=Q4).order_by("id")
    # on plan again, still critical on quality: a new proposal, the same segment
    assert (old.current, old.segment, new.current, new.segment) == (False, 4, True, 4)
    assert "financial_plan" not in {r["rule"] for r in new.reasons}


def test_recompute_unknown_framework(db) -> None:
    with pytest.raises(SegmentationError, match="unknown framework 'nope'"):
        recompute_proposals("nope")


def test_decision_life_cycle(national) -> None:
    recompute_proposals("sof-2021-22")
    fw, r0 = national["framework"], national["orgs"][0]
    user = regional(national["region"])
    first = record_decision(
        user=user, framework=fw, subject=r0, quarter=Q4, segment=4, system_leader_views="ICB agrees"
    )
    assert first.proposed_segment == 4 and first.proposal.segment == 4
    with pytest.raises(ValidationError, match="rationale"):
        record_decision(user=user, framework=fw, subject=r0, quarter=Q4, segment=3)
    assert Decision.objects.count() == 1  # nothing written
    second = record_decision(
        user=user,
        framework=fw,
        subject=r0,
        quarter=Q4,
        segment=3,
        rationale="Finance recovery plan agreed with the region",
    )
    assert second.supersedes == first
    assert current_decision(fw, r0, Q4) == second
    first.refresh_from_db()
    assert first.segment == 4 and first.superseded_by == second  # the old one is unchanged
    # never edited in place: the model refuses, and so does the database
    first.segment = 1
    with pytest.raises(ValidationError, match="never edited"):
        first.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        Decision.objects.filter(pk=first.pk).update(segment=1)
    # the database also refuses a departure from the proposal without a rationale
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.bulk_create(
            [
                Decision(
                    framework=fw,
                    organisation=r0,
                    quarter=Q4,
                    quarter_end=dt.date(2022, 3, 31),
                    segment=1,
                    proposed_segment=4,
                    effective_from=dt.date(2022, 4, 1),
                    decided_by=user,
                    decided_at=second.decided_at,
                    supersedes=second,
                )
            ]
        )
    kinds = [e.kind for e in history(r0, fw) if e.quarter == Q4]
    assert kinds == ["decision", "decision", "proposal"]


def test_only_the_regional_role_for_the_region_may_decide(national) -> None:
    recompute_proposals("sof-2021-22")
    fw, r0 = national["framework"], national["orgs"][0]
    icb_user = RoleFactory(kind=Role.Kind.ICB, region=None, system=national["system"]).user
    other_region = regional(RegionFactory(code="Y56", name="London"))
    for user in (icb_user, other_region, UserFactory()):
        with pytest.raises(PermissionDenied):
            record_decision(user=user, framework=fw, subject=r0, quarter=Q4, segment=4)


def _post(client, segment, rationale=""):
    return client.post(
        "/segmentation/organisations/R0/",
        {
            "framework": "sof-2021-22",
            "quarter": Q4,
            "segment": segment,
            "rationale": rationale,
            "system_leader_views": "",
            "effective_from": "2022-04-01",
        },
    )


def test_decision_form_permission_and_history(client, national) -> None:
    recompute_proposals("sof-2021-22")
    icb_user = RoleFactory(kind=Role.Kind.ICB, region=None, system=national["system"]).user
    client.force_login(icb_user)
    page = client.get("/segmentation/organisations/R0/?framework=sof-2021-22")
    assert page.status_code == 200
    assert b"Record a decision" not in page.content
    assert _post(client, 4).status_code == 403
    assert Decision.objects.count() == 0

    client.force_login(regional(national["region"]))
    page = client.get("/segmentation/organisations/R0/?framework=sof-2021-22")
    html = page.content.decode()
    assert "Record a decision" in html and "Sustained very poor performance" in html
    # segment 4 with its label, and the framework's judgement criteria for mandated support
    assert "Critical quality and/or finance concerns (Recovery Support Programme)" in html
    assert "Judgement needed" in html and "Previous action taken towards improvement" in html
    assert 'href="/organisations/R0/metrics/FINVAR/"' in html  # evidence links
    bad = _post(client, 2)
    assert bad.status_code == 200 and "Give a rationale" in bad.content.decode()
    assert _post(client, 3, "Recovery plan in place").status_code == 302
    page = client.get("/segmentation/organisations/R0/?framework=sof-2021-22").content.decode()
    assert "Recovery plan in place" in page and "(proposal was 4)" in page


def test_overview_filters_and_system_page(client, national) -> None:
    recompute_proposals("sof-2021-22")
    client.force_login(regional(national["region"]))
    html = client.get("/segmentation/?framework=sof-2021-22").content.decode()
    assert "Trust 0" in html and "Cambridgeshire and Peterborough" in html
    assert "9 proposals for Q4 2021/22" in html and "worsened from 3" in html
    only_systems = client.get(
        "/segmentation/?framework=sof-2021-22&kind=system", headers={"HX-Request": "true"}
    ).content.decode()
    assert "Trust 0" not in only_systems and "<html" not in only_systems
    system = client.get("/segmentation/systems/QUE/?framework=sof-2021-22").content.decode()
    assert "Organisations in this system" in system and "Trust 7" in system
    assert client.get("/segmentation/organisations/QUE/").status_code == 302  # ICB -> system
    rules = client.get("/segmentation/rules/sof-2021-22/").content.decode()
    assert "at least 40%" in rules and "rules.yaml" in rules
    # every rule with the framework's words and the reading, and the segment labels loaded
    assert "Considered for mandated support" in rules
    assert "Very serious, complex issues manifesting as critical quality and/or finance" in rules
    assert "Our reading: A level, not a change." in rules


def test_early_warning_stored_with_the_proposal(national, monkeypatch) -> None:
    import dataclasses

    from oversight.segmentation import proposals

    real = proposals.load_rules
    # a reading of the rules without the dramatic-drop trigger, so the dip below only warns
    monkeypatch.setattr(
        proposals,
        "load_rules",
        lambda fw: dataclasses.replace(real(fw), drop_relative=100.0),
    )
    # R5 (15 every month) dips in the last month: a special-cause concern, no trigger
    Observation.objects.filter(
        organisation__ods_code="R5", metric__code="A", period_end=dt.date(2022, 3, 31)
    ).update(value=14.9)
    recompute_proposals("sof-2021-22", [Q4])
    p = Proposal.objects.get(organisation__ods_code="R5", quarter=Q4)
    assert p.segment == 2
    assert [(w["metric"], w["value"], w["period"]) for w in p.warnings] == [("A", 14.9, "Mar-22")]
    assert Proposal.objects.get(organisation__ods_code="R4", quarter=Q4).warnings == []


def test_proposals_use_published_figures_only(national) -> None:
    """R0's March FINVAR (-2, published) fires the finance trigger. An organisation user's
    revision to +0.5 awaits publication: the proposal keeps the published -2 until the load is
    published; a new point of an unpublished load does not count at all."""
    from oversight.metrics.models import ObservationRevision
    from tests.factories import ImportBatchFactory

    recompute_proposals("sof-2021-22")
    r0 = national["orgs"][0]
    obs = Observation.objects.get(
        organisation=r0, metric__code="FINVAR", period_end=dt.date(2022, 3, 31)
    )
    pending = ImportBatchFactory(published_at=None)
    ObservationRevision.objects.create(
        observation=obs, value=obs.value, batch=obs.batch, superseded_by=pending
    )
    Observation.objects.filter(pk=obs.pk).update(value=0.5, batch=pending)
    assert recompute_proposals("sof-2021-22", [Q4]).written == 0
    assert Proposal.objects.get(organisation=r0, quarter=Q4, current=True).segment == 4

    # an unpublished brand-new point (R7 worst of all in April) is not seen either
    april = dt.date(2022, 4, 30)
    Observation.objects.create(
        metric=national["metrics"]["FINVAR"],
        organisation=national["orgs"][7],
        period_start=april.replace(day=1),
        period_end=april,
        period_label="Apr-22",
        value=-50.0,
        batch=pending,
    )
    assert recompute_proposals("sof-2021-22").quarters[-1] == Q4

    pending.published_at = dt.datetime(2022, 5, 1, tzinfo=dt.UTC)
    pending.save()
    assert recompute_proposals("sof-2021-22", [Q4]).written == 1
    published = Proposal.objects.get(organisation=r0, quarter=Q4, current=True)
    assert "financial_plan" not in {r["rule"] for r in published.reasons}
    assert recompute_proposals("sof-2021-22").quarters[-1] == "Q1 2022/23"


def test_overview_segment_filter_trend_and_concerns(client, national) -> None:
    """Segment 4 (proposed or decided) leaves R0 alone; its FINVAR fell from 1 to -2 in March,
    far below its process limits: one special-cause concern, linked to its page. Every other
    series is flat (common cause)."""
    recompute_proposals("sof-2021-22")
    client.force_login(regional(national["region"]))
    html = client.get("/segmentation/?framework=sof-2021-22&segment=4").content.decode()
    assert "1 proposal for Q4 2021/22" in html
    assert "Trust 0" in html and "Trust 1<" not in html
    assert "worsened from 3" in html
    assert '<a href="/organisations/R0/">1<span class="nhsuk-u-visually-hidden">' in html
    everyone = client.get("/segmentation/?framework=sof-2021-22").content.decode()
    assert everyone.count("special-cause concerns: ") == 1
    assert "no change" in everyone  # the other trusts kept their Q3 segment
    # decided counts too: a decision of segment 4 for R7 brings it under the filter
    record_decision(
        user=regional(national["region"]),
        framework=national["framework"],
        subject=national["orgs"][7],
        quarter=Q4,
        segment=4,
        rationale="Critical quality concerns raised by CQC",
        publish=True,
    )
    html = client.get("/segmentation/?framework=sof-2021-22&segment=4").content.decode()
    assert "2 proposals for Q4 2021/22" in html and "Trust 7" in html


def test_system_page_rolls_organisations_up_by_place(client, national) -> None:
    """Seed 002's case: a high-performing trust (R7, segment 1) in a system decided segment 4;
    the system page shows the system's own segment and every organisation's, by place."""
    from tests.factories import PlaceFactory

    north = PlaceFactory(system=national["system"], code="NORTH", name="North ICP")
    south = PlaceFactory(system=national["system"], code="SOUTH", name="South ICP")
    orgs = national["orgs"]
    for org, place in [(orgs[0], north), (orgs[7], north), (orgs[1], south)]:
        org.place = place
        org.save()
    recompute_proposals("sof-2021-22")
    user = regional(national["region"])
    record_decision(
        user=user,
        framework=national["framework"],
        subject=national["system"],
        quarter=Q4,
        segment=4,
        rationale="Critical finance concerns across the system",
        publish=True,
    )
    client.force_login(user)
    html = client.get("/segmentation/systems/QUE/?framework=sof-2021-22").content.decode()
    rollup = html[html.index("Organisations by place") :]
    rows = {
        r.split("</td>")[0]: [int(c) for c in re.findall(r"numeric\">(\d+)<", r)]
        for r in rollup.split("<tr><td>")[1:4]
    }
    # segments 1..4: North holds R0 (4) and R7 (1); South R1 (3 or 2: as proposed); the rest
    r1 = Proposal.objects.get(organisation=orgs[1], quarter=Q4, current=True).segment
    assert rows["North ICP"] == [1, 0, 0, 1]
    assert rows["South ICP"] == [int(r1 == s) for s in (1, 2, 3, 4)]
    assert sum(rows["Not in a place"]) == 5
    assert "Segment 4 (decided)" in html[html.index("The system itself") :]
    r7 = html[html.index("Trust 7</a>") :]
    assert r7.index("North ICP") < r7.index("Segment 1</strong>") < r7.index("</tr>")


def test_system_page_says_when_the_framework_does_not_segment_systems(client, national) -> None:
    from oversight.metrics.models import Framework
    from tests.factories import FrameworkFactory

    FrameworkFactory(
        code="nof-2025-26",
        name="NHS Oversight Framework 2025/26",
        year_start=dt.date(2025, 4, 1),
        method=Framework.Method.SCORED,
    )
    client.force_login(regional(national["region"]))
    html = client.get("/segmentation/systems/QUE/?framework=nof-2025-26").content.decode()
    assert "NHS Oversight Framework 2025/26 does not segment systems (ICBs)" in html
    html = client.get("/segmentation/systems/QUE/?framework=sof-2021-22").content.decode()
    assert "does not segment systems" not in html


def test_an_unknown_filter_value_is_a_message_not_a_404(client, national) -> None:
    """?quarter=garbage (a mistyped or stale link) says what is wrong and shows the latest."""
    recompute_proposals("sof-2021-22")
    client.force_login(regional(national["region"]))
    for url in ("/segmentation/?framework=sof-2021-22&quarter=garbage",
                "/segmentation/organisations/R0/?framework=sof-2021-22&quarter=garbage",
                "/segmentation/?framework=no-such-year"):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "There is a problem with the filter" in page, url
    page = client.get("/segmentation/?framework=sof-2021-22&quarter=garbage").content.decode()
    assert "There are no proposals for &#39;garbage&#39;" in page
    assert "9 proposals for Q4 2021/22" in page
