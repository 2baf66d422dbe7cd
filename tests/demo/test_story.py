"""The demo tells its story through the real segmentation (docs/demo.md, "The story").

The whole demo is loaded once for this module (the story needs every organisation: quartiles
are national) and the proposals are the ones `oversight segmentation recompute` makes. The
expectations come from the issue's words: most organisations in segment 2, some in 1 and 3,
few in 4; Cambridgeshire and Peterborough heading for segment 4 on finance; a C&P trust
improving out of segment 3; financial plan and actual figures behind the variance.
"""

import datetime as dt
from collections import Counter

import pytest
from django.db import transaction

from oversight.demo import load_demo
from oversight.metrics.catalogue import load_all
from oversight.metrics.models import Observation
from oversight.segmentation.models import Decision, Proposal
from oversight.support.models import CaseKind, CaseStatus, SupportCase

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

SOF, NOF22 = "sof-2021-22", "nof-2022-23"
IMPROVING_TRUST = "RGN"  # North West Anglia, a Cambridgeshire and Peterborough provider


@pytest.fixture(scope="module")
def story(django_db_setup, django_db_blocker):
    """The full demo (real A&E file left out, so the figures do not depend on shared data),
    rolled back after the module."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_all()
            yield load_demo(progress=False, real_data=False)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def path(framework: str, **subject) -> list[tuple[str, int, set[str]]]:
    """(quarter, segment, triggers fired) of a subject's current proposals, oldest first."""
    proposals = Proposal.objects.filter(framework__code=framework, current=True, **subject)
    return [
        (p.quarter, p.segment, {r["rule"] for r in p.reasons} - {"segment_1", "segment_4"})
        for p in proposals.order_by("quarter_end")
    ]


def test_most_are_in_segment_2_some_in_1_and_3_few_in_4(story):
    by_quarter: dict[str, Counter] = {}
    for quarter, segment in Proposal.objects.filter(framework__code=SOF, current=True).values_list(
        "quarter", "segment"
    ):
        by_quarter.setdefault(quarter, Counter())[segment] += 1
    assert len(by_quarter) >= 13  # Q2 2022/23 (the ICBs' first) to Q2 2025/26
    for quarter, counts in by_quarter.items():
        n = sum(counts.values())
        assert counts.most_common(1)[0][0] == 2, (quarter, counts)
        assert counts[2] >= 0.4 * n, (quarter, counts)
        assert 0.05 * n <= counts[1] <= 0.25 * n, (quarter, counts)
        assert 0.1 * n <= counts[3] <= 0.4 * n, (quarter, counts)
        assert 1 <= counts[4] <= 0.1 * n, (quarter, counts)


def test_cambridgeshire_and_peterborough_heads_for_segment_4_on_finance(story):
    steps = path(SOF, system__code="QUE")
    segments = [segment for _, segment, _ in steps]
    assert segments == sorted(segments), steps  # never better again once it slides
    assert segments[0] == 2 and segments[-1] == 4 and 3 in segments, steps
    first_3 = next(step for step in steps if step[1] == 3)
    assert first_3[2] == {"financial_plan"}, first_3  # finance is why it leaves segment 2
    assert all("financial_plan" in fired for _, segment, fired in steps if segment >= 3)
    # the finance trigger reads the ICB's year-to-date variance against plan: below plan
    # from the quarter it first fires
    quarter_end = Proposal.objects.get(
        framework__code=SOF, current=True, system__code="QUE", quarter=first_3[0]
    ).quarter_end
    variance = Observation.objects.filter(
        metric__framework__code=SOF,
        metric__code="FINVAR",
        organisation__ods_code="QUE",
        period_end__lte=quarter_end,
    ).order_by("period_end")
    assert variance.last().value < 0
    assert variance.filter(period_end__lt=dt.date(2023, 4, 1)).exists()
    assert not variance.filter(period_end__lt=dt.date(2023, 4, 1), value__lt=0).exists()


def test_a_cambridgeshire_and_peterborough_trust_improves_out_of_segment_3(story):
    steps = path(SOF, organisation__ods_code=IMPROVING_TRUST)
    segments = [segment for _, segment, _ in steps]
    assert story and segments[0] == 3 and segments[-1] == 2, steps
    first_2 = segments.index(2)
    assert set(segments[:first_2]) == {3}, steps  # in segment 3 until it improves...
    assert set(segments[first_2:]) == {2}, steps  # ...and stays out
    assert first_2 >= 4  # a year or more in segment 3 first


def test_decisions_and_support_cases_follow_the_proposals(story):
    for decision in Decision.objects.filter(quarter_end__gte=dt.date(2022, 4, 1)):
        proposal = Proposal.objects.get(
            framework=decision.framework,
            current=True,
            quarter=decision.quarter,
            organisation=decision.organisation,
            system=decision.system,
        )
        assert decision.segment == proposal.segment, (str(decision), proposal.segment)
    que = list(
        Decision.objects.filter(system__code="QUE")
        .order_by("quarter_end")
        .values_list("segment", flat=True)
    )
    assert que == [3, 4]
    rgn = list(
        Decision.objects.filter(organisation__ods_code=IMPROVING_TRUST)
        .order_by("quarter_end")
        .values_list("segment", flat=True)
    )
    assert rgn[-1] == 2 and 3 in rgn
    rsp = SupportCase.objects.get(system__code="QUE", kind=CaseKind.RSP)
    assert rsp.status != CaseStatus.CLOSED  # mid-way
    criteria = list(rsp.rsp.criteria.values_list("met", flat=True))
    assert len(criteria) == 4 and criteria.count(True) == 2
    actions = list(rsp.actions.all())
    assert sum(a.is_overdue(dt.date(2025, 9, 30)) for a in actions) == 1
    assert sum(a.completed_at is not None for a in actions) == 1
    exited = SupportCase.objects.get(organisation__ods_code=IMPROVING_TRUST, kind=CaseKind.RSP)
    assert exited.status == CaseStatus.CLOSED
    assert (
        not SupportCase.objects.filter(organisation__ods_code=IMPROVING_TRUST)
        .exclude(status=CaseStatus.CLOSED)
        .exists()
    )  # segment 2 ended its mandated support


def test_nof_2022_23_is_segmented_for_the_years_it_was_in_force(story):
    quarters = set(
        Proposal.objects.filter(framework__code=NOF22, current=True).values_list(
            "quarter", flat=True
        )
    )
    years = sorted({q.split()[1] for q in quarters})
    assert years == ["2022/23", "2023/24", "2024/25"]
    assert not Observation.objects.filter(
        metric__framework__code=NOF22, period_end__gt=dt.date(2025, 3, 31)
    ).exists()
    # the same measure (same code) has the same figures in both frameworks
    sof = dict(
        Observation.objects.filter(
            metric__framework__code=SOF,
            metric__code="RTT18",
            organisation__ods_code="RGT",
            period_end__lte=dt.date(2025, 3, 31),
        ).values_list("period_start", "value")
    )
    nof = dict(
        Observation.objects.filter(
            metric__framework__code=NOF22, metric__code="RTT18", organisation__ods_code="RGT"
        ).values_list("period_start", "value")
    )
    assert len(nof) == 36 and nof == sof


@pytest.mark.parametrize("framework", [SOF, NOF22])
def test_actual_is_plan_plus_variance(story, framework):
    figures: dict[tuple, dict[str, float]] = {}
    for code, org, start, value in Observation.objects.filter(
        metric__framework__code=framework, metric__code__in=["FINPLAN", "FINACT", "FINVAR"]
    ).values_list("metric__code", "organisation_id", "period_start", "value"):
        figures.setdefault((org, start), {})[code] = value
    assert len(figures) > 1000
    for key, f in figures.items():
        assert set(f) == {"FINPLAN", "FINACT", "FINVAR"}, key
        # each figure is rounded to £10k, so the sum may be off by one unit
        assert f["FINACT"] - f["FINPLAN"] == pytest.approx(f["FINVAR"], abs=0.0101), key


def test_governance_and_risk_events_bear_the_story_dates(story):
    """Events are recorded on the story's days (oversight.story.on), not the day of loading:
    the SOAG's inaugural meeting of 31 August 2021 (seed 000) is held, attended and minuted
    that day; the register's first assessments (29 April 2024) date the risks they raise."""
    from oversight.governance.models import Body
    from oversight.risks.models import Risk

    inaugural = dt.date(2021, 8, 31)
    soag = Body.objects.get(short_name="SOAG")
    meeting = soag.meetings.get(date=inaugural)
    held = meeting.history.get(history_change_reason="Meeting held")
    assert held.history_date.date() == inaugural
    assert {a.history.earliest().history_date.date() for a in meeting.attendances.all()} == {
        inaugural
    }
    assert meeting.minutes.get().history.earliest().history_date.date() == inaugural
    assert soag.terms.get(version="1.7").history.earliest().history_date.date() <= inaugural

    finance = Risk.objects.get(reference="QUE-R001")
    first = finance.assessments.first().assessed_on
    assert finance.created_at.date() == first
    assert finance.history.earliest().history_date.date() == first
    assert {e.at.date() for e in finance.events.filter(event="raise")} == {first}
    story_end = dt.date(2025, 9, 30)
    assert all(
        row.history_date.date() <= story_end
        for row in Risk.history.all()  # the register's and the suggested ones
    )
    # the development plan's risk statements are linked to the register on the story's days
    from oversight.development.models import Action, RiskStatement

    assert all(row.history_date.date() <= story_end for row in Action.history.all())

    linked = RiskStatement.history.filter(risk__isnull=False)
    assert linked.exists()
    assert all(row.history_date.date() <= story_end for row in linked)
