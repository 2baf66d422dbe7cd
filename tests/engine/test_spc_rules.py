"""Rule detectors against the reference's unit cases (06), plus invariants checked with
hypothesis: symmetric limits, independence of input order, vectorised == one series at a time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oversight.engine.spc import (
    SHORT_GROUP_WARNING,
    SpcResult,
    compute,
    compute_one,
    rules,
    special_cause_labels,
    summarise,
)
from oversight.engine.spc.core import _POINT_FIELDS


@pytest.fixture(scope="module")
def cases(shared_data: Path) -> dict[str, Any]:
    path = shared_data / "spc-reference" / "06_rule_detectors_unit_cases.json"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return json.loads(path.read_text())["cases"]


def as_int(a: np.ndarray) -> list[int]:
    return np.asarray(a).astype(int).tolist()


def test_run_end(cases: dict[str, Any]) -> None:
    for case in cases["seven_point_one_side_mean"]:
        assert as_int(rules.run_end(np.array(case["input"]), length=7)) == case["expected"]


def test_part_of(cases: dict[str, Any]) -> None:
    for case in cases["part_of_seven"]:
        assert as_int(rules.part_of(np.array(case["input"]), length=7)) == case["expected"]


def test_trend_end(cases: dict[str, Any]) -> None:
    for case in cases["seven_point_trend"]:
        assert as_int(rules.trend_end(np.array(case["input"]), length=7)) == case["expected"]


def test_two_in_three(cases: dict[str, Any]) -> None:
    for case in cases["two_in_three"]:
        got = rules.two_in_three(np.array(case["close"]), np.array(case["rtm"]))
        assert as_int(got) == case["expected"]


def test_part_of_two_in_three(cases: dict[str, Any]) -> None:
    for case in cases["part_of_two_in_three_end_to_end"]:
        close, rtm = np.array(case["close"]), np.array(case["rtm"])
        got = rules.part_of_two_in_three(rules.two_in_three(close, rtm), close)
        assert as_int(got) == case["expected"]


def test_precedence(cases: dict[str, Any]) -> None:
    c = cases["special_cause_precedence"]
    codes = rules.combine(
        np.array(c["y"]),
        np.array(c["relative_to_mean"]),
        np.array(c["outside_limits"]),
        np.array(c["part_of_trend"]),
        np.array(c["part_of_two_in_three"]),
        np.array(c["part_of_run"]),
    )
    labels = special_cause_labels()
    assert [labels[k] for k in codes] == c["expected"]


def test_rules_stay_inside_segments() -> None:
    # two segments of 4 points: a run of 8 across the boundary is not a run of 7
    rtm = np.ones(8, dtype=np.int8)
    start = np.array([1, 0, 0, 0, 1, 0, 0, 0], dtype=bool)
    assert not rules.run_end(rtm, start, 7).any()
    assert not rules.trend_end(np.arange(8.0), start, 7).any()
    assert rules.trend_end(np.arange(8.0), start, 4).tolist() == [0, 0, 0, 1, 0, 0, 0, 1]


def test_short_group_warning() -> None:
    """As the reference's tests: n < 12 warns, n == 12 does not, per series and rebase group."""
    dates = np.arange("2020-01-01", "2020-01-13", dtype="datetime64[D]")
    values = np.sin(np.arange(12.0))
    r12 = compute_one(dates, values)
    assert r12.warnings == () and not r12.short_group_warning.any()
    r11 = compute_one(dates[:11], values[:11])
    assert r11.warnings == (SHORT_GROUP_WARNING,) and r11.short_group_warning.all()
    rebased = compute_one(dates, values, rebase=["2020-01-08"])
    assert rebased.short_group_warning.all()


def test_rebase_on_first_point_and_single_point_group() -> None:
    dates = np.arange("2020-01-01", "2020-01-21", dtype="datetime64[D]")
    values = np.cos(np.arange(20.0))
    r = compute_one(dates, values, rebase=["2020-01-01", "2020-01-20"])
    # a rebase on the first date starts group 1 (cumulative count, as the reference)
    assert r.rebase_group.tolist() == [1] * 19 + [2]
    # a group of one point has no moving range: undefined limits, not special
    assert np.isnan(r.lpl[-1]) and np.isnan(r.upl[-1]) and r.mean[-1] == values[-1]
    assert r.relative_to_mean[-1] == 0 and not r.outside_limits[-1]
    assert r.point_type[-1] == 0


def test_validation() -> None:
    with pytest.raises(ValueError, match="greater than or equal to 12"):
        compute_one(["2020-01-01"], [1.0], fix_after_n_points=11)
    with pytest.raises(ValueError, match="row 2: duplicate series/date"):
        compute(["a", "b", "a"], ["2020-01-01", "2020-01-01", "2020-01-01"], [1, 2, 3])
    with pytest.raises(ValueError, match="finite"):
        compute_one(["2020-01-01"], [float("nan")])


# properties ---------------------------------------------------------------------------------
values_st = st.one_of(
    st.lists(st.integers(-3, 3).map(float), min_size=1, max_size=40),  # ties, points on the mean
    st.lists(st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False), min_size=1, max_size=40),
)
table_st = st.lists(values_st, min_size=1, max_size=6)
options_st = st.fixed_dictionaries(
    {
        "direction": st.sampled_from(["increase", "decrease", "neutral"]),
        "screen_outliers": st.booleans(),
        "fix_after_n_points": st.sampled_from([None, 12, 15]),
        "run_length": st.sampled_from([6, 7]),
        "trend_length": st.sampled_from([6, 7]),
        "target": st.sampled_from([None, 0.0, 1.5]),
        "rebase": st.sampled_from([None, ["2021-01-10"], ["2021-01-01", "2021-01-20"]]),
    }
)


def long_table(series: list[list[float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ids = np.concatenate([np.full(len(v), f"s{k}") for k, v in enumerate(series)])
    dates = np.concatenate(
        [np.datetime64("2021-01-01") + np.arange(len(v)) for v in series]
    ).astype("datetime64[D]")
    values = np.concatenate([np.asarray(v, dtype=float) for v in series])
    return ids, dates, values


PER_POINT = _POINT_FIELDS  # every per-point array the engine exposes


def assert_same(a: SpcResult, b: SpcResult) -> None:
    assert a.series_labels.tolist() == b.series_labels.tolist()
    for name in PER_POINT:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


@settings(max_examples=150, deadline=None)
@given(table_st, options_st)
def test_limits_symmetric_about_mean(series: list[list[float]], options: dict[str, Any]) -> None:
    r = compute(*long_table(series), **options)
    ok = ~np.isnan(r.upl)
    np.testing.assert_allclose((r.upl - r.mean)[ok], (r.mean - r.lpl)[ok], rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose((r.nupl - r.mean)[ok], (r.mean - r.nlpl)[ok], rtol=1e-12, atol=1e-6)
    assert np.all(r.lpl[ok] <= r.nlpl[ok]) and np.all(r.nlpl[ok] <= r.mean[ok])
    assert np.all(r.mean[ok] <= r.nupl[ok]) and np.all(r.nupl[ok] <= r.upl[ok])


@settings(max_examples=150, deadline=None)
@given(table_st, options_st, st.randoms(use_true_random=False))
def test_independent_of_input_order(
    series: list[list[float]], options: dict[str, Any], rnd: Any
) -> None:
    ids, dates, values = long_table(series)
    perm = np.arange(ids.size)
    rnd.shuffle(perm)
    a = compute(ids, dates, values, **options)
    b = compute(ids[perm], dates[perm], values[perm], **options)
    assert_same(a, b)
    np.testing.assert_array_equal(ids[perm][b.order], a.series_names)
    np.testing.assert_array_equal(values[perm][b.order], a.value)


@settings(max_examples=150, deadline=None)
@given(table_st, options_st)
def test_vectorised_equals_one_at_a_time(
    series: list[list[float]], options: dict[str, Any]
) -> None:
    ids, dates, values = long_table(series)
    together = compute(ids, dates, values, **options)
    summary = summarise(together)
    for k, label in enumerate(together.series_labels):
        mask = ids == label
        alone = compute_one(dates[mask], values[mask], **options)
        part = together.take_series(label)
        for name in PER_POINT:
            np.testing.assert_array_equal(part[name], getattr(alone, name), err_msg=name)
        one = summarise(alone)
        assert summary.variation[k] == one.variation[0]
        assert summary.assurance[k] == one.assurance[0]


@settings(max_examples=100, deadline=None)
@given(
    st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False), st.integers(1, 60), st.booleans()
)
def test_constant_series_is_common_cause(value: float, n: int, screen: bool) -> None:
    dates = np.datetime64("2021-01-01") + np.arange(n)
    r = compute_one(dates, np.full(n, value), screen_outliers=screen)
    assert np.all(r.mean == value)
    assert np.all(r.relative_to_mean == 0)
    assert np.all(r.point_type == 0)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-2, 2), min_size=0, max_size=60),
    st.lists(st.booleans(), min_size=60, max_size=60),
    st.integers(2, 8),
)
def test_block_rules_equal_reference_composition(
    v: list[int], starts: list[bool], length: int
) -> None:
    """The engine's one-pass ``in_run``/``in_trend`` equal the reference's
    ``part_of(run_end(...))`` and ``part_of(trend_end(...))`` compositions."""
    a = np.asarray(v)
    start = np.asarray(starts[: a.size], dtype=bool)
    rtm = np.sign(a)
    np.testing.assert_array_equal(
        rules.in_run(rtm, start, length),
        rules.part_of(rules.run_end(rtm, start, length), start, length),
    )
    np.testing.assert_array_equal(
        rules.in_trend(a.astype(float), start, length),
        rules.part_of(rules.trend_end(a.astype(float), start, length), start, length),
    )
