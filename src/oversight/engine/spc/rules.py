"""Special-cause rules of Making Data Count, one small vectorised function per rule.

Every function works on a flat array holding many segments (a segment is one series, or one
rebase group of a series) laid end to end; ``start`` is a boolean array that is ``True`` at the
first point of each segment. No rule ever looks across a segment boundary, so one call handles
thousands of series at once. With ``start = [True, False, ...]`` they are the one-series rules of
NHSRplotthedots (``ptd_seven_point_one_side_mean``, ``ptd_part_of_seven_trend``,
``ptd_seven_point_trend``, ``ptd_two_in_three``, ``ptd_part_of_two_in_three``,
``ptd_special_cause_type``), generalised to any run and trend length.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

#: Codes of ``special_cause_type`` (the reason a point is special), in the reference's wording.
COMMON_CAUSE = 0
ABOVE_UCL = 1
BELOW_LCL = 2
TREND_INCREASING = 3
TREND_DECREASING = 4
TWO_IN_THREE_ABOVE = 5
TWO_IN_THREE_BELOW = 6
RUN_ABOVE = 7
RUN_BELOW = 8


def special_cause_labels(run_length: int = 7, trend_length: int = 7) -> tuple[str, ...]:
    """Labels of the ``special_cause_type`` codes (index = code), as NHSRplotthedots prints them."""
    return (
        "Common Cause",
        "Above UCL",
        "Below LCL",
        f"{trend_length} Point Trend (Increasing)",
        f"{trend_length} Point Trend (Decreasing)",
        "2 in 3 Above CL",
        "2 in 3 Below CL",
        f"{run_length} Points Above CL",
        f"{run_length} Points Below CL",
    )


def _as_start(start: NDArray[np.bool_] | None, n: int) -> NDArray[np.bool_]:
    if start is None:
        start = np.zeros(n, dtype=bool)
        if n:
            start[0] = True
    start = np.asarray(start, dtype=bool)
    if n and not start[0]:
        start = start.copy()
        start[0] = True
    return start


def segment_end_index(start: NDArray[np.bool_]) -> NDArray[np.intp]:
    """Index of the last point of each point's segment."""
    n = start.size
    starts = np.flatnonzero(start)
    ends = np.empty(starts.size, dtype=np.intp)
    ends[:-1] = starts[1:] - 1
    if starts.size:
        ends[-1] = n - 1
    return ends[np.cumsum(start) - 1]


def equal_run_length(v: NDArray, start: NDArray[np.bool_]) -> NDArray[np.intp]:
    """Length of the run of equal values of ``v`` that ends at each point (within segments)."""
    n = v.size
    idx = np.arange(n)
    brk = start.copy()
    brk[1:] |= v[1:] != v[:-1]
    run_start = np.maximum.accumulate(np.where(brk, idx, 0))
    return idx - run_start + 1


def run_end(
    relative_to_mean: NDArray, start: NDArray[np.bool_] | None = None, length: int = 7
) -> NDArray[np.bool_]:
    """``True`` at a point that ends ``length`` consecutive points on the same side of the mean.

    A point on the mean (``relative_to_mean == 0``) is on neither side and breaks a run. The flag is
    set on the ``length``-th point of a run and on every later point of it.
    """
    rtm = np.asarray(relative_to_mean)
    start = _as_start(start, rtm.size)
    return (equal_run_length(rtm, start) >= length) & (rtm != 0)


def part_of(
    flags: NDArray, start: NDArray[np.bool_] | None = None, length: int = 7
) -> NDArray[np.bool_]:
    """``True`` at a point if it or one of the next ``length - 1`` points (same segment) is flagged.

    Turns the end-of-run (or end-of-trend) flags into "this point belongs to a run".
    """
    f = np.asarray(flags) != 0
    n = f.size
    start = _as_start(start, n)
    idx = np.arange(n)
    nxt = np.minimum.accumulate(np.where(f, idx, n)[::-1])[::-1]
    return nxt <= np.minimum(idx + (length - 1), segment_end_index(start))


def step_signs(y: NDArray[np.float64], start: NDArray[np.bool_]) -> NDArray[np.int8]:
    """``sign(y[i] - y[i-1])`` within segments, 0 at the first point of a segment.

    Two comparisons on booleans rather than a float difference: no 8-byte temporaries.
    """
    d = np.zeros(y.size, dtype=np.int8)
    if y.size > 1:
        np.subtract(
            np.greater(y[1:], y[:-1]).view(np.int8), np.less(y[1:], y[:-1]).view(np.int8),
            out=d[1:],
        )
    d[start] = 0
    return d


def trend_end(
    y: NDArray, start: NDArray[np.bool_] | None = None, length: int = 7
) -> NDArray[np.int8]:
    """+1 (-1) at a point that ends ``length`` strictly increasing (decreasing) points, else 0.

    Equal consecutive values break a trend; a segment shorter than ``length`` has no trend.
    """
    y = np.asarray(y, dtype=np.float64)
    start = _as_start(start, y.size)
    d = step_signs(y, start)
    run = equal_run_length(d, start)
    return np.where((run >= length - 1) & (d != 0), d, 0).astype(np.int8)


def two_in_three(
    close_to_limits: NDArray, relative_to_mean: NDArray, start: NDArray[np.bool_] | None = None
) -> NDArray[np.bool_]:
    """``True`` at a point inside some window of 3 consecutive points (same segment) in which at
    least 2 are close to the limits and all 3 are on the same side of the mean."""
    close = np.asarray(close_to_limits, dtype=bool)  # no copy when already boolean
    rtm = np.asarray(relative_to_mean).astype(np.int8, copy=False)
    n = close.size
    start = _as_start(start, n)
    out = np.zeros(n, dtype=bool)
    if n < 3:
        return out
    c = close.view(np.int8)
    hits = (c[:-2] + c[1:-1] + c[2:]) >= 2
    hits &= np.abs(rtm[:-2] + rtm[1:-1] + rtm[2:]) == 3
    hits &= ~(start[1:-1] | start[2:])
    out[:-2] |= hits
    out[1:-1] |= hits
    out[2:] |= hits
    return out


def part_of_two_in_three(window_flag: NDArray, close_to_limits: NDArray) -> NDArray[np.bool_]:
    """Only the points of a 2-of-3 window that are themselves close to the limits are special."""
    return (np.asarray(window_flag) != 0) & (np.asarray(close_to_limits) != 0)


def _all_of_window(ok: NDArray[np.bool_], k: int) -> NDArray[np.bool_]:
    """``w[i] = all(ok[i:i + k])``, ``False`` where the window runs past the end.

    Window doubling on booleans: about log2(k) passes, no index arrays.
    """
    w = ok.copy()
    span = 1
    while span < k:
        step = min(span, k - span)
        w[:-step] &= w[step:]
        w[-step:] = False
        span += step
    return w


def _any_of_window_before(w: NDArray[np.bool_], k: int) -> NDArray[np.bool_]:
    """``c[j] = any(w[j - k + 1:j + 1])``: point ``j`` is covered by a window starting there."""
    c = w.copy()
    span = 1
    while span < k:
        step = min(span, k - span)
        c[step:] |= c[:-step]
        span += step
    return c


def _in_equal_block(v: NDArray, start: NDArray[np.bool_], length: int) -> NDArray[np.bool_]:
    """``True`` at points inside a block of ``length`` or more equal consecutive values of ``v``
    that does not cross a segment start."""
    n = v.size
    if length <= 1 or n == 0:
        return np.ones(n, dtype=bool)
    # same[i]: points i and i + 1 are equal and in one segment
    same = np.equal(v[1:], v[:-1])
    same &= ~start[1:]
    first = np.zeros(n, dtype=bool)  # first[i]: points i .. i + length - 1 are one block
    first[:-1] = _all_of_window(same, length - 1)
    return _any_of_window_before(first, length)


def in_run(
    relative_to_mean: NDArray, start: NDArray[np.bool_] | None = None, length: int = 7
) -> NDArray[np.bool_]:
    """Points belonging to a run of ``length`` or more on one side of the mean.

    Same as ``part_of(run_end(...))`` (the reference's composition), without per-point run
    lengths: a point is in a run when a block of ``length`` equal ``relative_to_mean`` values
    covers it and it is off the mean.
    """
    rtm = np.asarray(relative_to_mean)
    start = _as_start(start, rtm.size)
    out = _in_equal_block(rtm, start, length)
    out &= rtm != 0
    return out


def in_trend(
    y: NDArray,
    start: NDArray[np.bool_] | None = None,
    length: int = 7,
    *,
    steps: NDArray | None = None,
) -> NDArray[np.bool_]:
    """Points belonging to a trend of ``length`` or more strictly increasing or decreasing points.

    Same as ``part_of(trend_end(...))``: a block of ``m >= length - 1`` equal non-zero steps
    covers its ``m`` points and the point before them.
    """
    y = np.asarray(y, dtype=np.float64)
    start = _as_start(start, y.size)
    if y.size == 0:
        return np.zeros(0, dtype=bool)
    d = step_signs(y, start) if steps is None else steps
    ok = _in_equal_block(d, start, length - 1)
    ok &= d != 0
    ok[:-1] |= ok[1:]
    return ok


def special_cause_type(
    y: NDArray,
    relative_to_mean: NDArray,
    close_to_limits: NDArray,
    outside_limits: NDArray,
    start: NDArray[np.bool_] | None = None,
    *,
    run_length: int = 7,
    trend_length: int = 7,
) -> NDArray[np.int8]:
    """Why each point is special (a code of :func:`special_cause_labels`), with the reference's
    precedence: outside the limits, then trend, then 2 of 3 close to the limits, then run."""
    y = np.asarray(y, dtype=np.float64)
    rtm = np.asarray(relative_to_mean).astype(np.int8, copy=False)
    close = np.asarray(close_to_limits, dtype=bool)  # no copy when already boolean
    outside = np.asarray(outside_limits, dtype=bool)  # no copy when already boolean
    start = _as_start(start, y.size)

    steps = step_signs(y, start)
    trend = in_trend(y, start, trend_length, steps=steps)
    two3 = part_of_two_in_three(two_in_three(close, rtm, start), close)
    run = in_run(rtm, start, run_length)
    return combine(y, rtm, outside, trend, two3, run, start, steps=steps)


def combine(
    y: NDArray,
    relative_to_mean: NDArray,
    outside_limits: NDArray,
    in_trend: NDArray,
    in_two_in_three: NDArray,
    in_run: NDArray,
    start: NDArray[np.bool_] | None = None,
    *,
    steps: NDArray | None = None,
) -> NDArray[np.int8]:
    """Merge the per-rule "part of" flags into ``special_cause_type`` codes, by precedence:
    outside the limits, trend, 2 of 3, run. A trend point takes its direction from the step to
    its right when the next point is in the trend too, else from the step on its left."""
    y = np.asarray(y, dtype=np.float64)
    rtm = np.asarray(relative_to_mean).astype(np.int8, copy=False)
    outside = np.asarray(outside_limits, dtype=bool)  # no copy when already boolean
    trend = np.asarray(in_trend, dtype=bool)  # no copy when already boolean
    two3 = np.asarray(in_two_in_three, dtype=bool)  # no copy when already boolean
    run = np.asarray(in_run, dtype=bool)  # no copy when already boolean
    n = y.size
    start = _as_start(start, n)

    left = step_signs(y, start) if steps is None else steps
    # a trend point's direction: the right-hand step where the next point is in the same trend,
    # else the left-hand one
    sign = left.copy()
    use_right = trend[1:] & ~start[1:]
    np.copyto(sign[:-1], left[1:], where=use_right)

    below = (rtm <= 0).view(np.int8)  # the reference labels "Below" unless above the mean
    out = np.empty(n, dtype=np.int8)
    np.multiply(run.view(np.int8), RUN_ABOVE + below, out=out)
    np.copyto(out, TWO_IN_THREE_ABOVE + below, where=two3)
    np.copyto(out, TREND_DECREASING - (sign == 1).view(np.int8), where=trend)
    np.copyto(out, BELOW_LCL - (rtm == 1).view(np.int8), where=outside)
    return out


#: Sign (+1 high, -1 low) of each ``special_cause_type`` code.
SPECIAL_CAUSE_SIGN = np.array([0, 1, -1, 1, -1, 1, -1, 1, -1], dtype=np.int8)
