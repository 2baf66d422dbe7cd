"""Every mandated-support trigger and segment threshold, and the NOF 2025/26 bands and cut
points, pinned exactly on the threshold, just below and just above it.

The thresholds are the shipped rules files' (both criteria years); the side a value exactly on
one falls is the framework's own words as the files quote them: "at least" (40% of metrics in
the bottom quartile, 15% worse, half the interquartile range, 6 months, half the metrics in the
top quartile, 12 months below plan, a shortfall 50% larger) includes the threshold; "below
zero" excludes it; a NOF band is reached by a value equal to its minimum; a NOF average equal to
a cut point stays in the better segment. Expected values are worked by hand here, never taken
from the engine.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import polars as pl
import pytest

from oversight.engine import triggers as tr
from oversight.engine.nof import load_rules
from oversight.engine.nof.scoring import compute_scores
from oversight.engine.nof.segments import segments_from_cuts
from tests.engine.test_triggers import grid, run, two_years

CRITERIA_YEARS = ["sof-2021-22", "nof-2022-23"]
RANKED = ["%"] * 5 + ["£m"]  # A-E ranked against peers, FINVAR the financial plan (£m)
FOUR_RANKED = ["count"] + ["%"] * 4 + ["£m"]  # A is a count: not ranked, 4 metrics remain


@pytest.fixture(params=CRITERIA_YEARS)
def rules(request) -> tr.CriteriaRules:
    return tr.load_criteria_rules(tr.criteria_rules_path(request.param))


def test_the_thresholds_are_the_framework_readings(rules) -> None:
    """The numbers the tests below sit on, as each file states them in its `reading`."""
    assert (rules.bottom_share, rules.bottom_min_metrics) == (0.4, 5)
    assert (rules.drop_relative, rules.drop_absolute_iqr) == (0.15, 0.5)
    assert (rules.sustained_months, rules.sustained_min_periods) == (6, 3)
    assert rules.finance_below == 0
    assert (rules.top_share, rules.top_min_metrics) == (0.5, 5)
    assert (rules.critical_below_plan_months, rules.critical_worsening) == (12, 0.5)
    assert rules.critical_sustained_share == 0.5


# --- bottom quartile: "at least 40% ... with at least 5 such metrics"


@pytest.mark.parametrize(("bottom", "fires"), [(1, False), (2, True), (3, True)],
                         ids=["20%-below", "40%-on", "60%-above"])
def test_bottom_quartile_share(rules, bottom: int, fires: bool) -> None:
    v = grid()  # org 0 is the lowest (10) of 8 on every metric: quartile 4
    v[0, bottom:5, :] = 100.0  # ...except these, where it is the highest
    ev = run(v, rules)
    assert (ev.n_bottom[0, 0], ev.n_metrics[0, 0]) == (bottom, 5)
    assert bool(ev.fired["bottom_quartile"][0, 0]) is fires


@pytest.mark.parametrize(("units", "fires"), [(FOUR_RANKED, False), (RANKED, True)],
                         ids=["4-metrics-below", "5-metrics-on"])
def test_bottom_quartile_needs_five_metrics(rules, units, fires: bool) -> None:
    ev = run(grid(), rules, units=units)  # org 0 bottom on every ranked metric: 100%
    assert bool(ev.fired["bottom_quartile"][0, 0]) is fires


# --- dramatic drop: "at least 15% and at least half the national interquartile range worse"


def _drop_to(value: float, level: float = 20.0) -> np.ndarray:
    """Org 3 flat at ``level`` on metric A (above its peers, 10-17), then ``value`` in March
    2022: a special-cause concern on a flat series. With the March value at 17 or more, A's
    quartiles that month are 11.75 and 16.25 (QUARTILE.INC of 10, 11, 12, 14, 15, 16, 17 and
    it): half the interquartile range is 2.25."""
    v = grid()
    v[3, 0, :] = level
    v[3, 0, -1] = value
    return v


@pytest.mark.parametrize(("value", "fires"), [(17.01, False), (17.0, True), (16.99, True)],
                         ids=["14.95%-below", "15%-on", "15.05%-above"])
def test_dramatic_drop_relative_floor(rules, value: float, fires: bool) -> None:
    """3 worse than 20 is exactly 15% (and more than 2.25, half the interquartile range)."""
    ev = run(_drop_to(value), rules)
    assert bool(ev.fired["dramatic_drop"][3, 0]) is fires


@pytest.mark.parametrize(("level", "value"), [(13.0, 11.05), (7.0, 5.95), (0.7, 0.595)])
def test_a_drop_of_exactly_15_percent_in_decimals_is_dramatic(rules, level, value) -> None:
    """On the threshold in decimal arithmetic, whatever binary floating point makes of it
    (13 - 11.05 = 1.9499999999999993 < 1.95): fixed in the engine. The interquartile floor
    is set aside here (0), to test the relative floor alone."""
    v = grid()
    v[3, 0, :] = level
    v[3, 0, -1] = value
    relative_only = dataclasses.replace(rules, drop_absolute_iqr=0.0)
    assert run(v, relative_only).fired["dramatic_drop"][3, 0]
    v[3, 0, -1] = value + level * 0.001  # 14.9% worse
    assert not run(v, relative_only).fired["dramatic_drop"][3, 0]


@pytest.mark.parametrize(("value", "fires"), [(17.76, False), (17.75, True), (17.74, True)],
                         ids=["below", "on", "above"])
def test_dramatic_drop_interquartile_floor(rules, value: float, fires: bool) -> None:
    """2.25 worse than 20 is exactly half the interquartile range (4.5); the relative floor is
    set aside (0) so the interquartile one decides."""
    iqr_only = dataclasses.replace(rules, drop_relative=0.0)
    assert bool(run(_drop_to(value), iqr_only).fired["dramatic_drop"][3, 0]) is fires


# --- sustained very poor performance: "bottom quartile at every report for at least 6 months"


@pytest.mark.parametrize(("months", "fires"), [(5, False), (6, True), (7, True)])
def test_sustained_poor_months(rules, months: int, fires: bool) -> None:
    v = grid()
    v[0, :5, : 12 - months] = 100.0  # org 0 at the top until the last `months` months
    ev = run(v, rules)
    assert bool(ev.fired["sustained_poor"][0, 0]) is fires


@pytest.mark.parametrize(("reports", "fires"), [(2, False), (3, True), (4, True)])
def test_sustained_poor_reports(rules, reports: int, fires: bool) -> None:
    """"...and at least 3 reports": metric A reported quarterly (June, September, December,
    March; the months between not reported), org 0 in its bottom quartile at the last
    `reports` of them, at the top before. Two quarterly reports already cover 6 months, so the
    count of reports decides. Org 0 is at the top of B-E throughout."""
    v = grid()
    v[0, 1:5, :] = 100.0
    v[:, 0, [0, 1, 3, 4, 6, 7, 9, 10]] = np.nan  # A: June, September, December, March only
    for month in [2, 5, 8, 11][: 4 - reports]:
        v[0, 0, month] = 100.0
    ev = run(v, rules)
    assert bool(ev.fired["sustained_poor"][0, 0]) is fires


# --- financial plan: "year-to-date variance to plan below 0"


@pytest.mark.parametrize(("finvar", "fires"), [(-0.01, True), (0.0, False), (0.01, False)],
                         ids=["below", "on", "above"])
def test_financial_plan_below_zero(rules, finvar: float, fires: bool) -> None:
    v = grid()
    v[4, 5, -1] = finvar
    assert bool(run(v, rules).fired["financial_plan"][4, 0]) is fires


# --- segment 1: "at least half the ranked metrics in the top quartile", at least 5 metrics


@pytest.mark.parametrize(("top", "segment_1"), [(1, False), (2, True), (3, True)],
                         ids=["25%-below", "50%-on", "75%-above"])
def test_segment_1_top_quartile_share(rules, top: int, segment_1: bool) -> None:
    """Org 7 (the highest, 17) is in the top quartile of B-E except where set to 12.5, below
    the upper quartile (14.25 of 10-16 and 12.5). Four ranked metrics: half is exactly 2; the
    five-metric floor is set aside (4) to put the share on its threshold."""
    v = grid()
    v[7, 1 + top:5, :] = 12.5
    good = np.full((8, 1), 2, np.int8)
    four = dataclasses.replace(rules, top_min_metrics=4)
    ev = run(v, four, units=FOUR_RANKED, cqc_overall=good, cqc_well_led=good)
    assert ev.n_metrics[7, 0] == 4
    assert bool(ev.segment[7, 0] == 1) is segment_1


@pytest.mark.parametrize(("units", "segment_1"), [(FOUR_RANKED, False), (RANKED, True)],
                         ids=["4-metrics-below", "5-metrics-on"])
def test_segment_1_needs_five_metrics(rules, units, segment_1: bool) -> None:
    good = np.full((8, 1), 2, np.int8)
    ev = run(grid(), rules, units=units, cqc_overall=good, cqc_well_led=good)
    assert bool(ev.segment[7, 0] == 1) is segment_1  # org 7 top on every ranked metric


# --- segment 4, critical finance: below plan "at every report for at least 12 months", the
# shortfall "at least 50% larger than 12 months before"


@pytest.mark.parametrize(("months", "critical"), [(11, False), (12, True), (13, True)])
def test_critical_finance_months_below_plan(rules, months: int, critical: bool) -> None:
    v = two_years()
    v[4, 5, :] = 1.0  # on plan...
    v[4, 5, 24 - months:] = -0.2  # ...then behind plan for the last `months` months,
    v[4, 5, 12:] = np.where(v[4, 5, 12:] < 0, -0.5, 1.0)  # the shortfall grown in 2021/22
    ev = run(v, rules)
    assert bool(ev.severe["critical_finance"][4, 0]) is critical
    assert ev.segment[4, 0] == (4 if critical else 3)


@pytest.mark.parametrize(("now", "critical"), [(-0.29, False), (-0.3, True), (-0.31, True)],
                         ids=["45%-below", "50%-on", "55%-above"])
def test_critical_finance_worsening(rules, now: float, critical: bool) -> None:
    """-0.3 against -0.2 a year before is exactly 50% larger (0.3 >= 1.5 x 0.2 failed in
    binary floating point: fixed in the engine)."""
    v = two_years()
    v[6, 5, :] = -0.2
    v[6, 5, 12:] = now
    assert bool(run(v, rules).severe["critical_finance"][6, 0]) is critical


# --- segment 4, critical quality for a kind CQC does not rate: sustained on half the metrics


@pytest.mark.parametrize(("sustained", "critical"), [(1, False), (2, True), (3, True)],
                         ids=["25%-below", "50%-on", "75%-above"])
def test_critical_quality_sustained_share(rules, sustained: int, critical: bool) -> None:
    """A system (org 0) sustained very poor on `sustained` of 4 ranked metrics; the
    five-metric floor is set aside (4) to put the share on its threshold."""
    v = grid()
    v[0, 1 + sustained:5, :] = 100.0
    four = dataclasses.replace(rules, bottom_min_metrics=4)
    ev = run(v, four, units=FOUR_RANKED, kinds=["icb"] + ["acute"] * 7)
    assert ev.n_sustained[0, 0] == sustained
    assert bool(ev.severe["critical_quality"][0, 0]) is critical


# --- NOF 2025/26


NOF = load_rules()


def _band_scores(metric: str, values: list[float]) -> list[float]:
    value_metric = NOF.metrics[metric].value_metric
    long = pl.DataFrame({"quarter": "Q1 2025/26", "peer_group": "Acute trust",
                         "trust_code": [f"R{i:03d}" for i in range(len(values))],
                         "metric_id": value_metric, "value": values})
    scores = compute_scores(long, NOF).filter(pl.col("metric_id") == metric)
    return scores.sort("trust_code")["score"].to_list()


@pytest.mark.parametrize(("metric", "values", "scores"), [
    # OF1079, planned surplus/deficit (% of income): bands from 0, -1, -2
    ("OF1079", [0.01, 0.0, -0.01, -1.0, -1.01, -2.0, -2.01], [1, 1, 2, 2, 3, 3, 4]),
    # OF1081, year-to-date variance to plan (% of income): bands from 0, -0.5, -1
    ("OF1081", [0.01, 0.0, -0.01, -0.5, -0.51, -1.0, -1.01], [1, 1, 2, 2, 3, 3, 4]),
])
def test_nof_finance_bands(metric: str, values: list[float], scores: list[int]) -> None:
    """A value equal to a band's minimum reaches that band (the rules: "the first band whose
    `min` the value reaches (value >= min)"; published scores: 1 at exactly 0)."""
    assert _band_scores(metric, values) == scores


def quartile_inc(values: list[float], k: int) -> float:
    """Excel's QUARTILE.INC by its definition: position 1 + k (n - 1) / 4, interpolated."""
    xs = sorted(values)
    pos = k * (len(xs) - 1) / 4
    low = int(pos)
    return xs[low] + (pos - low) * (xs[min(low + 1, len(xs) - 1)] - xs[low])


def test_nof_cut_points_are_quartile_inc_of_the_population() -> None:
    averages = [1.2, 1.6, 1.9, 2.2, 2.4, 2.5, 2.9, 3.3]  # 8 trusts: interpolated quartiles
    expected = [quartile_inc(averages, k) for k in (1, 2, 3)]
    assert expected == pytest.approx([1.825, 2.3, 2.6])
    assert NOF.cut_rule.cut_points(np.array(averages)) == pytest.approx(expected)


@pytest.mark.parametrize("offset", [-0.001, 0.0, 0.001], ids=["below", "on", "above"])
def test_nof_average_on_a_cut_point_stays_in_the_better_segment(offset: float) -> None:
    """Nine trusts, averages 1.0 to 3.0 by 0.25: the quartiles fall on members (1.5, 2.0 and
    2.5). A trust exactly on a cut point is in the better segment; a hair above, the worse."""
    population = np.arange(9) * 0.25 + 1.0
    cuts = NOF.cut_rule.cut_points(population)
    assert list(cuts) == [1.5, 2.0, 2.5]
    probes = np.array([1.5, 2.0, 2.5]) + offset
    on_or_below = offset <= 0
    assert list(segments_from_cuts(probes, cuts)) == ([1, 2, 3] if on_or_below else [2, 3, 4])
    # the population's own members on the cut points, through the same rule
    assert list(segments_from_cuts(population, cuts)) == [1, 1, 1, 2, 2, 3, 3, 4, 4]
