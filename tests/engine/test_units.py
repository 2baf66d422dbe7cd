"""Values and axis ticks in the metric's unit: what a reader sees on pages and charts."""

import pytest

from oversight.engine.units import format_value, nice_ticks, tick_label


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (87.0725, 98.595, [85, 90, 95, 100]),
        (0, 2.2875, [0, 1, 2, 3]),
        (-3.2, 1.5, [-4, -2, 0, 2]),
        (0.5, 0.55, [0.5, 0.52, 0.54, 0.56]),
        (0, 10, [0, 2.5, 5, 7.5, 10]),
    ],
)
def test_nice_ticks_cover_the_range_in_round_steps(low, high, ticks) -> None:
    assert nice_ticks(low, high) == pytest.approx(ticks)


def test_nice_ticks_of_a_flat_series_still_span_it() -> None:
    ticks = nice_ticks(5, 5)
    assert ticks[0] < 5 < ticks[-1]


@pytest.mark.parametrize(
    ("value", "step", "unit", "label"),
    [
        (95, 5, "%", "95%"),
        (7.5, 2.5, "%", "7.5%"),
        (-2, 2, "£m", "-£2m"),
        (12500, 2500, "count", "12,500"),
        (36, 2, "minutes", "36 min"),
        (0.52, 0.02, "ratio", "0.52"),
    ],
)
def test_tick_labels_in_the_unit(value, step, unit, label) -> None:
    assert tick_label(value, step, unit) == label


def test_format_value_never_shows_scientific_notation() -> None:
    assert format_value(11090.0, "count") == "11,090"
    assert format_value(98.595, "%") == "98.6%"
    assert format_value(-1.25, "£m") == "-£1.2m"
