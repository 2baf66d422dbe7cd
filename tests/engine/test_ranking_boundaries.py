"""A value exactly on a quartile cut point: pinned, so flipping > and >= fails a test.

Five values 1..5: QUARTILE.INC (NHS England's linear interpolation) gives lower quartile 2,
median 3, upper quartile 4, each equal to one of the values. A value on a cut point takes the
better side (NHS England's quartile 1 is "at or better than the upper quartile"): by hand, higher
is better 5 and 4 are quartile 1, 3 quartile 2, 2 quartile 3, 1 quartile 4; lower is better the
mirror.
"""

from __future__ import annotations

import numpy as np
import pytest

from oversight.engine import ranking

VALUES = np.array([1.0, 2.0, 3.0, 4.0, 5.0])


@pytest.mark.parametrize(("higher", "expected"), [
    (True, [4, 3, 2, 1, 1]),
    (False, [1, 1, 2, 3, 4]),
])
def test_a_value_on_a_cut_point_takes_the_better_quartile(higher, expected):
    result = ranking.rank_arrays(np.zeros(5, dtype=np.int64), VALUES, np.array([higher] * 5))
    assert (result.lower_quartile[0], result.median[0], result.upper_quartile[0]) == (2, 3, 4)
    assert result.quartile.tolist() == expected


def test_just_off_a_cut_point_falls_on_its_side():
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 3.999999, 4.000001])
    # the cut points move with the two extra values; recompute them by hand from the sorted
    # seven values (1, 2, 3, 3.999999, 4, 4.000001, 5): QUARTILE.INC positions 1.5, 3, 4.5
    result = ranking.rank_arrays(np.zeros(7, dtype=np.int64), values, np.array([True] * 7))
    assert result.upper_quartile[0] == pytest.approx(4.0000005)
    assert result.median[0] == pytest.approx(3.999999)
    quartile = dict(zip(values.tolist(), result.quartile.tolist(), strict=True))
    assert quartile[4.000001] == 1 and quartile[4.0] == 2  # either side of the upper quartile
    assert quartile[3.999999] == 2  # on the median: the better side
