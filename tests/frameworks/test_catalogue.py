"""The shipped framework catalogues, checked against the published sources, and the validator."""

from __future__ import annotations

import csv
import textwrap
from collections import defaultdict
from pathlib import Path

import pytest

from oversight.frameworks import framework_dirs
from oversight.frameworks.catalogue import CatalogueError, CatalogueSpec, read_catalogue

NOF_FILE = "nof-2025-26/mh-community-trust-data-q1-q2.csv"


def catalogue(code: str) -> CatalogueSpec:
    folder = next(d for d in framework_dirs() if d.name == code)
    return read_catalogue(folder / "catalogue.yaml")


def metric_themes(spec: CatalogueSpec) -> dict[str, str]:
    return {m.code: t.code for t in spec.themes for m in t.metrics}


@pytest.mark.parametrize("folder", framework_dirs(), ids=lambda d: d.name)
def test_every_shipped_catalogue_validates(folder: Path) -> None:
    spec = read_catalogue(folder / "catalogue.yaml")
    assert spec.code == folder.name
    assert spec.metrics, "a framework year without metrics"
    for metric in spec.metrics:
        assert metric.name and metric.description and metric.unit and metric.source, metric.code
        if metric.unit == "%" and metric.valid_min is not None:
            assert metric.valid_min >= -100 and (metric.valid_max or 0) <= 100, metric.code


def test_the_three_framework_years_issue_2_names() -> None:
    methods = {d.name: read_catalogue(d / "catalogue.yaml").method for d in framework_dirs()}
    assert methods == {
        "sof-2021-22": "criteria", "nof-2022-23": "criteria", "nof-2025-26": "scored"
    }


def test_a_code_means_the_same_metric_in_every_year() -> None:
    """Codes are stable: where a later year reuses a code, name, unit and polarity agree."""
    seen: dict[str, tuple[str, str, str, str]] = {}
    for folder in framework_dirs():
        spec = read_catalogue(folder / "catalogue.yaml")
        for m in spec.metrics:
            if m.code in seen:
                assert seen[m.code][1:] == (m.name, m.unit, m.polarity), (
                    f"{m.code} differs between {seen[m.code][0]} and {spec.code}"
                )
            else:
                seen[m.code] = (spec.code, m.name, m.unit, m.polarity)


# --- SOF 2021/22: the main metrics by theme (issue 2; NHS SOF 2021/22 themes) -----------------

SOF_THEMES = {
    "quality": "Quality of care, access and outcomes",
    "prevention": "Preventing ill health and reducing inequalities",
    "people": "People",
    "finance": "Finance and use of resources",
    "leadership": "Leadership and capability",
    "local": "Local strategic priorities (Cambridgeshire and Peterborough)",
}
SOF_REQUIRED = {
    "quality": ["AE4HR", "AE12DTA", "RTT52", "RTT78", "RTT104", "CAN62", "CAN28", "AMBC2",
                "SHMI", "CDIFF", "MRSA", "ECOLI", "MHOAP"],
    "people": ["LEAVER", "SICK", "STAFFENG"],
    "finance": ["AGENCY", "FINVAR"],
    "leadership": ["CQCWL"],
}


def test_sof_2021_22_has_the_six_themes_with_local_priorities() -> None:
    spec = catalogue("sof-2021-22")
    assert {t.code: t.name for t in spec.themes} == SOF_THEMES
    local = [t for t in spec.themes if t.is_local]
    assert [t.code for t in local] == ["local"]
    assert len(local[0].metrics) >= 2
    assert all(not t.is_local for t in spec.themes if t.code != "local")


@pytest.mark.parametrize(
    ("theme", "code"), [(t, c) for t, codes in SOF_REQUIRED.items() for c in codes]
)
def test_sof_2021_22_required_metric_is_in_its_theme(theme: str, code: str) -> None:
    assert metric_themes(catalogue("sof-2021-22")).get(code) == theme


def test_sof_2021_22_national_standards_and_directions() -> None:
    metrics = {m.code: m for m in catalogue("sof-2021-22").metrics}
    ae = metrics["AE4HR"]  # the demo generator and A&E ingestion rely on this definition
    assert (ae.unit, ae.polarity, ae.standard, ae.valid_min, ae.valid_max) == (
        "%", "higher", 95, 0, 100
    )
    assert set(ae.org_kinds) == {"icb", "ccg", "acute"}
    cat2 = metrics["AMBC2"]
    assert (cat2.unit, cat2.polarity, cat2.standard) == ("minutes", "lower", 18)
    assert "ambulance" in cat2.org_kinds
    assert (metrics["CAN62"].standard, metrics["CAN28"].standard) == (85, 75)
    assert metrics["FINVAR"].polarity == "higher"  # a positive variance is better than plan
    for code in ("RTT52", "RTT78", "RTT104", "AE12DTA", "MHOAP", "LEAVER", "SICK", "AGENCY",
                 "CDIFF", "MRSA", "ECOLI", "SHMI"):
        assert metrics[code].polarity == "lower", code
    assert metrics["STAFFENG"].polarity == "higher"


def test_nof_2022_23_reuses_sof_codes_and_drops_ccgs() -> None:
    sof = {m.code for m in catalogue("sof-2021-22").metrics}
    nof = catalogue("nof-2022-23")
    codes = {m.code for m in nof.metrics}
    assert {"AE4HR", "RTT104", "CAN62", "AMBC2", "FINVAR", "CQCWL"} <= codes & sof
    assert all("ccg" not in m.org_kinds for m in nof.metrics)  # CCGs closed 1 July 2022


# --- NOF 2025/26 against NHS England's published Q1/Q2 file ----------------------------------


@pytest.fixture(scope="module")
def nof_rows(shared_data: Path) -> list[dict[str, str]]:
    path = shared_data / NOF_FILE
    if not path.is_file():
        pytest.skip(f"{path} not found")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_published_metric_id_is_in_the_nof_2025_26_catalogue(nof_rows) -> None:
    spec = catalogue("nof-2025-26")
    themes = {m.code: t for t in spec.themes for m in t.metrics}
    metrics = {m.code: m for m in spec.metrics}
    published = {r["Metric_ID"]: r for r in nof_rows}
    assert len(published) == 41
    for code, row in published.items():
        assert code in metrics, f"{code} missing"
        assert themes[code].name == row["Domain"], code
        assert metrics[code].unit == row["Units"], code
        assert metrics[code].name == row["Metric_description"].replace("\xa0", " ").strip()
        assert metrics[code].scored == (code[:3] in ("OF0", "OF1")), code
        if code.startswith("OF1"):
            assert metrics[code].unit == "score"


def test_nof_2025_26_domains_are_themes() -> None:
    assert [t.name for t in catalogue("nof-2025-26").themes] == [
        "Access to services", "Effectiveness and experience", "Patient safety",
        "People and workforce", "Finance and productivity", "Summary",
    ]


def test_nof_polarity_follows_the_published_rank(nof_rows) -> None:
    """Rank 1 is best: values must fall with rank for 'higher', rise for 'lower'."""
    metrics = {m.code: m for m in catalogue("nof-2025-26").metrics}
    ranked: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
    for r in nof_rows:
        if r["Rank"] and r["Value"]:
            key = (r["Metric_ID"], r["Quarter"], r["Reporting_date"])
            ranked[key].append((float(r["Rank"]), float(r["Value"])))
    checked = set()
    for (code, *_), points in ranked.items():
        values = [v for _, v in sorted(points)]
        steps = list(zip(values, values[1:], strict=False))
        polarity = metrics[code].polarity
        if polarity == "higher":
            assert all(b <= a for a, b in steps), code
        else:
            assert polarity == "lower", code
            assert all(b >= a for a, b in steps), code
        checked.add(code)
    assert {c for c in checked if c.startswith("OF0")} == {
        c for c in metrics if c.startswith("OF00")
    } & {r["Metric_ID"] for r in nof_rows}


def test_nof_flags_are_neutral_and_scores_lower_is_better(nof_rows) -> None:
    metrics = {m.code: m for m in catalogue("nof-2025-26").metrics}
    for code in {r["Metric_ID"] for r in nof_rows}:
        unit = metrics[code].unit
        if unit == "flag":
            assert metrics[code].polarity == "neutral", code
        elif unit in ("score", "segment"):
            assert metrics[code].polarity == "lower", code


def test_every_published_nof_value_lies_in_its_valid_range(nof_rows) -> None:
    metrics = {m.code: m for m in catalogue("nof-2025-26").metrics}
    for line, r in enumerate(nof_rows, start=2):
        if not r["Value"]:
            continue
        m, value = metrics[r["Metric_ID"]], float(r["Value"])
        assert m.valid_min is None or value >= m.valid_min, (line, m.code, value)
        assert m.valid_max is None or value <= m.valid_max, (line, m.code, value)


# --- The validator: bad files fail naming file, line and reason ------------------------------

GOOD = """\
framework:
  code: test-year
  name: Test framework
  year_start: 2021-04-01
  method: criteria
themes:
  - code: quality
    name: Quality
    metrics:
      - code: AE4HR
        name: A&E 4 hours
        unit: "%"
        polarity: higher
        org_kinds: [acute]
        frequency: monthly
        standard: 95
        valid_range: [0, 100]
"""


def write(tmp_path: Path, text: str, folder: str = "test-year") -> Path:
    path = tmp_path / folder / "catalogue.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_the_good_example_validates(tmp_path: Path) -> None:
    spec = read_catalogue(write(tmp_path, GOOD))
    assert [m.code for m in spec.metrics] == ["AE4HR"]


BAD = [
    ("missing field", GOOD.replace("        polarity: higher\n", ""), 10,
     "metric 'AE4HR': missing 'polarity'"),
    ("wrong polarity", GOOD.replace("polarity: higher", "polarity: up"), 13,
     "'polarity' is 'up', expected one of higher, lower, neutral"),
    ("duplicate code", GOOD + GOOD[GOOD.index("      - code: AE4HR"):], 18,
     "metric 'AE4HR' appears twice (first on line 10)"),
    ("impossible date", GOOD.replace("2021-04-01", "2021-13-01"), 4,
     "'year_start' must be a date (YYYY-MM-DD)"),
    ("date as text", GOOD.replace("2021-04-01", "April 2021"), 4,
     "'year_start' must be a date (YYYY-MM-DD)"),
    ("bad YAML", GOOD.replace("[acute]", "[acute"), 15, "not valid YAML"),
    ("unknown metric field", GOOD.replace("        standard: 95\n",
                                          "        standard: 95\n        target: 90\n"), 17,
     "unknown field 'target'"),
    ("unknown theme field", GOOD.replace("    name: Quality\n",
                                         "    name: Quality\n    locale: true\n"), 9,
     "unknown field 'locale'"),
    ("folder and code differ", GOOD.replace("code: test-year", "code: other-year"), 2,
     "framework code 'other-year' must match its folder 'test-year'"),
    ("unknown organisation kind", GOOD.replace("[acute]", "[hospital]"), 14,
     "'org_kinds' must be a non-empty list"),
    ("range reversed", GOOD.replace("[0, 100]", "[100, 0]"), 17, "'valid_range' min exceeds max"),
    ("standard out of range", GOOD.replace("standard: 95", "standard: 195"), 16,
     "'standard' 195 lies outside 'valid_range'"),
    ("scored not boolean", GOOD.replace("        standard: 95\n",
                                        "        standard: 95\n        scored: maybe\n"), 17,
     "'scored' must be true or false"),
    ("code too long", GOOD.replace("code: AE4HR", "code: " + "X" * 31), 10,
     "'code' is 31 characters, at most 30 allowed"),
    ("no themes", GOOD[: GOOD.index("themes:")] + "themes: []\n", 6,
     "'themes' must list at least one theme"),
    ("unknown method", GOOD.replace("method: criteria", "method: vibes"), 5,
     "'method' is 'vibes', expected one of criteria, scored"),
]


@pytest.mark.parametrize(("text", "line", "reason"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_catalogue_fails_with_file_line_and_reason(
    tmp_path: Path, text: str, line: int, reason: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(CatalogueError) as caught:
        read_catalogue(path)
    error = caught.value
    assert error.path == path
    assert error.line == line, str(error)
    assert reason in error.reason
    assert str(error).startswith(f"{path}:{line}: ")


def test_empty_file_fails_without_a_line(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    with pytest.raises(CatalogueError) as caught:
        read_catalogue(path)
    assert (caught.value.path, caught.value.line, caught.value.reason) == (
        path, None, "the file is empty"
    )
