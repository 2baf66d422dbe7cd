"""The SPC chart's Making Data Count icons: every variation and assurance icon, drawn as the
method draws it (ring colour, letter, direction of the dots, the target line)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from oversight.engine.spc import ASSURANCES, VARIATIONS, render_svg
from oversight.engine.spc.icons import ASSURANCE_STYLE, VARIATION_STYLE

SVG = "{http://www.w3.org/2000/svg}"
GREY, BLUE, ORANGE, PURPLE, RED = "#a6a6a6", "#00b0f0", "#e46c0a", "#490092", "#de1b1b"

#: Making Data Count: grey common cause, blue improvement, orange concern, purple neutral
#: (NHSRplotthedots' ptd_spc_colours); H / L for high / low values.
VARIATION_LOOK = {
    "common_cause": (GREY, None, 0),
    "improvement_high": (BLUE, "H", 1),
    "improvement_low": (BLUE, "L", -1),
    "concern_high": (ORANGE, "H", 1),
    "concern_low": (ORANGE, "L", -1),
    "neutral_high": (PURPLE, "H", 1),
    "neutral_low": (PURPLE, "L", -1),
}
#: P consistently passes (blue), F consistently fails (orange), ? hit and miss (grey).
ASSURANCE_LOOK = {
    "consistent_pass": (BLUE, "P"),
    "consistent_fail": (ORANGE, "F"),
    "inconsistent": (GREY, "?"),
}


def test_every_engine_icon_has_a_drawing() -> None:
    assert tuple(VARIATION_STYLE) == VARIATIONS
    assert tuple(ASSURANCE_STYLE) == ASSURANCES


def chart(variation: str | None, assurance: str | None, target: float | None = 4.0) -> ET.Element:
    values = [3.0, 5.0, 4.0, 6.0, 5.0]
    svg = render_svg(
        ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01"],
        values,
        [4.6] * 5,
        [1.0] * 5,
        [8.2] * 5,
        [0] * 5,
        title="t",
        target=target,
        variation=variation,
        assurance=assurance,
    )
    return ET.fromstring(svg)


def icon(root: ET.Element, kind: str) -> ET.Element:
    (group,) = [g for g in root.iter(f"{SVG}g") if g.get("class") == f"spc-icon spc-icon-{kind}"]
    assert group.get("role") == "img" and group.find(f"{SVG}title").text.startswith(
        kind.capitalize() + ": "
    )
    return group


@pytest.mark.parametrize("name", VARIATIONS)
def test_variation_icon(name: str) -> None:
    colour, letter, slope = VARIATION_LOOK[name]
    group = icon(chart(name, None), "variation")
    assert group.get("data-icon") == name
    drawing = group.find(f"{SVG}svg")
    ring, *dots = drawing.findall(f"{SVG}circle")
    assert ring.get("stroke") == colour
    assert [t.text for t in drawing.findall(f"{SVG}text")] == ([letter] if letter else [])
    heights = [float(d.get("cy")) for d in dots]
    if slope:  # SVG y grows downwards
        assert heights == sorted(heights, reverse=slope > 0)
        assert [d.get("fill") for d in dots] == [GREY, GREY, GREY, colour, colour]
    else:
        assert {d.get("fill") for d in dots} == {GREY}
        assert max(heights) - min(heights) < 5  # flat


@pytest.mark.parametrize("name", ASSURANCES)
def test_assurance_icon_and_target_line(name: str) -> None:
    colour, letter = ASSURANCE_LOOK[name]
    root = chart("common_cause", name)
    group = icon(root, "assurance")
    assert group.get("data-icon") == name
    drawing = group.find(f"{SVG}svg")
    assert drawing.find(f"{SVG}circle").get("stroke") == colour
    assert [t.text for t in drawing.findall(f"{SVG}text")] == [letter]
    assert drawing.find(f"{SVG}line").get("stroke") == RED
    (target,) = [e for e in root.iter(f"{SVG}line") if e.get("class") == "spc-target"]
    assert target.get("stroke") == RED and target.find(f"{SVG}title").text == "target 4"


def test_no_icons_and_no_target() -> None:
    root = chart(None, None, target=None)
    assert not [g for g in root.iter(f"{SVG}g") if g.get("data-icon")]
    assert not [e for e in root.iter(f"{SVG}line") if e.get("class") == "spc-target"]


def test_axes_read_in_the_unit_and_months_and_a_gap_is_a_gap() -> None:
    dates = ["2019-01-01", "2019-02-01", "2019-03-01", "2022-04-01", "2022-05-01", "2022-06-01"]
    root = ET.fromstring(
        render_svg(dates, [87.0725, 98.595, 90.0, 91.0, 92.0, 93.0], [92.0] * 6, [80.0] * 6,
                   [100.0] * 6, [0] * 6, title="t", unit="%")
    )
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "spc-tick"]
    assert ticks == ["80%", "85%", "90%", "95%", "100%"]
    months = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "spc-month"]
    assert months[0] == "Jan 2019" and "Apr 2022" in months
    # March 2019 to April 2022 is not joined: two value lines, the limits drawn twice.
    assert len(list(root.iter(f"{SVG}polyline"))) == 2
    means = [e for e in root.iter(f"{SVG}line") if e.find(f"{SVG}title") is not None
             and e.find(f"{SVG}title").text.startswith("mean")]
    assert len(means) == 2 and means[0].find(f"{SVG}title").text == "mean 92.0%"


def test_daily_points_are_named_by_day() -> None:
    dates = [f"2021-02-{d:02d}" for d in range(1, 21)]
    root = ET.fromstring(
        render_svg(dates, [5.0 + (d % 3) for d in range(20)], [6.0] * 20, [3.0] * 20,
                   [9.0] * 20, [0] * 20, title="t")
    )
    assert root.find(f"{SVG}desc").text.startswith("XmR chart of 20 points from 1 Feb 2021 to "
                                                   "20 Feb 2021")
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "spc-month"]
    assert labels[0] == "1 Feb 2021" and len(labels) > 2
