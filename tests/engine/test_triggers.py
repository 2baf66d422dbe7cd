"""Criteria triggers: each fires at its threshold and not below; reasons carry evidence;
evaluating everyone at once equals evaluating each organisation on its own."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from oversight.engine import triggers as tr

RULES = tr.load_criteria_rules(tr.criteria_rules_path("sof-2021-22"))
CODES = ["A", "B", "C", "D", "E", "FINVAR"]
N_ORGS, N_PERIODS = 8, 12
MONTH_ENDS = (np.arange("2021-05", "2022-05", dtype="datetime64[M]").astype("datetime64[D]")
              - np.timedelta64(1, "D"))  # 30 Apr 2021 .. 31 Mar 2022
QUARTER = "Q4 2021/22"


def grid() -> np.ndarray:
    """values[org, metric, period]: org i scores 10 + i on every metric (7 best), FINVAR 1."""
    v = np.empty((N_ORGS, len(CODES), N_PERIODS))
    v[:] = (10.0 + np.arange(N_ORGS))[:, None, None]
    v[:, CODES.index("FINVAR"), :] = 1.0 + np.arange(N_ORGS)[:, None]
    return v


def points(values: np.ndarray) -> tr.Points:
    o, m, p = np.indices(values.shape)
    return tr.Points(
        subject=o.ravel(), metric=m.ravel(), period_end=MONTH_ENDS[p.ravel()],
        value=values.ravel(), subject_codes=[f"R{i}" for i in range(N_ORGS)],
        subject_kinds=["acute"] * N_ORGS, peer_group=np.zeros(N_ORGS, np.int64),
        metric_codes=CODES, polarity=np.ones(len(CODES), np.int8),
    )


def run(values: np.ndarray, rules: tr.CriteriaRules = RULES, **cqc) -> tr.Evaluation:
    return tr.evaluate(tr.annotate(points(values)), rules, [QUARTER], **cqc)


@pytest.mark.parametrize(("bottom", "fires"), [(3, True), (2, False)])
def test_bottom_quartile_share_threshold(bottom: int, fires: bool) -> None:
    v = grid()
    # org 0 is worst (10) on `bottom` metrics and best (100) on the others: with 8 orgs the
    # lower quartile is 11.75 (QUARTILE.INC), so only values 10 and 11 are in quartile 4.
    v[0, bottom:5, :] = 100.0
    v[0, 5, :] = 100.0
    rules = dataclasses.replace(RULES, bottom_share=0.5)  # 3 of 6 counted metrics = 50%
    ev = run(v, rules)
    assert ev.n_metrics[0, 0] == 6
    assert ev.n_bottom[0, 0] == bottom
    assert bool(ev.fired["bottom_quartile"][0, 0]) is fires
    if fires:
        reasons = [r for r in ev.reasons[(0, 0)] if r["rule"] == "bottom_quartile"]
        assert reasons[0]["summary"] and reasons[0]["of"] == 6
        assert {r["metric"] for r in reasons[1:]} == {"A", "B", "C"}
        assert all(r["quartile"] == 4 and r["value"] == 10.0 for r in reasons[1:])


@pytest.mark.parametrize(("drop", "fires"), [(0.25, True), (0.24, False)])
def test_dramatic_drop_step_change(drop: float, fires: bool) -> None:
    v = grid()
    v[3, 0, -1] = 13.0 * (1 - drop)  # 13 for the 6 baseline periods, then the drop
    rules = dataclasses.replace(RULES, drop_spc=False, drop_step=0.25)
    ev = run(v, rules)
    assert bool(ev.fired["dramatic_drop"][3, 0]) is fires
    if fires:
        (r,) = [r for r in ev.reasons[(3, 0)] if r["rule"] == "dramatic_drop"]
        assert (r["metric"], r["period_end"], r["value"]) == ("A", "2022-03-31", 9.75)
        assert "step change: 25% worse" in r["signal"]


def test_dramatic_drop_spc_outside_limits_within_latest_periods() -> None:
    v = grid()
    v[3, 0, 9] = 12.0  # a special-cause concern 3 periods before the quarter end
    rules = dataclasses.replace(RULES, drop_step=None)
    ev = run(v, dataclasses.replace(rules, drop_periods=3))
    (r,) = [r for r in ev.reasons[(3, 0)] if r["rule"] == "dramatic_drop"]
    assert r["signal"] == "special-cause concern outside the process limits"
    assert r["period_end"] == "2022-01-31" and r["latest_period"] == "2022-03-31"
    assert not run(v, dataclasses.replace(rules, drop_periods=2)).fired["dramatic_drop"][3, 0]


@pytest.mark.parametrize(("periods", "fires"), [(12, True), (13, False)])
def test_sustained_very_poor_performance(periods: int, fires: bool) -> None:
    v = grid()  # org 0 is in the bottom quartile of every metric in all 12 periods
    ev = run(v, dataclasses.replace(RULES, sustained_periods=periods))
    assert bool(ev.fired["sustained_poor"][0, 0]) is fires
    if fires:
        rs = [r for r in ev.reasons[(0, 0)] if r["rule"] == "sustained_poor"]
        # finance metrics have their own trigger and are not read for sustained performance
        assert {r["metric"] for r in rs} == set("ABCDE")
        assert all(r["periods"] == 12 and r["quartile"] == 4 for r in rs)


def test_sustained_run_is_broken_by_one_good_period() -> None:
    v = grid()
    v[0, :, 8] = 100.0  # one period at the top: the run since then is 3 periods
    ev = run(v, dataclasses.replace(RULES, sustained_periods=4))
    assert not ev.fired["sustained_poor"][0, 0]
    assert run(v, dataclasses.replace(RULES, sustained_periods=3)).fired["sustained_poor"][0, 0]


@pytest.mark.parametrize(("finvar", "fires"), [(-0.1, True), (0.0, False)])
def test_negative_variance_against_financial_plan(finvar: float, fires: bool) -> None:
    v = grid()
    v[4, 5, -1] = finvar
    ev = run(v)
    assert bool(ev.fired["financial_plan"][4, 0]) is fires
    if fires:
        (r,) = [r for r in ev.reasons[(4, 0)] if r["rule"] == "financial_plan"]
        assert (r["metric"], r["value"], r["period_end"]) == ("FINVAR", -0.1, "2022-03-31")


@pytest.mark.parametrize(("overall", "well_led", "fires"),
                         [(3, 3, True), (4, 3, True), (3, 2, False), (2, 3, False)])
def test_cqc_requires_improvement_overall_and_well_led(overall, well_led, fires) -> None:
    o = np.zeros((N_ORGS, 1), np.int8)
    w = np.zeros((N_ORGS, 1), np.int8)
    o[5, 0], w[5, 0] = overall, well_led
    ev = run(grid(), cqc_overall=o, cqc_well_led=w)
    assert bool(ev.fired["cqc"][5, 0]) is fires
    assert ev.segment[5, 0] == (3 if fires else 2)


def test_segments_default_one_three_four() -> None:
    v = grid()
    v[0, 5, -1] = -2.0  # org 0: sustained very poor performance and a finance trigger
    v[4, 5, -1] = -2.0  # org 4: finance only
    good = np.full((N_ORGS, 1), 2, np.int8)
    ev = run(v, cqc_overall=good, cqc_well_led=good)
    assert ev.segment[0, 0] == 4
    assert ev.reasons[(0, 0)][0]["rule"] == "segment_4"
    assert ev.segment[4, 0] == 3
    # orgs 6 and 7 are in the top quartile of every metric, plan met, CQC Good: segment 1
    assert list(ev.segment[:, 0]) == [4, 3, 2, 2, 3, 2, 1, 1]
    assert "6 of 6 metrics in the top quartile" in ev.reasons[(7, 0)][0]["signal"]
    no_cqc = run(v)
    assert no_cqc.segment[7, 0] == 2  # a trust without a Good CQC rating is not segment 1


def test_what_if_lists_the_changes_that_move_the_segment() -> None:
    v = grid()
    v[0, 5, -1] = -2.0
    ev = run(v)
    options = tr.what_if(RULES, ev.facts(0, 0), ev.reasons[(0, 0)])
    assert [o["to_segment"] for o in options] == [3, 3, 2]
    assert options[1]["clears"] == ["financial_plan"]
    assert options[1]["changes"] == ["FINVAR from -2 to at least 0 (financial plan met)"]
    # bottom quartile: 6 of 6 metrics; a 40% share allows 2 of 6, so 4 must leave quartile 4
    text = " ".join(options[2]["changes"])
    assert "4 of 6 bottom-quartile metrics out of the bottom quartile" in text
    assert "from 10 (quartile 4) to at least 11.75" in text
    # segment 2 -> 1: org 5 (value 15, quartile 2) needs the top quartile, and a CQC rating
    five = tr.what_if(RULES, ev.facts(5, 0), ev.reasons.get((5, 0), []))
    assert five[0]["to_segment"] == 1
    assert "into the top quartile" in five[0]["changes"][0]
    assert five[0]["changes"][-1] == "CQC Good or Outstanding overall and for well-led"


def test_early_warning_for_untriggered_concern() -> None:
    v = grid()
    v[5, 0, -1] = 14.0  # org 5 (15 every period) dips: special-cause concern, no trigger
    ev = run(v, dataclasses.replace(RULES, drop_spc=False, drop_step=None))
    assert not any(ev.fired[t][5, 0] for t in tr.TRIGGERS)
    (w,) = ev.warnings[(5, 0)]
    assert (w["metric"], w["value"], w["signal"]) == ("A", 14.0, "special-cause concern")


def _one_subject(a: tr.Annotated, s: int) -> tr.Annotated:
    idx = np.flatnonzero(a.subject == s)
    lo, hi = int(idx[0]), int(idx[-1]) + 1
    arrays = {f.name: getattr(a, f.name)[lo:hi] for f in dataclasses.fields(a)
              if f.name not in ("points", "series_start")}
    return dataclasses.replace(a, **arrays, series_start=a.series_start[lo:hi] - lo)


def test_vectorised_equals_per_organisation() -> None:
    rng = np.random.default_rng(7)
    v = grid() + rng.normal(0, 3, size=(N_ORGS, len(CODES), N_PERIODS))
    v[:, 5, :] = rng.normal(0.3, 1, size=(N_ORGS, N_PERIODS))
    quarters = ["Q3 2021/22", "Q4 2021/22"]
    a = tr.annotate(points(v))
    whole = tr.evaluate(a, RULES, quarters)
    assert set(np.unique(whole.segment)) > {2}  # something fired
    for s in range(N_ORGS):
        alone = tr.evaluate(_one_subject(a, s), RULES, quarters)
        assert list(alone.segment[s]) == list(whole.segment[s])
        for q in range(len(quarters)):
            assert alone.reasons.get((s, q)) == whole.reasons.get((s, q))
            assert alone.warnings.get((s, q)) == whole.warnings.get((s, q))
            assert alone.facts(s, q) == whole.facts(s, q)


def test_shipped_rule_sets_load() -> None:
    for code in ("sof-2021-22", "nof-2022-23"):
        rules = tr.load_criteria_rules(tr.criteria_rules_path(code))
        assert rules.framework == code and rules.default_segment == 2
        assert {row[0] for row in rules.describe()} >= {"Segment 1", "Segment 4"}
    nof_2022 = tr.load_criteria_rules(tr.criteria_rules_path("nof-2022-23"))
    assert "ccg" not in nof_2022.organisation_kinds


def _noisy(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = grid() + rng.normal(0, 3, size=(N_ORGS, len(CODES), N_PERIODS))
    v[:, 5, :] = rng.normal(0.3, 1, size=(N_ORGS, N_PERIODS))
    return v


def test_proposals_for_a_selection_equal_the_full_evidence() -> None:
    ev = tr.evaluate(tr.annotate(points(_noisy(7))), RULES, ["Q3 2021/22", "Q4 2021/22"])
    full = {(s, q): row for s, q, row in ev.proposals()}
    assert len(full) == N_ORGS * 2
    for (s, q), row in full.items():
        assert row == {"segment": int(ev.segment[s, q]), "reasons": ev.reasons.get((s, q), []),
                       "warnings": ev.warnings.get((s, q), []), "facts": ev.facts(s, q)}
    select = np.zeros(ev.segment.shape, bool)
    select[[0, 3, 5], [1, 0, 1]] = True
    assert {(s, q): row for s, q, row in ev.proposals(select)} == {
        k: full[k] for k in [(0, 1), (3, 0), (5, 1)]}


def test_digest_changes_exactly_when_the_proposal_changes() -> None:
    """Perturb one value at a time: a proposal's digest changes if and only if its segment,
    reasons, warnings or facts change (quartile cut points move everyone's facts)."""
    quarters = ["Q3 2021/22", "Q4 2021/22"]
    base_v = _noisy(11)
    base = tr.evaluate(tr.annotate(points(base_v)), RULES, quarters)
    base_rows = {(s, q): row for s, q, row in base.proposals()}
    base_digest = base.digests()
    rng = np.random.default_rng(3)
    same = changed = 0
    for trial in range(40):
        v = base_v.copy()
        o, m, p = rng.integers(N_ORGS), rng.integers(len(CODES)), rng.integers(N_PERIODS)
        # a value nudged a little (often nothing shown changes: e.g. an old period) or a lot
        v[o, m, p] += (1e-9 if trial % 2 else 8.0) * rng.choice([-1, 1])
        ev = tr.evaluate(tr.annotate(points(v)), RULES, quarters)
        digest = ev.digests()
        for s, q, row in ev.proposals():
            differs = row != base_rows[(s, q)]
            assert (digest[s, q] != base_digest[s, q]) == differs, (trial, s, q)
            changed += differs
            same += not differs
    assert same and changed  # both outcomes were exercised
    # labels and rules are part of the digest too
    relabelled = dataclasses.replace(points(base_v), period_label=np.array(
        [f"period {p}" for p in np.indices(base_v.shape)[2].ravel()], dtype=object))
    assert (tr.evaluate(tr.annotate(relabelled), RULES, quarters).digests() != base_digest).all()
    looser = dataclasses.replace(RULES, finance_below=-100.0)
    assert (tr.evaluate(tr.annotate(points(base_v)), looser, quarters).digests()
            != base_digest).all()
