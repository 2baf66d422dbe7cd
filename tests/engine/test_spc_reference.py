"""The SPC engine against every file of spc-reference (what NHSRplotthedots 0.2.2 computes).

Expected values come only from the reference files: the package's own test assertions at their
printed precision, and full package outputs at a relative tolerance of 1e-9.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from oversight.engine.spc import (
    ASSURANCE_ICON_FILES,
    SHORT_GROUP_WARNING,
    SpcResult,
    assurance_icons,
    compute,
    compute_one,
    summarise,
    summarise_groups,
)

RTOL = 1e-9


@pytest.fixture(scope="module")
def ref(shared_data: Path) -> Path:
    path = shared_data / "spc-reference"
    if not path.is_dir():
        pytest.skip(f"{path} not found")
    return path


def load(ref: Path, name: str) -> dict[str, Any]:
    return json.loads((ref / name).read_text())


def sig(x: float, digits: int) -> float:
    return float(f"{x:.{digits}g}")


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=RTOL, abs_tol=0.0)


def assert_points(result: SpcResult, expected: dict[str, list[Any]]) -> int:
    """Compare every reference point with ours (matched on facet and date); returns the count."""
    ours = {
        (str(f), str(d)): i
        for i, (f, d) in enumerate(zip(result.series_names, result.date, strict=True))
    }
    facets = expected.get("f", ["no facet"] * len(expected["x"]))
    assert len(expected["x"]) == len(result)
    sct = result.special_cause_type_names
    pts = result.point_type_names
    single = str(result.series_labels[0]) if len(result.series_labels) == 1 else None
    for k, (f, x) in enumerate(zip(facets, expected["x"], strict=True)):
        i = ours[(single if f == "no facet" else str(f), x)]
        where = f"point {k} ({f}, {x})"
        assert result.value[i] == expected["y"][k], where
        assert result.rebase_group[i] == expected["rebase_group"][k], where
        for ours_name, theirs in (("mean", "mean_col"), ("lpl", "lpl"), ("upl", "upl")):
            assert close(getattr(result, ours_name)[i], expected[theirs][k]), (where, ours_name)
        assert bool(result.outside_limits[i]) == expected["outside_limits"][k], where
        assert result.relative_to_mean[i] == expected["relative_to_mean"][k], where
        assert bool(result.close_to_limits[i]) == expected["close_to_limits"][k], where
        assert sct[i] == expected["special_cause_type"][k], where
        assert pts[i] == expected["point_type"][k], where
    return len(expected["x"])


# 01 ----------------------------------------------------------------------------------------
def run_01(case: dict[str, Any], variant: str) -> SpcResult:
    inp = case["input"]
    spec = inp["variants"][variant]
    kwargs: dict[str, Any] = {"screen_outliers": spec["screen_outliers"]}
    if "fix_after_n_points" in spec:
        kwargs["fix_after_n_points"] = spec["fix_after_n_points"]
    if "rebase_date" in spec:
        kwargs["rebase"] = [spec["rebase_date"]]
    return compute_one(inp["dates"], inp[spec["values"]], direction="increase", **kwargs)


@pytest.mark.parametrize("variant", ["r1", "r2", "r3", "fix12", "rebase_at_11th_point"])
def test_01_full_output(ref: Path, variant: str) -> None:
    case = load(ref, "01_spc_standard_rnorm20_outlier_screening.json")
    result = run_01(case, variant)
    assert assert_points(result, case["reference_output_from_package_run"][variant]) == 20


@pytest.mark.parametrize("variant", ["r1", "r2", "r3"])
def test_01_snapshot(ref: Path, variant: str) -> None:
    case = load(ref, "01_spc_standard_rnorm20_outlier_screening.json")
    exp = case["expected"][variant]
    r = run_01(case, variant)
    assert {sig(m, 7) for m in r.mean} == {exp["mean_col"]}
    assert {sig(v, 7) for v in r.lpl} == {exp["lpl"]}
    assert {sig(v, 7) for v in r.upl} == {exp["upl"]}
    for key, values in exp.items():
        if key.startswith("relative_to_mean_first_"):
            assert r.relative_to_mean[: len(values)].tolist() == values
        elif key.startswith("outside_limits_first_"):
            assert r.outside_limits[: len(values)].tolist() == values
        elif key.startswith("close_to_limits_first_"):
            assert r.close_to_limits[: len(values)].tolist() == values
        elif key.startswith("rebase_group_first_"):
            assert r.rebase_group[: len(values)].tolist() == values


def test_01_relations_and_rebase(ref: Path) -> None:
    case = load(ref, "01_spc_standard_rnorm20_outlier_screening.json")
    r1, r2, r3, fix = (run_01(case, v) for v in ("r1", "r2", "r3", "fix12"))
    assert len({r1.lpl[0], r2.lpl[0], r3.lpl[0]}) == 3
    assert len({r1.upl[0], r2.upl[0], r3.upl[0]}) == 3
    assert (r3.upl[0] - r3.lpl[0]) > (r2.upl[0] - r2.lpl[0])
    assert fix.lpl[0] != r1.lpl[0] and fix.upl[0] != r1.upl[0]
    rebased = run_01(case, "rebase_at_11th_point")
    expected = case["expected"]["rebase_at_11th_point"]["rebase_group"]
    assert rebased.rebase_group.tolist() == expected
    assert (
        rebased.rebase_group.tolist()
        == np.cumsum(case["input"]["variants"]["rebase_at_11th_point"]["rebase_flags"]).tolist()
    )


# 02 ----------------------------------------------------------------------------------------
def run_02(case: dict[str, Any], variant: str) -> SpcResult:
    inp = case["input"]
    spec = inp["variants"][variant]
    series = inp["facet"] if spec["facet_field"] else [0] * len(inp["values"])
    return compute(
        series,
        inp["dates"],
        inp["values"],
        direction=inp["improvement_direction"],
        screen_outliers=inp["screen_outliers"],
        rebase=spec.get("rebase"),
        target=spec.get("target"),
    )


@pytest.mark.parametrize(
    ("variant", "key"),
    [("s1", "s1"), ("s2", "s2"), ("s3", "s3"), ("s4", "s4"), ("s5_and_summary_with_target", None)],
)
def test_02_summary_snapshot(ref: Path, variant: str, key: str | None) -> None:
    case = load(ref, "02_summary_rnorm20_facets.json")
    exp = case["expected"][key or variant]
    rows = summarise_groups(run_02(case, variant))
    exp_rows = exp if isinstance(exp, list) else [exp]
    assert len(rows) == len(exp_rows)
    for row, e in zip(rows, exp_rows, strict=True):
        for name, value in e.items():
            if name == "f":
                assert row["series"] == value
            elif name == "has_column_assurance_type":
                assert row["assurance_type"] is not None
            elif name == "mean_col":
                assert sig(row["mean"], 3) == value
            elif name in ("lpl", "upl"):
                assert sig(row[name], 3) == value
            else:
                assert row[name] == value, name


@pytest.mark.parametrize(
    ("variant", "key"),
    [("s1", "s1_summary"), ("s3", "s3_summary"), ("s5_and_summary_with_target", "s5_summary")],
)
def test_02_summary_full(ref: Path, variant: str, key: str) -> None:
    case = load(ref, "02_summary_rnorm20_facets.json")
    exp = case["reference_output_from_package_run"][key]
    rows = summarise_groups(run_02(case, variant))
    assert len(rows) == len(exp["mean_col"])
    for g, row in enumerate(rows):
        if "f" in exp:
            assert row["series"] == exp["f"][g]
        assert close(row["mean"], exp["mean_col"][g])
        assert close(row["lpl"], exp["lpl"][g])
        assert close(row["upl"], exp["upl"][g])
        for name in ("n", "common_cause", "special_cause_improvement", "special_cause_concern"):
            assert row[name] == exp[name][g], name
        assert row["variation_type"] == exp["variation_type"][g]
        if "assurance_type" in exp:
            assert row["assurance_type"] == exp["assurance_type"][g]


def test_02_facet_points(ref: Path) -> None:
    case = load(ref, "02_summary_rnorm20_facets.json")
    points = case["reference_output_from_package_run"]["s3_points"]
    assert assert_points(run_02(case, "s3"), points) == 20


# 03 ----------------------------------------------------------------------------------------
def test_03_two_in_three_opposite_sides(ref: Path) -> None:
    case = load(ref, "03_two_in_three_opposite_sides.json")
    inp = case["input"]
    r = compute_one(inp["dates"], inp["values"], direction=inp["improvement_direction"])
    assert r.point_type_names[-2:].tolist() == case["expected"]["point_type_last_2"]
    assert assert_points(r, case["reference_output_from_package_run"]["points"]) == 16


# 04 ----------------------------------------------------------------------------------------
def icon_rows(result: SpcResult) -> list[dict[str, str]]:
    s = summarise(result)
    labels = [str(x) for x in s.series]
    out = [
        {"f": f, "type": "variation", "icon": f"variation/{v}.svg"}
        for f, v in zip(labels, s.variation_names, strict=True)
    ]
    out += [
        {"f": f, "type": "assurance", "icon": ASSURANCE_ICON_FILES[a]}
        for f, a in zip(labels, s.assurance_names, strict=True)
        if a is not None
    ]
    return out


def run_04(case: dict[str, Any], scenario: dict[str, Any]) -> SpcResult:
    inp = case["input"]
    values = inp[scenario["values"]]
    series = inp["facet"] if scenario["facet_field"] else ["no facet"] * len(values)
    return compute(
        series,
        inp["dates"],
        values,
        direction=scenario["improvement_direction"],
        target=scenario["target"],
        screen_outliers=inp["screen_outliers"],
    )


def test_04_icons(ref: Path) -> None:
    case = load(ref, "04_icons_rnorm24_variation_assurance.json")
    full = case["reference_output_from_package_run"]
    checked = 0
    for scenario in case["scenarios"]:
        result = run_04(case, scenario)
        got = icon_rows(result)
        expected = [{**e, "f": str(e["f"])} for e in scenario["expected_icons"]]
        assert got == expected, scenario["id"]
        assert got == full["icons"][scenario["id"]], scenario["id"]
        if scenario["id"] in full["points"]:
            checked += assert_points(result, full["points"][scenario["id"]])
    assert checked == 7 * 24


# 05 ----------------------------------------------------------------------------------------
def test_05_assurance_from_limits(ref: Path) -> None:
    case = load(ref, "05_assurance_type_from_limits.json")
    inp, exp = case["input"], case["expected"]
    lpl = np.array([f["lpl"] for f in inp["facets"]], dtype=float)
    upl = np.array([f["upl"] for f in inp["facets"]], dtype=float)
    target = np.full(lpl.size, inp["target"], dtype=float)
    names = ("consistent_pass", "consistent_fail", "inconsistent")
    for direction, code in (("increase", 1), ("decrease", -1), ("neutral", 0)):
        got = assurance_icons(target, lpl, upl, np.full(lpl.size, code))
        assert [names[g] if g >= 0 else None for g in got] == exp[direction]
    got = assurance_icons(np.array([np.nan]), lpl[:1], upl[:1], np.array([1]))
    assert [None if g < 0 else names[g] for g in got] == exp["no_target"]


def test_05_last_row_wins_through_compute(ref: Path) -> None:
    """The reference's rebase case end to end: one series whose three rebase groups have the
    reference rows' limits, in each of its row orders; ``compute`` + ``summarise`` must take the
    assurance from the last group. Each group alternates mean +/- d (12 points, so every moving
    range is 2d and none is screened out): its mean is (lpl + upl) / 2 and its limits
    mean +/- 2.66 x 2d, so d = (upl - lpl) / 2 / (2 x 2.66) gives the row's limits exactly."""
    case = load(ref, "05_assurance_type_from_limits.json")
    expected = case["expected"]["rebase_last_row_wins"]
    rows, target = expected["rows"], case["input"]["target"]
    per_group = 12
    dates = np.arange("2020-01", "2023-01", dtype="datetime64[M]").astype("datetime64[D]")
    rebase = [dates[per_group], dates[2 * per_group]]
    for order_key in ("order_1_2_3", "order_2_3_1", "order_3_1_2"):
        order = [int(c) - 1 for c in order_key.split("_")[1:]]
        values = []
        for k in order:
            lpl, upl = rows[k]["lpl"], rows[k]["upl"]
            centre, d = (lpl + upl) / 2, (upl - lpl) / 2 / (2 * 2.66)
            values += [centre + d if i % 2 == 0 else centre - d for i in range(per_group)]
        shuffled = np.random.default_rng(5).permutation(dates.size)  # rows in any order
        result = compute(
            np.zeros(dates.size, int)[shuffled],
            dates[shuffled],
            np.array(values)[shuffled],
            direction="decrease",
            target=target,
            rebase=rebase,
        )
        assert result.rebase_group.tolist() == [0] * 12 + [1] * 12 + [2] * 12
        for g, k in enumerate(order):
            in_group = result.rebase_group == g
            assert np.allclose(result.lpl[in_group], rows[k]["lpl"], rtol=RTOL, atol=0)
            assert np.allclose(result.upl[in_group], rows[k]["upl"], rtol=RTOL, atol=0)
        summary = summarise(result)
        assert summary.assurance_names == [expected[order_key]], order_key
        assert close(summary.lpl[0], rows[order[-1]]["lpl"])
        assert close(summary.upl[0], rows[order[-1]]["upl"])


# 07 ----------------------------------------------------------------------------------------
def test_07_outlier_screening_vignette(ref: Path) -> None:
    case = next(
        c
        for c in load(ref, "07_documented_examples_vignette_readme.json")["cases"]
        if c["id"] == "deviations_outlier_screening"
    )
    inp, exp, full = case["input"], case["expected"], case["reference_output_from_package_run"]
    for screen, key, full_key in (
        (True, "screen_outliers_true", "screened"),
        (False, "screen_outliers_false_excel", "excel"),
    ):
        r = compute_one(inp["dates"], inp["values"], screen_outliers=screen)
        assert round(r.upl[0], 2) == exp[key]["upl"]
        assert round(r.mean[0], 2) == exp[key]["mean"]
        assert round(r.lpl[0], 2) == exp[key]["lpl"]
        types = r.point_type_names.tolist()
        assert types[4] == "special_cause_improvement"
        assert set(types[:4] + types[5:]) == {"common_cause"}
        assert assert_points(r, full[full_key]) == 18


def test_07_readme_rqm(ref: Path) -> None:
    case = next(
        c
        for c in load(ref, "07_documented_examples_vignette_readme.json")["cases"]
        if c["id"] == "readme_RQM_breaches"
    )
    inp, full = case["input"], case["reference_output_from_package_run"]
    r = compute_one(
        inp["dates"], inp["values"], direction=inp["improvement_direction"], target=inp["target"]
    )
    s = summarise(r)
    assert s.variation_names == [case["expected"]["variation_type"]]
    assert s.assurance_names == [case["expected"]["assurance_type"]]
    (row,) = summarise_groups(r)
    exp = full["summary"]
    assert close(row["mean"], exp["mean_col"][0]) and close(row["lpl"], exp["lpl"][0])
    assert close(row["upl"], exp["upl"][0])
    for name in ("n", "common_cause", "special_cause_improvement", "special_cause_concern"):
        assert row[name] == exp[name][0]
    assert row["assurance_type"] == exp["assurance_type"][0]
    assert assert_points(r, full["points"]) == 24


def test_07_vignette_rrk_run(ref: Path) -> None:
    case = next(
        c
        for c in load(ref, "07_documented_examples_vignette_readme.json")["cases"]
        if c["id"] == "vignette_RRK_stable_period_run_rule"
    )
    inp = case["input"]
    r = compute_one(inp["dates"], inp["values"], direction=inp["improvement_direction"])
    improving = np.flatnonzero(r.point_type_names == "special_cause_improvement")
    assert improving.size == 8 and np.all(np.diff(improving) == 1)
    assert set(r.special_cause_type_names[improving]) == {"7 Points Below CL"}
    assert assert_points(r, case["reference_output_from_package_run"]["points"]) == 24


def test_07_england_rebase(ref: Path) -> None:
    case = next(
        c
        for c in load(ref, "07_documented_examples_vignette_readme.json")["cases"]
        if c["id"] == "deviations_england_attendances_rebase"
    )
    inp, full = case["input"], case["reference_output_from_package_run"]
    rebased = compute_one(inp["dates"], inp["values"], rebase=inp["rebase_dates"])
    plain = compute_one(inp["dates"], inp["values"])
    groups = summarise_groups(rebased)
    assert [g["n"] for g in groups] == [12, 12, 12]
    assert all(g["common_cause"] == 12 for g in groups)
    assert len({g["mean"] for g in groups}) == 3
    assert summarise_groups(plain)[0]["common_cause"] == 36
    assert assert_points(rebased, full["rebased"]) == 36
    assert assert_points(plain, full["not_rebased"]) == 36


# A&E: 140 real series, three variants -------------------------------------------------------
VARIANTS = {
    "default": ("reference_ae_type1_performance_points.csv", {}),
    "fix_after_n_points=12": (
        "reference_ae_type1_performance_fix12_points.csv",
        {"fix_after_n_points": 12},
    ),
    "rebase=2017-04-01": (
        "reference_ae_type1_performance_rebase201704_points.csv",
        {"rebase": ["2017-04-01"]},
    ),
}


def ae_type1(shared_data: Path) -> tuple[list[str], list[str], list[float]]:
    """Type-1 A&E 4-hour performance, 1 - breaches / attendances, in file order."""
    orgs, periods, values = [], [], []
    with (shared_data / "nhsr" / "ae_attendances.csv").open() as fh:
        for row in csv.DictReader(fh):
            if row["type"] == "1":
                orgs.append(row["org_code"])
                periods.append(row["period"])
                values.append(1 - int(row["breaches"]) / int(row["attendances"]))
    return orgs, periods, values


def reference_points(path: Path) -> dict[str, list[Any]]:
    cols: dict[str, list[Any]] = {
        k: []
        for k in (
            "f",
            "x",
            "y",
            "rebase_group",
            "mean_col",
            "lpl",
            "upl",
            "outside_limits",
            "relative_to_mean",
            "close_to_limits",
            "special_cause_type",
            "point_type",
        )
    }
    with path.open() as fh:
        for row in csv.DictReader(fh):
            cols["f"].append(row["org_code"])
            cols["x"].append(row["period"])
            cols["y"].append(float(row["value"]))
            cols["rebase_group"].append(int(row["rebase_group"]))
            for c in ("mean", "lpl", "upl"):
                cols["mean_col" if c == "mean" else c].append(float(row[c]))
            cols["outside_limits"].append(row["outside_limits"] == "TRUE")
            cols["relative_to_mean"].append(int(row["relative_to_mean"]))
            cols["close_to_limits"].append(row["close_to_limits"] == "TRUE")
            cols["special_cause_type"].append(row["special_cause_type"])
            cols["point_type"].append(row["point_type"])
    return cols


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_ae_points(ref: Path, shared_data: Path, variant: str) -> None:
    filename, kwargs = VARIANTS[variant]
    orgs, periods, values = ae_type1(shared_data)
    result = compute(orgs, periods, values, direction="increase", target=0.95, **kwargs)
    assert len(result.series_labels) == 140
    assert assert_points(result, reference_points(ref / filename)) == 4932
    if variant == "rebase=2017-04-01":
        assert result.warnings == (SHORT_GROUP_WARNING,)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_ae_icons(ref: Path, shared_data: Path, variant: str) -> None:
    _, kwargs = VARIANTS[variant]
    orgs, periods, values = ae_type1(shared_data)
    result = compute(orgs, periods, values, direction="increase", target=0.95, **kwargs)
    expected = {}
    with (ref / "reference_ae_type1_performance_icons.csv").open() as fh:
        for row in csv.DictReader(fh):
            if row["variant"] == variant:
                expected[(row["f"], row["type"])] = row["icon"]
    got = {}
    for row in summarise(result).rows():
        got[(row["series"], "variation")] = f"variation/{row['variation']}.svg"
        if row["assurance"] is not None:
            got[(row["series"], "assurance")] = ASSURANCE_ICON_FILES[row["assurance"]]
    assert got == expected
