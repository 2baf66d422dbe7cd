"""Dashboard insight against published figures: NHSRplotthedots' icons for the 140 type-1 A&E
series, and NHS England's published NOF 2025/26 ranks, medians and quartiles."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest

from oversight.metrics.insight import aggregate, insights, load_observations, national_ranks
from oversight.metrics.models import Observation
from oversight.organisations.models import OrganisationKind
from tests.factories import (
    ImportBatchFactory,
    MetricFactory,
    OrganisationFactory,
    SystemFactory,
)

pytestmark = pytest.mark.django_db


def _ae_type1(shared_data: Path) -> dict[str, list[tuple[dt.date, float, float]]]:
    """Type-1 A&E: org -> [(month, attendances - breaches, attendances)]."""
    series: dict[str, list[tuple[dt.date, float, float]]] = defaultdict(list)
    with open(shared_data / "nhsr" / "ae_attendances.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["type"] != "1":
                continue
            att, breaches = float(row["attendances"]), float(row["breaches"])
            series[row["org_code"]].append(
                (dt.date.fromisoformat(row["period"]), att - breaches, att)
            )
    return series


def _load_ae(shared_data: Path, org_codes: list[str] | None = None):
    metric = MetricFactory(code="AE4HR", unit="proportion", polarity="higher", standard=0.95,
                           valid_min=0, valid_max=1)
    system = SystemFactory(code="QXX")
    batch = ImportBatchFactory()
    orgs = {}
    rows = []
    for code, points in sorted(_ae_type1(shared_data).items()):
        if org_codes and code not in org_codes:
            continue
        org = orgs[code] = OrganisationFactory(ods_code=code, host_system=system,
                                               kind=OrganisationKind.ACUTE)
        for month, num, den in points:
            end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            rows.append(Observation(
                metric=metric, organisation=org, period_start=month,
                period_end=end - dt.timedelta(days=1), period_label=month.strftime("%b-%y"),
                value=num / den, numerator=num, denominator=den, batch=batch,
            ))
    Observation.objects.bulk_create(rows)
    return metric, orgs


def test_icons_match_nhsrplotthedots_for_every_ae_series(shared_data):
    metric, orgs = _load_ae(shared_data)
    expected = {}
    with open(shared_data / "spc-reference" / "reference_ae_type1_performance_icons.csv") as f:
        for row in csv.DictReader(f):
            if row["variant"] == "default":
                name = row["icon"].split("/")[1].removesuffix(".svg")
                if row["type"] == "assurance":
                    name = {"pass": "consistent_pass", "fail": "consistent_fail"}.get(name, name)
                expected[(row["f"], row["type"])] = name
    found = insights(list(orgs.values()), rank=False)
    assert len(found.cells) == len(orgs) == 140
    for code in orgs:
        cell = found.get(code, metric.pk)
        assert cell.variation == expected[(code, "variation")], code
        assert cell.assurance == expected[(code, "assurance")], code


def test_system_aggregate_sums_numerators_and_denominators(shared_data):
    metric, orgs = _load_ae(shared_data, ["RF4", "RQM", "RJ1"])
    raw = _ae_type1(shared_data)
    df = load_observations([o.pk for o in orgs.values()])
    agg = aggregate(df, {"system:QXX": [o.pk for o in orgs.values()]})
    month = dt.date(2019, 3, 1)
    row = agg.filter(agg["period_start"] == month).row(0, named=True)
    num = sum(n for c in orgs for m, n, _ in raw[c] if m == month)
    den = sum(d for c in orgs for m, _, d in raw[c] if m == month)
    assert row["value"] == pytest.approx(num / den)
    assert row["organisations"] == 3
    found = insights(list(orgs.values()), groups={"system:QXX": [o.pk for o in orgs.values()]},
                     rank=False)
    cell = found.get("system:QXX", metric.pk)
    assert cell.value == pytest.approx(num / den)
    assert cell.period_label == "Mar-19"


def test_aggregate_without_numerators_is_the_mean():
    metric = MetricFactory(unit="%")
    a, b = OrganisationFactory(), OrganisationFactory()
    for org, value in ((a, 80.0), (b, 90.0)):
        Observation.objects.create(
            metric=metric, organisation=org, period_start=dt.date(2024, 4, 1),
            period_end=dt.date(2024, 4, 30), period_label="Apr-24", value=value,
            batch=ImportBatchFactory(),
        )
    agg = aggregate(load_observations([a.pk, b.pk]), {"place:N": [a.pk, b.pk]})
    assert agg.get_column("value").to_list() == [85.0]


def _nof_rows(shared_data: Path, metric_id: str, quarter: str) -> dict[str, dict]:
    rows = {}
    with open(shared_data / "nof-2025-26" / "mh-community-trust-data-q1-q2.csv") as f:
        for row in csv.DictReader(f):
            if row["Metric_ID"] == metric_id and row["Quarter"] == quarter and row["Value"]:
                rows[row["Trust_code"]] = row
    return rows


@pytest.mark.parametrize(("metric_id", "polarity"), [("OF0005", "lower")])
def test_national_rank_matches_nhs_england_published_rank(shared_data, metric_id, polarity):
    published = _nof_rows(shared_data, metric_id, "Q1 2025/26")
    assert len(published) > 40
    metric = MetricFactory(code=metric_id, polarity=polarity, unit="%")
    batch = ImportBatchFactory()
    orgs = {}
    for code, row in published.items():
        org = orgs[code] = OrganisationFactory(ods_code=code,
                                               kind=OrganisationKind.MENTAL_HEALTH_COMMUNITY)
        Observation.objects.create(
            metric=metric, organisation=org, period_start=dt.date(2025, 6, 1),
            period_end=dt.date(2025, 6, 30), period_label="Jun-25", value=float(row["Value"]),
            batch=batch,
        )
    ranks = national_ranks(metric, dt.date(2025, 6, 1))
    by_code = {code: ranks.get(org.pk) for code, org in orgs.items()}
    tied = defaultdict(int)
    for row in published.values():
        tied[row["Value"]] += 1
    exact = 0
    for code, row in published.items():
        rank = by_code[code]
        # NHS England ranked unrounded values; the published 2 dp values tie where theirs
        # did not, so the published rank lies within the tie block of our (lowest) rank.
        published_rank = int(float(row["Rank"]))
        assert rank.rank <= published_rank <= rank.rank + tied[row["Value"]] - 1, code
        exact += rank.rank == published_rank
        assert rank.peers == len(published)
        assert rank.median == pytest.approx(float(row["Median_value"]), abs=0.006)
        assert rank.lower_quartile == pytest.approx(float(row["Lower_quartile"]), abs=0.006)
        assert rank.upper_quartile == pytest.approx(float(row["Upper_quartile"]), abs=0.006)
    assert exact >= len(published) // 2


def test_new_concern_is_flagged_only_when_the_latest_point_turns():
    """15 steady months then a fall far below the limits: a new special-cause concern."""
    metric = MetricFactory(unit="%", polarity="higher")
    org = OrganisationFactory()
    batch = ImportBatchFactory()
    values = [90, 91, 89, 90, 92, 88, 90, 91, 89, 90, 92, 88, 90, 91, 89, 40]
    for i, v in enumerate(values):
        start = dt.date(2023 + (i // 12), i % 12 + 1, 1)
        Observation.objects.create(metric=metric, organisation=org, period_start=start,
                                   period_end=start + dt.timedelta(days=27),
                                   period_label=start.strftime("%b-%y"), value=v, batch=batch)
    cell = insights([org]).get(org.ods_code, metric.pk)
    assert cell.variation == "concern_low"
    assert cell.new_concern
    assert cell.sparkline[-1] == 40
    assert cell.rank.rank == 1 and cell.rank.peers == 1
