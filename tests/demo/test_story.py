"""The demo tells its story through the real segmentation (docs/demo.md, "The story").

The whole demo is loaded once for this module (the story needs every organisation: quartiles
are national) and the proposals are the ones `oversight segmentation recompute` makes. The
expectations come from the issue's words: most organisations in segment 2, some in 1 and 3,
few in 4; Cambridgeshire and Peterborough heading for segment 4 on finance; a C&P trust
improving out of segment 3; financial plan and actual figures behind the variance.
"""

import csv
import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.apps import apps
from django.db import models, transaction
from simple_history.models import registered_models
from simple_history.utils import get_history_model_for_model

from oversight.demo import load_demo
from oversight.demo.load import load_published_nof, shared_data_dir
from oversight.metrics.catalogue import load_all
from oversight.metrics.models import ImportBatch, Observation
from oversight.segmentation.models import Decision, Proposal
from oversight.story import LONDON
from oversight.support.actions import overdue_actions
from oversight.support.models import CaseKind, CaseStatus, SupportCase

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

SOF, NOF22 = "sof-2021-22", "nof-2022-23"
IMPROVING_TRUST = "RGN"  # North West Anglia, a Cambridgeshire and Peterborough provider
# The day the demo is loaded here: outside the story (2016 to 2025, NHS England's NOF files to
# December 2025), so a row dated by the clock rather than the story is seen as such.
LOAD_DAY = dt.date(2031, 1, 6)


@pytest.fixture(scope="module")
def story(django_db_setup, django_db_blocker):
    """The full demo (real A&E file left out, so the figures do not depend on shared data),
    loaded on LOAD_DAY and rolled back after the module. NHS England's published NOF 2025/26
    files, when shared data holds them, are loaded after it as the demo loads them (they
    touch no SOF or NOF 2022/23 figure the story reads)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with time_machine.travel(dt.datetime.combine(LOAD_DAY, dt.time(9), LONDON)):
                load_all()
                summary = load_demo(progress=False, real_data=False)
                load_published_nof(shared_data_dir(), summary)
            yield summary
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


def _on_load_day(model: type[models.Model], field: models.Field) -> int:
    lookup = f"{field.name}__date" if isinstance(field, models.DateTimeField) else field.name
    return model._default_manager.filter(**{lookup: LOAD_DAY}).count()


def test_no_history_row_or_timestamp_reads_the_day_of_loading(story):
    """Every history table django-simple-history knows of, and every date and time any model
    records, reads the story's dates: nothing reads LOAD_DAY."""
    # (a many-to-many field's history table has no date of its own: its rows belong to a row
    # of its model's history table)
    history_models = [
        get_history_model_for_model(model)
        for model in registered_models.values()
        if hasattr(model._meta, "simple_history_manager_attribute")
    ]
    assert len(history_models) >= 50  # the registry, not a hand list
    history_rows = {h._meta.label: h.objects.count() for h in history_models}
    assert sum(history_rows.values()) > 1000  # not vacuous
    on_load_day = {
        h._meta.label: n
        for h in history_models
        if (n := _on_load_day(h, h._meta.get_field("history_date")))
    }
    assert not on_load_day, on_load_day
    timestamps = {
        f"{model._meta.label}.{field.name}": n
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.DateField) and (n := _on_load_day(model, field))
    }
    assert not timestamps, timestamps


def test_published_nof_trusts_the_demo_lacked_read_the_files_date(story):
    """Trusts that only NHS England's NOF 2025/26 files name are created as the file is loaded,
    on the last day of the latest quarter it reports (Quarter column), not the day of loading."""
    from oversight.organisations.models import Organisation

    batches = ImportBatch.objects.filter(format="nof")
    if not batches.exists():
        pytest.skip(f"NHS England's NOF 2025/26 files are not in {shared_data_dir()}")
    reported_to = {
        "mh-community-trust-data-q1-q2.csv": dt.date(2025, 9, 30),  # Q2 2025/26
        "all-trust-types-league-q3-partial.csv": dt.date(2025, 12, 31),  # Q3 2025/26
    }
    for batch in batches:
        assert batch.created_at.astimezone(LONDON).date() == reported_to[batch.file_name]
    named = set()
    for name in reported_to:
        with (shared_data_dir() / "nof-2025-26" / name).open(encoding="utf-8-sig") as f:
            named |= {row["Trust_code"] for row in csv.DictReader(f)}
    created = set(
        Organisation.history.filter(
            history_type="+", history_date__date__in=list(reported_to.values())
        ).values_list("ods_code", flat=True)
    )
    assert created and created <= named, created


def test_start_up_finds_nothing_new_to_escalate(story):
    """The demo escalates the overdue SOF 4 exit plan (due 30 June 2025) on 1 July 2025, as the
    server's hourly check would have: started on a fresh demo, the check finds nothing."""
    from oversight.support.models import SoagAction

    exit_plan = SoagAction.objects.get(title="Agree the SOF 4 exit plan")
    assert exit_plan.status == "escalated"
    escalated = exit_plan.history.get(status="escalated")
    assert escalated.history_date.astimezone(LONDON).date() == dt.date(2025, 7, 1)
    assert not overdue_actions(LOAD_DAY).exists()
