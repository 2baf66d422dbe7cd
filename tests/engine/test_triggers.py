"""Criteria triggers: each fires at its threshold and not below; reasons carry evidence;
evaluating everyone at once equals evaluating each organisation on its own.

The expectations quote the framework (seed 002; seed 000 section 1.2) and issue 20's reading of
it, never the engine's own output."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from oversight.engine import triggers as tr

RULES = tr.load_criteria_rules(tr.criteria_rules_path("sof-2021-22"))
CODES = ["A", "B", "C", "D", "E", "FINVAR"]
N_ORGS, N_PERIODS = 8, 12
QUARTER = "Q4 2021/22"


def grid() -> np.ndarray:
    """values[org, metric, period]: org i scores 10 + i on every metric (7 best), FINVAR 1."""
    v = np.empty((N_ORGS, len(CODES), N_PERIODS))
    v[:] = (10.0 + np.arange(N_ORGS))[:, None, None]
    v[:, CODES.index("FINVAR"), :] = 1.0 + np.arange(N_ORGS)[:, None]
    return v


UNITS = ["%"] * 5 + ["£m"]


def points(values: np.ndarray, units: list[str] = UNITS, kinds: list[str] | None = None,
           ) -> tr.Points:
    o, m, p = np.indices(values.shape)
    april = np.datetime64("2022-04")
    months = np.arange(april - np.timedelta64(values.shape[2], "M"), april)
    ends = (months + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    return tr.Points(
        subject=o.ravel(), metric=m.ravel(), period_end=ends[p.ravel()],
        value=values.ravel(), subject_codes=[f"R{i}" for i in range(N_ORGS)],
        subject_kinds=kinds or ["acute"] * N_ORGS, peer_group=np.zeros(N_ORGS, np.int64),
        metric_codes=CODES, polarity=np.ones(len(CODES), np.int8), metric_units=units,
    )


def run(values: np.ndarray, rules: tr.CriteriaRules = RULES, quarters: list[str] | None = None,
        units: list[str] = UNITS, kinds: list[str] | None = None, **kw) -> tr.Evaluation:
    return tr.evaluate(tr.annotate(points(values, units, kinds)), rules, quarters or [QUARTER],
                       **kw)


def cqc(org: int, overall: int, well_led: int) -> dict[str, np.ndarray]:
    o, w = np.zeros((N_ORGS, 1), np.int8), np.zeros((N_ORGS, 1), np.int8)
    o[org, 0], w[org, 0] = overall, well_led
    return {"cqc_overall": o, "cqc_well_led": w}


@pytest.mark.parametrize(("bottom", "fires"), [(3, True), (2, False)])
def test_bottom_quartile_share_threshold(bottom: int, fires: bool) -> None:
    v = grid()
    # org 0 is worst (10) on `bottom` metrics and best (100) on the others: with 8 orgs the
    # lower quartile is 11.75 (QUARTILE.INC), so only values 10 and 11 are in quartile 4.
    v[0, bottom:5, :] = 100.0
    rules = dataclasses.replace(RULES, bottom_share=0.6)  # 3 of 5 ranked metrics = 60%
    ev = run(v, rules)
    assert ev.n_metrics[0, 0] == 5  # FINVAR (£m) is not ranked into the shares
    assert ev.n_bottom[0, 0] == bottom
    assert bool(ev.fired["bottom_quartile"][0, 0]) is fires
    if fires:
        reasons = [r for r in ev.reasons[(0, 0)] if r["rule"] == "bottom_quartile"]
        assert reasons[0]["summary"] and reasons[0]["of"] == 5
        assert {r["metric"] for r in reasons[1:]} == {"A", "B", "C"}
        assert all(r["quartile"] == 4 and r["value"] == 10.0 for r in reasons[1:])


# --- 4. size-dependent measures are not ranked into quartile shares


def test_a_size_dependent_measure_is_not_ranked_into_the_shares() -> None:
    """Issue 20 (4): FINVAR, a £m figure that scales with size, is not ranked into the
    bottom-quartile or segment-1 counts; the same measure normalised (a %) is."""
    v = grid()  # org 0 is lowest on every metric, FINVAR (1.0) included
    in_money = run(v)
    normalised = run(v, units=["%"] * 6)
    assert (in_money.n_metrics[0, 0], in_money.n_bottom[0, 0]) == (5, 5)
    assert (normalised.n_metrics[0, 0], normalised.n_bottom[0, 0]) == (6, 6)
    assert "FINVAR" not in {p[0] for p in in_money.positions[(0, 0)]}
    # a count (52-week waiters, say) is not a level against peers either
    counts = run(v, units=["count"] * 5 + ["£m"])
    assert counts.n_metrics[0, 0] == 0 and not counts.fired["sustained_poor"][0, 0]


# --- 3. a dramatic drop: large, material, confirmed by SPC, recent in time


def _flat_a(org: int = 3, level: float = 13.0) -> np.ndarray:
    v = grid()
    v[org, 0, :] = level
    return v


def test_a_dip_on_a_flat_series_is_not_a_dramatic_drop() -> None:
    """Issue 20 (3): a flat series has limits of zero width, so SPC flags a 0.6% dip; that
    is chance, not a dramatic drop."""
    v = _flat_a()
    v[3, 0, -1] = 13.0 * (1 - 0.006)
    ev = run(v)
    assert not ev.fired["dramatic_drop"][3, 0]


def test_a_large_drop_confirmed_by_spc_is_a_dramatic_drop() -> None:
    v = _flat_a()
    v[3, 0, -1] = 10.4  # 2.6 (20%) worse than 13; quartiles 10.85 and 15.25, IQR 4.4
    ev = run(v)
    assert ev.fired["dramatic_drop"][3, 0] and ev.segment[3, 0] == 3
    (r,) = [r for r in ev.reasons[(3, 0)] if r["rule"] == "dramatic_drop"]
    assert (r["metric"], r["period_end"], r["value"]) == ("A", "2022-03-31", 10.4)
    assert r["signal"].startswith("2.6 worse than the mean of the 11 values in the 12 months "
                                  "before (13): 20% (floor 15%)")


@pytest.mark.parametrize(("relative", "absolute_iqr", "fires"),
                         [(0.19, 0.59, True), (0.21, 0.5, False), (0.15, 0.60, False)])
def test_dramatic_drop_needs_both_size_floors(relative, absolute_iqr, fires) -> None:
    v = _flat_a()
    v[3, 0, -1] = 10.4  # 20% and 2.6 / 4.4 = 0.59 interquartile ranges worse
    rules = dataclasses.replace(RULES, drop_relative=relative, drop_absolute_iqr=absolute_iqr)
    assert bool(run(v, rules).fired["dramatic_drop"][3, 0]) is fires


def test_a_large_drop_within_common_cause_variation_is_not_dramatic() -> None:
    """Confirmed by SPC: the same 20% fall on a series that swings widely is common cause."""
    v = grid()
    v[3, 0, :] = np.tile([9.0, 17.0], N_PERIODS // 2)  # mean 13, moving range 8
    v[3, 0, -1] = 10.4
    assert not run(v).fired["dramatic_drop"][3, 0]


def test_dramatic_drop_window_is_time_not_points() -> None:
    v = _flat_a()
    v[3, 0, 5] = 10.4  # September 2021, then back to 13
    ev = run(v, quarters=["Q3 2021/22", "Q4 2021/22"])
    # 3 months before the end of December: within 6 months; 6 before the end of March: not
    assert list(ev.fired["dramatic_drop"][3]) == [True, False]
    (r,) = [r for r in ev.reasons[(3, 0)] if r["rule"] == "dramatic_drop"]
    assert r["period_end"] == "2021-09-30" and r["latest_period"] == "2021-12-31"


# --- 2. sustained very poor performance: a level against peers, sustained


@pytest.mark.parametrize(("months", "fires"), [(12, True), (13, False)])
def test_sustained_very_poor_performance(months: int, fires: bool) -> None:
    v = grid()  # org 0 is in the bottom quartile of every metric in all 12 months
    ev = run(v, dataclasses.replace(RULES, sustained_months=months))
    assert bool(ev.fired["sustained_poor"][0, 0]) is fires
    if fires:
        rs = [r for r in ev.reasons[(0, 0)] if r["rule"] == "sustained_poor"]
        # finance metrics have their own trigger and are not read for sustained performance
        assert {r["metric"] for r in rs} == set("ABCDE")
        assert all(r["periods"] == 12 and r["months"] == 12 and r["quartile"] == 4 for r in rs)


def test_sustained_run_is_broken_by_one_good_period() -> None:
    v = grid()
    v[0, :, 8] = 100.0  # top in December: the run since is January to March, 3 months
    assert not run(v, dataclasses.replace(RULES, sustained_months=4)).fired["sustained_poor"][0, 0]
    assert run(v, dataclasses.replace(RULES, sustained_months=3)).fired["sustained_poor"][0, 0]


def test_a_run_below_its_own_mean_in_the_top_quartile_is_not_very_poor() -> None:
    """Issue 20 (2): a top-quartile trust with a 7-point run below its own mean shows a change,
    not very poor performance, and with a negative variance it is not segment 4 either."""
    v = grid()
    v[7, 0, :5] = 19.0
    v[7, 0, 5:] = 18.0  # still the best of the 8 on A; 7 points below its mean
    v[7, 5, -1] = -0.5
    ev = run(v)
    assert not ev.fired["sustained_poor"][7, 0]
    assert ev.segment[7, 0] == 3 and ev.fired["financial_plan"][7, 0]
    counting_spc = run(v, dataclasses.replace(RULES, sustained_spc=True))
    assert counting_spc.fired["sustained_poor"][7, 0]  # the old reading, kept as data


# --- financial plan and CQC (the triggers that were right)


@pytest.mark.parametrize(("finvar", "fires"), [(-0.1, True), (0.0, False)])
def test_negative_variance_against_financial_plan(finvar: float, fires: bool) -> None:
    v = grid()
    v[4, 5, -1] = finvar
    ev = run(v)
    assert bool(ev.fired["financial_plan"][4, 0]) is fires
    if fires:
        (r,) = [r for r in ev.reasons[(4, 0)] if r["rule"] == "financial_plan"]
        assert (r["metric"], r["value"], r["period_end"]) == ("FINVAR", -0.1, "2022-03-31")


@pytest.mark.parametrize(("overall", "well_led", "fires", "segment"),
                         [(3, 3, True, 3), (4, 3, True, 4), (3, 2, False, 2), (2, 3, False, 2)])
def test_cqc_requires_improvement_overall_and_well_led(overall, well_led, fires,
                                                       segment) -> None:
    ev = run(grid(), **cqc(5, overall, well_led))
    assert bool(ev.fired["cqc"][5, 0]) is fires
    assert ev.segment[5, 0] == segment  # Inadequate overall is a critical quality concern


# --- 1. segment 4: critical quality and/or finance concerns


def two_years() -> np.ndarray:
    """April 2020 to March 2022: the grid, twice."""
    return np.concatenate([grid(), grid()], axis=2)


def test_critical_finance_alone_is_segment_4() -> None:
    """Seed 000 section 1.2: "critical quality and/or finance concerns"; C&P expected segment
    4 for its finances alone. Below plan at every report for 12 months, the shortfall at least
    50% larger than a year before, is critical."""
    v = two_years()
    v[4, 5, 12:] = -0.5  # on plan in 2020/21, behind plan all of 2021/22
    v[5, 5, -3:] = -0.01  # behind plan for the last 3 months only
    v[6, 5, :] = -0.2  # a steady small gap for two years: not growing
    ev = run(v)
    assert ev.segment[4, 0] == 4 and ev.severe["critical_finance"][4, 0]
    assert not ev.severe["critical_quality"][4, 0]
    assert ev.reasons[(4, 0)][0] == {"rule": "segment_4", "label": RULES.labels["segment_4"],
                                     "signal": "Critical finance concerns"}
    (r,) = [r for r in ev.reasons[(4, 0)] if r["rule"] == "critical_finance"]
    assert r["months"] == 12 and r["periods"] == 12 and r["year_before"] == 5.0
    assert ev.segment[5, 0] == 3  # a variance of -£0.01m for 3 months is not critical
    assert ev.segment[6, 0] == 3 and not ev.severe["critical_finance"][6, 0]
    v[6, 5, 12:] = -0.31  # the gap grew by more than 50% on the year before
    assert run(v).severe["critical_finance"][6, 0]


def test_cqc_inadequate_alone_is_segment_4() -> None:
    """Inadequate overall and for well-led, finances on plan: critical quality."""
    ev = run(grid(), **cqc(5, 4, 4))
    assert ev.segment[5, 0] == 4 and ev.severe["critical_quality"][5, 0]
    assert "CQC overall Inadequate" in {r.get("signal") for r in ev.reasons[(5, 0)]}


def test_requires_improvement_with_a_small_variance_is_not_segment_4() -> None:
    """Issue 20 (1): Requires Improvement plus a variance of -£0.01m proposed 4; it is 3."""
    v = grid()
    v[5, 5, -1] = -0.01
    ev = run(v, **cqc(5, 3, 3))
    assert ev.fired["cqc"][5, 0] and ev.fired["financial_plan"][5, 0]
    assert ev.segment[5, 0] == 3


@pytest.mark.parametrize(("metrics", "segment"), [(3, 4), (2, 3)])
def test_a_system_with_sustained_very_poor_quality_is_segment_4(metrics, segment) -> None:
    """No CQC rating for a system: very poor performance sustained on half its metrics (3 of
    5, not 2 of 5) is critical."""
    v = grid()
    v[0, metrics:5, :] = 100.0  # org 0 (a system here) at the top of the others
    ev = run(v, kinds=["icb"] + ["acute"] * (N_ORGS - 1))
    assert ev.n_sustained[0, 0] == metrics
    assert ev.segment[0, 0] == segment


def test_segments_default_one_three_four() -> None:
    v = grid()
    v[4, 5, -1] = -2.0  # org 4: finance trigger (one report): segment 3
    good = np.full((N_ORGS, 1), 2, np.int8)
    ev = run(v, cqc_overall=good, cqc_well_led=good)
    # org 0: sustained very poor on 5 metrics with a Good CQC rating: 3, not critical
    # orgs 6 and 7 are in the top quartile of every metric, plan met, CQC Good: segment 1
    assert list(ev.segment[:, 0]) == [3, 3, 2, 2, 3, 2, 1, 1]
    no_cqc = run(v)
    assert no_cqc.segment[7, 0] == 2  # a trust without a Good CQC rating is not segment 1


# --- 5. segment 1: the measured criteria, and what only judgement can see


def test_segment_1_says_which_criteria_need_judgement() -> None:
    """Seed 002: trusts must also show established improvement capability and active
    leadership; systems positive trends, tackling variation and the four purposes."""
    good = np.full((N_ORGS, 1), 2, np.int8)
    ev = run(grid(), cqc_overall=good, cqc_well_led=good)
    (r,) = ev.reasons[(7, 0)]
    assert r["label"] == "Consistently high performing: measured criteria met"
    assert r["signal"].startswith("5 of 5 metrics in the top quartile; financial plan met; CQC "
                                  "overall Good, well-led Good; judgement needed on: established "
                                  "improvement capability")
    assert r["judgement"][0] == "Established improvement capability"
    system = run(grid(), kinds=["acute"] * 7 + ["icb"])
    assert system.segment[7, 0] == 1
    assert system.reasons[(7, 0)][0]["judgement"] == [
        "Positive trends in performance", "Success in tackling variation",
        "Capability and capacity to deliver on the four fundamental purposes of an ICS"]


# --- 6. kind-specific criteria recorded as flags with their evidence


def test_a_recorded_licence_breach_proposes_segment_3() -> None:
    """Seed 000 section 1.2, segment 3 (trusts): "in actual or suspected breach of the
    licence"."""
    import datetime as dt

    breach = tr.Flag(2, "licence_breach", dt.date(2022, 1, 10), None,
                     "Suspected breach of licence condition FT4 (governance)")
    ended = tr.Flag(3, "licence_breach", dt.date(2021, 5, 1), dt.date(2021, 12, 31), "Closed")
    wrong_kind = tr.Flag(4, "commissioning_plan", dt.date(2021, 5, 1), None, "CCGs only")
    ev = run(grid(), quarters=["Q3 2021/22", "Q4 2021/22"], flags=[breach, ended, wrong_kind])
    assert list(ev.segment[2]) == [2, 3]  # in force from January 2022
    assert list(ev.fired["licence_breach"][3]) == [True, False]
    assert not ev.fired["commissioning_plan"].any()
    (r,) = ev.reasons[(2, 1)]
    assert r == {"rule": "licence_breach", "label": RULES.labels["licence_breach"],
                 "period": "2022-01-10",
                 "signal": "recorded: Suspected breach of licence condition FT4 (governance)"}
    options = tr.what_if(RULES, ev.facts(2, 1), ev.reasons[(2, 1)])
    assert options[0]["changes"] == [f"{RULES.labels['licence_breach']}: withdrawn on new "
                                     "evidence"]


def test_segment_labels_are_loaded() -> None:
    assert RULES.labels["segment_3"] == "Considered for mandated support"
    assert RULES.labels["segment_4"].startswith("Critical quality and/or finance concerns")


def test_what_if_lists_the_changes_that_move_the_segment() -> None:
    v = two_years()
    v[0, 5, 12:] = -2.0  # org 0: critical finance, and sustained very poor on 5 metrics...
    ev = run(v, **cqc(0, 2, 2))  # ...with a Good CQC rating: quality is not critical
    assert ev.facts(0, 0)["severe"] == ["critical_finance"]
    options = tr.what_if(RULES, ev.facts(0, 0), ev.reasons[(0, 0)])
    assert [o["to_segment"] for o in options] == [3, 2]
    assert options[0]["clears"] == ["critical_finance"]
    assert options[0]["changes"] == [
        "FINVAR: one report at or above 0 (below plan for fewer than 12 months)"]
    text = " ".join(options[1]["changes"])
    # bottom quartile: 5 of 5 metrics; a 40% share allows 1 of 5, so 4 must leave quartile 4
    assert "4 of 5 bottom-quartile metrics out of the bottom quartile" in text
    assert "from 10 (quartile 4) to at least 11.75" in text
    assert "FINVAR from -2 to at least 0 (financial plan met)" in text
    # segment 2 -> 1: org 5 (value 15, quartile 2) needs the top quartile, and a CQC rating
    five = tr.what_if(RULES, ev.facts(5, 0), ev.reasons.get((5, 0), []))
    assert five[0]["to_segment"] == 1
    assert "into the top quartile" in five[0]["changes"][0]
    assert five[0]["changes"][-1] == "CQC Good or Outstanding overall and for well-led"


def test_early_warning_for_untriggered_concern() -> None:
    v = grid()
    v[5, 0, -1] = 14.0  # org 5 (15 every period) dips 6.7%: special-cause concern, no trigger
    ev = run(v)
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
        described = {row[0] for row in rules.describe()}
        assert {rules.labels["segment_1"], rules.labels["segment_4"]} <= described
        assert set(rules.readings) >= {*tr.TRIGGERS, *tr.SEVERITIES, "segment_4"}
    nof_2022 = tr.load_criteria_rules(tr.criteria_rules_path("nof-2022-23"))
    assert "ccg" not in nof_2022.organisation_kinds


@pytest.mark.parametrize("code", ["sof-2021-22", "nof-2022-23"])
def test_both_criteria_years_read_the_framework_alike(code: str) -> None:
    """NOF 2022/23 kept the 2021/22 approach: the same six readings apply (issue 20)."""
    rules = tr.load_criteria_rules(tr.criteria_rules_path(code))
    assert set(rules.s4_any) == {"critical_quality", "critical_finance"}  # and/or
    assert not rules.sustained_spc and rules.sustained_months >= 6  # a level, sustained
    assert rules.drop_relative > 0 and rules.drop_absolute_iqr > 0 and rules.drop_window_months
    assert "£m" in rules.size_dependent_units  # FINVAR is not ranked into the shares
    assert rules.judgement_for("segment_1", "icb") and rules.judgement_for("segment_1", "acute")
    assert {"licence_breach", "capability_gap", "local_priority"} <= set(rules.recorded)
    assert rules.labels["segment_3"] == "Considered for mandated support"
    # CCGs (and their streamlined commissioning criterion) ended on 1 July 2022
    assert ("commissioning_plan" in rules.recorded) is (code == "sof-2021-22")


def test_rules_file_errors_for_the_new_settings(tmp_path) -> None:
    text = tr.criteria_rules_path("sof-2021-22").read_text()
    bad = tmp_path / "rules.yaml"
    bad.write_text(text.replace("spc: concern ", "spc: sometimes "))
    with pytest.raises(tr.RulesError, match=r"triggers.dramatic_drop.spc: one of concern, "
                                            r"outside_limits, got 'sometimes'"):
        tr.load_criteria_rules(bad)
    bad.write_text(text.replace("  any_of: [critical_quality, critical_finance]",
                                "  any_of: [critical_quality, critical_money]"))
    with pytest.raises(tr.RulesError, match=r"segment_4.any_of.1: unknown severity"):
        tr.load_criteria_rules(bad)
    bad.write_text(text.replace("  licence_breach:\n", "  licence_breaches:\n"))
    with pytest.raises(tr.RulesError, match=r"recorded.licence_breaches: unknown recorded"):
        tr.load_criteria_rules(bad)


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
