"""SVG icons and sparklines: accessible names, one symbol per icon, escaping."""

import pytest

from oversight.engine.spc import ASSURANCES, VARIATIONS
from oversight.metrics import charts


def test_sprite_has_a_symbol_for_every_engine_icon():
    sprite = str(charts.icon_sprite())
    for name in VARIATIONS:
        assert f'id="mdc-v-{name}"' in sprite
    for name in ASSURANCES:
        assert f'id="mdc-a-{name}"' in sprite
    assert 'aria-hidden="true"' in sprite


def test_icons_are_images_with_a_text_equivalent():
    icon = str(charts.variation_icon("concern_low", "Variation: <concern>", 24))
    assert 'role="img"' in icon and 'aria-label="Variation: &lt;concern&gt;"' in icon
    assert "<title>Variation: &lt;concern&gt;</title>" in icon
    assert 'href="#mdc-v-concern_low"' in icon
    assert 'href="#mdc-a-none"' in str(charts.assurance_icon(None, "No target"))
    with pytest.raises(KeyError):
        charts.variation_icon("bogus", "x")


def test_sparkline_marks_the_last_point_and_handles_flat_and_empty_series():
    line = str(charts.sparkline([1.0, 2.0, 3.0], "Trend"))
    assert line.count("<circle") == 1 and 'aria-label="Trend"' in line
    assert "<polyline" in str(charts.sparkline([5.0, 5.0], "Flat"))
    assert str(charts.sparkline([], "None")) == ""


def test_ranking_chart_highlights_the_organisation():
    svg = str(charts.ranking_chart(
        [(1, 10.0), (2, 30.0), (3, 20.0)], highlight=3, unit="%", higher_is_better=True,
        lower_quartile=15.0, median=20.0, upper_quartile=25.0, title="Metric"))
    assert svg.count('class="ranking-this"') == 1
    assert "3 peers ranked best to worst" in svg
