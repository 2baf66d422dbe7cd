"""`oversight spc` end to end: the A&E reference through the command, options, formats, errors."""

from __future__ import annotations

import csv
import io
import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from oversight.cli.main import app

runner = CliRunner()

VARIANTS = {
    "default": ("reference_ae_type1_performance_points.csv", []),
    "fix_after_n_points=12": (
        "reference_ae_type1_performance_fix12_points.csv",
        ["--fix-after", "12"],
    ),
    "rebase=2017-04-01": (
        "reference_ae_type1_performance_rebase201704_points.csv",
        ["--rebase", "2017-04-01"],
    ),
}


@pytest.fixture(scope="module")
def ae_csv(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Type-1 A&E performance (1 - breaches / attendances) as org_code,period,performance."""
    path = tmp_path_factory.mktemp("ae") / "ae_type1.csv"
    with (shared_data / "nhsr" / "ae_attendances.csv").open() as src, path.open("w") as out:
        w = csv.writer(out)
        w.writerow(["org_code", "period", "performance"])
        for row in csv.DictReader(src):
            if row["type"] == "1":
                value = 1 - int(row["breaches"]) / int(row["attendances"])
                w.writerow([row["org_code"], row["period"], repr(value)])
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["spc", *args])
    return result.exit_code, result.stdout, result.stderr


AE_ARGS = ["--series-col", "org_code", "--date-col", "period", "--value-col", "performance"]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_ae_reference_points_through_cli(shared_data: Path, ae_csv: Path, variant: str) -> None:
    filename, extra = VARIANTS[variant]
    code, out, err = run(str(ae_csv), *AE_ARGS, "--target", "0.95", *extra)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    header = "series,date,value,rebase_group,mean,lpl,upl,point_type"
    assert out.splitlines()[0] == header
    ours = {(r["series"], r["date"]): r for r in rows}
    with (shared_data / "spc-reference" / filename).open() as fh:
        reference = list(csv.DictReader(fh))
    assert len(reference) == len(rows) == 4932
    for ref in reference:
        got = ours[(ref["org_code"], ref["period"])]
        assert float(got["value"]) == float(ref["value"])
        assert int(got["rebase_group"]) == int(ref["rebase_group"])
        for col in ("mean", "lpl", "upl"):
            assert math.isclose(float(got[col]), float(ref[col]), rel_tol=1e-9), (ref, col)
        assert got["point_type"] == ref["point_type"]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_ae_reference_icons_through_cli(shared_data: Path, ae_csv: Path, variant: str) -> None:
    _, extra = VARIANTS[variant]
    code, out, err = run(str(ae_csv), *AE_ARGS, "--target", "0.95", "--summary", *extra)
    assert code == 0, err
    assert out.splitlines()[0] == "series,variation,assurance,n_points,mean,lpl,upl"
    files = {
        "consistent_pass": "assurance/pass.svg",
        "consistent_fail": "assurance/fail.svg",
        "inconsistent": "assurance/inconsistent.svg",
    }
    got = {}
    for r in csv.DictReader(io.StringIO(out)):
        got[(r["series"], "variation")] = f"variation/{r['variation']}.svg"
        got[(r["series"], "assurance")] = files[r["assurance"]]
    with (shared_data / "spc-reference" / "reference_ae_type1_performance_icons.csv").open() as fh:
        expected = {
            (r["f"], r["type"]): r["icon"] for r in csv.DictReader(fh) if r["variant"] == variant
        }
    assert got == expected


def write(tmp_path: Path, text: str, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def reference_case(shared_data: Path, case_id: str) -> dict:
    path = shared_data / "spc-reference" / "07_documented_examples_vignette_readme.json"
    return next(c for c in json.loads(path.read_text())["cases"] if c["id"] == case_id)


def test_no_screen_outliers_json_and_output_file(shared_data: Path, tmp_path: Path) -> None:
    case = reference_case(shared_data, "deviations_outlier_screening")
    lines = ["series,date,value"] + [
        f"x,{d},{v!r}" for d, v in zip(case["input"]["dates"], case["input"]["values"], strict=True)
    ]
    src = write(tmp_path, "\n".join(lines) + "\n")
    for flag, key in (([], "screened"), (["--no-screen-outliers"], "excel")):
        out_file = tmp_path / f"out_{key}.json"
        code, out, err = run(str(src), "--format", "json", "--output", str(out_file), *flag)
        assert code == 0, err
        assert out == ""
        points = json.loads(out_file.read_text())
        full = case["reference_output_from_package_run"][key]
        assert [p["date"] for p in points] == full["x"]
        for p, mean, lpl, upl, pt in zip(
            points, full["mean_col"], full["lpl"], full["upl"], full["point_type"], strict=True
        ):
            assert math.isclose(p["mean"], mean, rel_tol=1e-9)
            assert math.isclose(p["lpl"], lpl, rel_tol=1e-9)
            assert math.isclose(p["upl"], upl, rel_tol=1e-9)
            assert p["point_type"] == pt


def test_direction_and_target_readme_rqm(shared_data: Path, tmp_path: Path) -> None:
    case = reference_case(shared_data, "readme_RQM_breaches")
    inp = case["input"]
    lines = ["s,d,v"] + [f"RQM,{d},{v}" for d, v in zip(inp["dates"], inp["values"], strict=True)]
    src = write(tmp_path, "\n".join(lines) + "\n")
    cols = ["--series-col", "s", "--date-col", "d", "--value-col", "v"]
    code, out, err = run(
        str(src), *cols, "--direction", "decrease", "--target", str(inp["target"]), "--summary"
    )
    assert code == 0, err
    (row,) = csv.DictReader(io.StringIO(out))
    assert row["variation"] == case["expected"]["variation_type"]
    assert row["assurance"] == case["expected"]["assurance_type"]
    assert row["n_points"] == "24"
    summary = case["reference_output_from_package_run"]["summary"]
    assert math.isclose(float(row["mean"]), summary["mean_col"][0], rel_tol=1e-9)
    code, out, err = run(str(src), *cols, "--direction", "decrease")
    types = [r["point_type"] for r in csv.DictReader(io.StringIO(out))]
    assert types == case["reference_output_from_package_run"]["points"]["point_type"]


def test_run_and_trend_length_options(tmp_path: Path) -> None:
    # 6 rising points then 14 alternating points around 0: a trend of 6, not of 7
    values = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6] + [-1, 1] * 7
    lines = ["series,date,value"] + [f"a,2021-01-{i + 1:02d},{v}" for i, v in enumerate(values)]
    src = write(tmp_path, "\n".join(lines) + "\n")
    _, out7, _ = run(str(src))
    _, out6, _ = run(str(src), "--trend-length", "6", "--run-length", "6")
    types7 = [r["point_type"] for r in csv.DictReader(io.StringIO(out7))]
    types6 = [r["point_type"] for r in csv.DictReader(io.StringIO(out6))]
    assert "special_cause_improvement" not in types7[:6]
    assert types6[:6] == ["special_cause_improvement"] * 6


def test_plot_writes_accessible_svg(tmp_path: Path) -> None:
    values = [5, 6, 5, 7, 6, 5, 6, 5, 6, 7, 6, 5, 12, 12.5, 13, 12, 13, 12.5, 13, 12]
    lines = ["series,date,value"]
    for name in ("a/b", "c"):
        lines += [f"{name},2021-02-{i + 1:02d},{v}" for i, v in enumerate(values)]
    src = write(tmp_path, "\n".join(lines) + "\n")
    folder = tmp_path / "charts"
    code, _, err = run(str(src), "--plot", str(folder), "--target", "8", "--summary")
    assert code == 0, err
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["a_b.svg", "c.svg"]
    ns = {"svg": "http://www.w3.org/2000/svg"}
    root = ET.parse(folder / "c.svg").getroot()
    assert root.find("svg:title", ns).text == "c"
    assert "20 points" in root.find("svg:desc", ns).text
    text = (folder / "c.svg").read_text()
    assert "#00b0f0" in text  # improvement points (a run above the mean, higher is better)
    # the description names the icon in words (it said the internal name improvement_high)
    assert "Variation: Special cause improvement (high)" in root.find("svg:desc", ns).text
    assert 'data-icon="improvement_high"' in text


#: Making Data Count icon conventions: ring colour (NHSRplotthedots' ptd_spc_colours: blue
#: improvement, orange concern, grey common cause) and letter (H/L: high/low values; P/F/?:
#: consistently passes, consistently fails, hit and miss).
VARIATION_LOOK = {
    "common_cause": ("#a6a6a6", None),
    "improvement_high": ("#00b0f0", "H"),
    "concern_low": ("#e46c0a", "L"),
}
ASSURANCE_LOOK = {
    "consistent_pass": ("#00b0f0", "P"),
    "consistent_fail": ("#e46c0a", "F"),
    "inconsistent": ("#a6a6a6", "?"),
}
SVG = "{http://www.w3.org/2000/svg}"


def test_plot_draws_target_and_reference_icons(
    shared_data: Path, ae_csv: Path, tmp_path: Path
) -> None:
    """One A&E organisation per icon pair of the reference (concern low / fails, improvement
    high / hit and miss, concern low / passes, common cause / hit and miss): each chart has
    the target line and the Making Data Count drawings of the reference's icons."""
    orgs = ("R1H", "RDD", "RC9", "RA2")
    with (shared_data / "spc-reference" / "reference_ae_type1_performance_icons.csv").open() as fh:
        expected = {
            (r["f"], r["type"]): r["icon"].split("/")[1].removesuffix(".svg")
            for r in csv.DictReader(fh)
            if r["variant"] == "default" and r["f"] in orgs
        }
    files = {"pass": "consistent_pass", "fail": "consistent_fail"}
    src = tmp_path / "four.csv"
    with ae_csv.open() as fh:
        src.write_text("".join(line for line in fh if line.split(",")[0] in ("org_code", *orgs)))
    folder = tmp_path / "charts"
    code, _, err = run(str(src), *AE_ARGS, "--target", "0.95", "--plot", str(folder))
    assert code == 0, err
    seen = set()
    for org in orgs:
        variation = expected[(org, "variation")]
        assurance = files.get(expected[(org, "assurance")], expected[(org, "assurance")])
        seen.add((variation, assurance))
        root = ET.parse(folder / f"{org}.svg").getroot()
        (target,) = [e for e in root.iter(f"{SVG}line") if e.get("class") == "spc-target"]
        assert target.get("stroke") == "#de1b1b"
        assert target.find(f"{SVG}title").text == "target 0.95"
        assert target.get("y1") == target.get("y2")

        icons = {g.get("class"): g for g in root.iter(f"{SVG}g") if g.get("data-icon")}
        assert set(icons) == {"spc-icon spc-icon-variation", "spc-icon spc-icon-assurance"}
        for kind, name, look in (
            ("variation", variation, VARIATION_LOOK),
            ("assurance", assurance, ASSURANCE_LOOK),
        ):
            group = icons[f"spc-icon spc-icon-{kind}"]
            assert group.get("data-icon") == name, (org, kind)
            drawing = group.find(f"{SVG}svg")
            ring, *dots = drawing.findall(f"{SVG}circle")
            colour, letter = look[name]
            assert ring.get("stroke") == colour, (org, kind)
            letters = [t.text for t in drawing.findall(f"{SVG}text")]
            assert letters == ([letter] if letter else []), (org, kind)
            if kind == "variation":
                heights = [float(d.get("cy")) for d in dots]
                # SVG y grows downwards: high values rise to the right, low values fall
                if name.endswith("_high"):
                    assert heights == sorted(heights, reverse=True)
                elif name.endswith("_low"):
                    assert heights == sorted(heights)
                special = [d.get("fill") for d in dots if d.get("fill") != "#a6a6a6"]
                assert special == ([] if name == "common_cause" else [colour, colour])
            else:
                (line,) = drawing.findall(f"{SVG}line")
                assert line.get("stroke") == "#de1b1b"  # the target
    assert len(seen) == 4


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("series,date\na,2021-01-01\n", [], "missing column(s) value"),
        ("series,date,value\na,2021-01-01,1\na,2021-02-30,2\n", [], "line 3: unparsable date"),
        ("series,date,value\na,2021-01-01,1\na,2021-01-02,x\n", [], "line 3: unparsable or non"),
        ("series,date,value\na,2021-01-01,1\na,2021-01-02,\n", [], "line 3: unparsable or non"),
        (
            "series,date,value\na,2021-01-01,1\nb,2021-01-01,1\na,2021-01-01,2\n",
            [],
            "line 4: duplicate series/date",
        ),
        ("series,date,value\na,2021-01-01,1\n", ["--fix-after", "5"], "greater than or equal"),
        ("series,date,value\na,2021-01-01,1\n", ["--rebase", "soon"], "--rebase"),
    ],
)
def test_bad_input(tmp_path: Path, content: str, args: list[str], message: str) -> None:
    code, out, err = run(str(write(tmp_path, content)), *args)
    assert code != 0
    assert message in err
    assert out == ""


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        # a blank line is skipped: the bad value on the line after it is the error
        (
            "series,date,value\na,2021-01-01,1\n\na,2021-01-02,x\n",
            4,
            "unparsable or non-finite value 'x'",
        ),
        # Windows line ends, blank lines between and after the rows
        (
            "series,date,value\r\na,2021-01-01,1\r\n\r\na,2021-01-02,\r\n\r\n",
            4,
            "unparsable or non-finite value (empty)",
        ),
        # a row of empty fields is not a blank line
        ("series,date,value\na,2021-01-01,1\n\n,,\n", 4, "missing series (empty)"),
        # a quoted label holding a newline (and a blank line) spans lines 2-4
        (
            'series,date,value\n"x\n\ny",2021-01-01,1\na,2021-13-01,2\n',
            5,
            "unparsable date '2021-13-01'",
        ),
        (
            'series,date,value\n"x\ny",2021-01-01,1\n\na,2021-01-01,1\n\na,2021-01-01,2\n',
            7,
            "duplicate series/date 'a' 2021-01-01",
        ),
    ],
)
def test_error_line_after_blank_lines_and_quoted_newlines(
    tmp_path: Path, content: str, line: int, reason: str
) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(content.encode())
    code, out, err = run(str(src))
    assert code == 1
    assert err == f"error: {src}: line {line}: {reason}\n"
    assert out == ""


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    rows = "".join(f"a,2021-01-{d:02d},{v}\n\n" for d, v in ((1, 1), (2, 2), (3, 4)))
    blank_first = write(tmp_path, "series,date,value\n\n" + rows, "blank.csv")
    plain = write(tmp_path, "series,date,value\n" + rows.replace("\n\n", "\n"), "plain.csv")
    code, out, err = run(str(blank_first))
    assert code == 0, err
    assert [r["value"] for r in csv.DictReader(io.StringIO(out))] == ["1.0", "2.0", "4.0"]
    assert out == run(str(plain))[1]


def test_unwritable_output_and_plot_folder(tmp_path: Path) -> None:
    src = write(tmp_path, "series,date,value\na,2021-01-01,1\n")
    missing = tmp_path / "no" / "such" / "out.csv"
    code, out, err = run(str(src), "--output", str(missing))
    assert code == 1 and out == ""
    assert err.endswith(f"\nerror: {missing}: cannot write: No such file or directory\n")
    blocker = write(tmp_path, "", "a-file")
    code, _, err = run(str(src), "--plot", str(blocker / "charts"))
    assert code == 1
    assert f"\nerror: {blocker / 'charts'}: cannot write charts: " in err


def test_missing_file(tmp_path: Path) -> None:
    code, _, err = run(str(tmp_path / "nope.csv"))
    assert code == 2 and "no such file" in err
