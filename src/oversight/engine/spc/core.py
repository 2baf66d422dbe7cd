"""Vectorised XmR (Making Data Count) calculation for many series at once.

All series are laid end to end in one sorted flat array (series, then date); per-segment
statistics (a segment is a series, or a rebase group within it) use ``np.add.reduceat`` over the
segment starts and the rules in :mod:`oversight.engine.spc.rules` work on the flat arrays. There is
no Python loop over series or points.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from oversight.engine.spc import rules

#: Process limits are mean +/- LIMIT x mean moving range (3 sigma for an XmR chart).
LIMIT = 2.66
#: The "close to limits" lines at 2 sigma.
LIMIT_CLOSE = 2 * (LIMIT / 3)
#: Moving ranges at or above this multiple of their mean are screened out.
MR_SCREEN = 3.267
#: Groups shorter than this get trial limits and a warning (as the reference).
SHORT_GROUP_THRESHOLD = 12
SHORT_GROUP_WARNING = (
    "Some groups have 'n < 12' observations. These have trial limits, which will be revised "
    "with each additional observation until 'n = fix_after_n_points' has been reached."
)

DIRECTIONS: dict[str, int] = {"increase": 1, "neutral": 0, "decrease": -1}

#: ``point_type`` codes (index = code).
POINT_TYPES: tuple[str, ...] = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)
COMMON, IMPROVEMENT, CONCERN, NEUTRAL_HIGH, NEUTRAL_LOW = range(5)

_POINT_FIELDS = (
    "date",
    "value",
    "rebase_group",
    "mean",
    "lpl",
    "upl",
    "nlpl",
    "nupl",
    "outside_limits",
    "relative_to_mean",
    "close_to_limits",
    "special_cause_type",
    "point_type",
    "short_group_warning",
)


class SpcInputError(ValueError):
    """Bad input; ``row`` is the 0-based index of the offending input row (or ``None``)."""

    def __init__(self, reason: str, row: int | None = None) -> None:
        super().__init__(reason if row is None else f"row {row}: {reason}")
        self.reason = reason
        self.row = row


#: Per-point fields that are constant within a segment (series or rebase group): stored once per
#: segment and spread to the points only when read.
_SEGMENT_FIELDS = ("mean", "lpl", "upl", "nlpl", "nupl")


@dataclass(frozen=True, eq=False)
class SpcResult:
    """Per-point output of :func:`compute`, sorted by series then date.

    Every per-point array has one entry per point. ``series`` holds codes into ``series_labels``;
    ``order[i]`` is the row of the input that point ``i`` came from. Floats are NaN where the
    reference gives NA (e.g. the limits of a rebase group of one point, or of a series whose moving
    ranges are all screened out); the boolean flags are then ``False``.

    Mean and limits are constant within a segment (a series, or a rebase group of it), so they are
    kept per segment (``segment_mean``, ``segment_lpl``, ...; segment ``k`` covers points
    ``segment_offsets[k]`` to ``segment_offsets[k + 1] - 1``); the per-point ``mean``, ``lpl``,
    ``upl``, ``nlpl`` and ``nupl`` arrays are built from them on first access.
    """

    series: NDArray[np.intp]
    series_labels: NDArray[Any]
    date: NDArray[np.datetime64]
    value: NDArray[np.float64]
    #: Permutation that sorted the input, ``None`` when it came sorted (``order`` is then 0..n-1).
    sort_order: NDArray[np.intp] | None
    rebase_group: NDArray[np.int64]
    segment_offsets: NDArray[np.intp]
    segment_mean: NDArray[np.float64]
    segment_lpl: NDArray[np.float64]
    segment_upl: NDArray[np.float64]
    segment_nlpl: NDArray[np.float64]
    segment_nupl: NDArray[np.float64]
    outside_limits: NDArray[np.bool_]
    relative_to_mean: NDArray[np.int8]
    close_to_limits: NDArray[np.bool_]
    special_cause_type: NDArray[np.int8]
    point_type: NDArray[np.int8]
    short_group_warning: NDArray[np.bool_]
    #: Per series: improvement direction (+1 increase, 0 neutral, -1 decrease), target (NaN: none).
    direction: NDArray[np.int8]
    target: NDArray[np.float64]
    #: Index of the first point of each series (length = number of series + 1).
    series_offsets: NDArray[np.intp]
    run_length: int = 7
    trend_length: int = 7
    warnings: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return int(self.value.size)

    @cached_property
    def order(self) -> NDArray[np.intp]:
        """Row of the input each point came from."""
        return np.arange(self.value.size) if self.sort_order is None else self.sort_order

    def _per_point(self, name: str, a: int = 0, b: int | None = None) -> NDArray[np.float64]:
        """Segment figure ``name`` spread over segments ``a`` to ``b`` (all by default)."""
        values = getattr(self, f"segment_{name}")[a:b]
        return np.repeat(values, np.diff(self.segment_offsets[a : None if b is None else b + 1]))

    @cached_property
    def mean(self) -> NDArray[np.float64]:
        """Process mean of each point's segment."""
        return self._per_point("mean")

    @cached_property
    def lpl(self) -> NDArray[np.float64]:
        """Lower process limit (mean - 2.66 x mean moving range)."""
        return self._per_point("lpl")

    @cached_property
    def upl(self) -> NDArray[np.float64]:
        """Upper process limit (mean + 2.66 x mean moving range)."""
        return self._per_point("upl")

    @cached_property
    def nlpl(self) -> NDArray[np.float64]:
        """Lower 2-sigma line ("close to limits")."""
        return self._per_point("nlpl")

    @cached_property
    def nupl(self) -> NDArray[np.float64]:
        """Upper 2-sigma line ("close to limits")."""
        return self._per_point("nupl")

    def last_segment(self) -> NDArray[np.intp]:
        """Index of each series' last segment (its latest rebase group)."""
        return np.searchsorted(self.segment_offsets, self.series_offsets[1:], side="left") - 1

    @property
    def special_cause_flag(self) -> NDArray[np.bool_]:
        """``True`` where the point is special cause variation."""
        return self.special_cause_type != rules.COMMON_CAUSE

    @property
    def point_type_names(self) -> NDArray[np.str_]:
        """``point_type`` as strings."""
        return np.asarray(POINT_TYPES)[self.point_type]

    @property
    def special_cause_type_names(self) -> NDArray[np.str_]:
        """``special_cause_type`` as the reference's labels (e.g. ``"7 Points Above CL"``)."""
        labels = rules.special_cause_labels(self.run_length, self.trend_length)
        return np.asarray(labels)[self.special_cause_type]

    @property
    def series_names(self) -> NDArray[Any]:
        """The series label of every point."""
        return self.series_labels[self.series]

    def take_series(self, label: Any) -> dict[str, NDArray[Any]]:
        """The per-point arrays of one series as a dict (slices, no copy, except mean and limits,
        which are spread from that series' segments)."""
        hits = np.flatnonzero(self.series_labels == label)
        if hits.size == 0:
            raise KeyError(label)
        a, b = self.series_offsets[hits[0]], self.series_offsets[hits[0] + 1]
        sa, sb = np.searchsorted(self.segment_offsets, [a, b])
        return {
            k: self._per_point(k, sa, sb) if k in _SEGMENT_FIELDS else getattr(self, k)[a:b]
            for k in _POINT_FIELDS
        }


class _Segments:
    """Segments (series or rebase groups) laid end to end, and per-segment figures compared with
    or spread over their points. Equal-length segments (the usual monthly table) are a
    (segments x length) view; others use a per-point segment index."""

    def __init__(self, starts: NDArray[np.intp], n: int, index: NDArray[np.intp] | None) -> None:
        self.starts = starts
        self.lengths = np.diff(np.append(starts, n))
        self.n = n
        width = int(self.lengths[0]) if starts.size else 0
        self.width = width if width and bool(np.all(self.lengths == width)) else 0
        self._index = index
        self._scratch: NDArray[np.float64] | None = None

    @property
    def index(self) -> NDArray[np.intp]:
        """Segment of every point."""
        if self._index is None:
            self._index = np.repeat(np.arange(self.starts.size), self.lengths)
        return self._index

    def spread(self, values: NDArray[np.float64], out: NDArray[np.float64]) -> NDArray[np.float64]:
        """Each point's segment figure, written into ``out``."""
        if self.width:
            out.reshape(-1, self.width)[...] = values[:, None]
        else:
            np.take(values, self.index, out=out)
        return out

    def compare(
        self, op: np.ufunc, x: NDArray[np.float64], values: NDArray[np.float64]
    ) -> NDArray[np.bool_]:
        """``op(x, segment figure)`` per point, e.g. ``np.greater`` for "above its limit"."""
        if self.width:
            return op(x.reshape(-1, self.width), values[:, None]).reshape(-1)
        if self._scratch is None:
            self._scratch = np.empty(self.n)
        return op(x, self.spread(values, self._scratch))


def _segment_mean(
    x: NDArray[np.float64],
    keep: NDArray[np.bool_] | None,
    segments: _Segments,
    count: NDArray[np.float64] | None,
    scratch: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Mean of ``x[keep]`` per segment, two-pass like R's ``mean()`` (sum, then a correction
    term), NaN for a segment with nothing kept.

    ``keep=None`` keeps every point; ``count`` (points kept per segment) saves a pass when known.
    ``scratch`` is a float buffer of ``x``'s size, reused between calls.
    """
    starts = segments.starts
    if count is None:
        count = (
            segments.lengths.astype(np.float64)
            if keep is None
            else np.add.reduceat(keep, starts, dtype=float)
        )
    if keep is None:
        xs = x
    else:
        xs = scratch
        xs.fill(0.0)
        np.copyto(xs, x, where=keep)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.add.reduceat(xs, starts) / count
        dev = np.subtract(x, segments.spread(m, scratch), out=scratch)
        if keep is not None:
            np.copyto(dev, 0.0, where=~keep)
        return m + np.add.reduceat(dev, starts) / count


def _as_dates(dates: ArrayLike) -> NDArray[np.datetime64]:
    d = np.asarray(dates)
    if d.dtype.kind == "M":
        return d.astype("datetime64[D]", copy=False)
    return np.asarray(d, dtype="datetime64[D]")


def _per_series(
    spec: Any, labels: NDArray[Any], default: float, convert: Any, what: str
) -> NDArray[Any]:
    """Broadcast a scalar, or look up a mapping ``{series label: value}``, for every series."""
    if isinstance(spec, Mapping):
        out = [spec.get(_plain(lab), default) for lab in labels]
        return np.asarray([convert(v, what) for v in out])
    return np.full(labels.size, convert(spec, what))


def _plain(label: Any) -> Any:
    return label.item() if isinstance(label, np.generic) else label


def _direction_code(v: Any, what: str) -> int:
    if isinstance(v, str) and v in DIRECTIONS:
        return DIRECTIONS[v]
    if v in (1, 0, -1) and not isinstance(v, bool):
        return int(v)
    raise ValueError(f"{what} must be one of increase, decrease, neutral (got {v!r})")


def _target_value(v: Any, what: str) -> float:
    if v is None:
        return float("nan")
    return float(v)


def _sort_series(
    s: NDArray[Any], d: NDArray[np.datetime64]
) -> tuple[NDArray[np.intp], NDArray[Any], NDArray[np.intp] | None]:
    """Codes (into sorted unique labels) and the permutation sorting points by series then date
    (``None`` when the input is sorted already).

    Input already grouped by series and sorted by date (the usual case) costs O(n) and a sort of
    the series labels only; otherwise a full ``lexsort``.
    """
    n = s.size
    if n == 0:
        return np.zeros(0, np.intp), s[:0], None
    change = np.empty(n, dtype=bool)
    change[0] = True
    np.not_equal(s[1:], s[:-1], out=change[1:])
    starts = np.flatnonzero(change)
    run_labels = s[starts]
    label_order = np.argsort(run_labels, kind="stable")
    sorted_labels = run_labels[label_order]
    grouped = sorted_labels.size < 2 or bool(np.all(sorted_labels[1:] != sorted_labels[:-1]))
    if grouped:
        later = np.greater(d[1:], d[:-1])
        later |= change[1:]
        grouped = bool(later.all())
    if grouped:
        lengths = np.diff(np.append(starts, n))
        order: NDArray[np.intp] | None = None
        if not np.all(label_order[1:] > label_order[:-1]):
            new_len = lengths[label_order]
            offs = np.repeat(starts[label_order] - np.cumsum(new_len) + new_len, new_len)
            order = offs + np.arange(n)
        codes = np.repeat(np.arange(sorted_labels.size), lengths[label_order])
        return codes, sorted_labels, None if order is None else order
    labels, codes = np.unique(s, return_inverse=True)
    codes = codes.reshape(-1)
    order = np.lexsort((d, codes))
    codes = codes[order]
    dup = np.flatnonzero((codes[1:] == codes[:-1]) & (d[order][1:] == d[order][:-1]))
    if dup.size:
        row = int(order[dup[0] + 1])
        raise SpcInputError(f"duplicate series/date {_plain(s[row])!r} {d[row]}", row)
    return codes, labels, order


def compute(
    series_ids: ArrayLike,
    dates: ArrayLike,
    values: ArrayLike,
    *,
    direction: str | Mapping[Any, str] = "increase",
    target: float | Mapping[Any, float | None] | None = None,
    rebase: Sequence[Any] | ArrayLike | Mapping[Any, Sequence[Any]] | None = None,
    fix_after_n_points: int | None = None,
    screen_outliers: bool = True,
    run_length: int = 7,
    trend_length: int = 7,
) -> SpcResult:
    """Making Data Count XmR chart of every series in a long table, as NHSRplotthedots 0.2.2.

    Parameters
    ----------
    series_ids, dates, values:
        Three equal-length columns: series label (any sortable scalar), date (``datetime64``,
        ``datetime.date`` or ISO strings; compared at day resolution) and value. Rows may come in
        any order; a series/date pair may occur only once and values must be finite.
    direction:
        Improvement direction, ``"increase"``, ``"decrease"`` or ``"neutral"``, for every series or
        as a mapping ``{series: direction}`` (missing series: ``"increase"``).
    target:
        Target value for the assurance icon: one number, or ``{series: number}``; ``None``: no
        assurance.
    rebase:
        Dates at which the limits are recalculated: one list for every series, or
        ``{series: [dates]}``. A date on which a series has no point is ignored for that series.
    fix_after_n_points:
        Compute mean and limits of each rebase group from its first N points only (N >= 12).
    screen_outliers:
        Drop moving ranges >= 3.267 x their mean before averaging them (the reference's default).
    run_length, trend_length:
        Points needed for a run on one side of the mean, and for a trend (default 7 each).

    Returns
    -------
    SpcResult
        One entry per point, sorted by series (labels sorted) then date.
    """
    run_length, trend_length = _checked_options(fix_after_n_points, run_length, trend_length)
    s_in, d_in, y_in = _checked_columns(series_ids, dates, values)

    codes, labels, order = _sort_series(s_in, d_in)
    d = d_in if order is None else d_in[order]
    y = y_in if order is None else y_in[order]
    n = y.size

    series_start = np.zeros(n, dtype=bool)
    if n:
        series_start[0] = True
        series_start[1:] = codes[1:] != codes[:-1]
    series_offsets = np.append(np.flatnonzero(series_start), n)

    dir_codes = _per_series(direction, labels, "increase", _direction_code, "direction").astype(
        np.int8
    )
    targets = _per_series(target, labels, None, _target_value, "target").astype(np.float64)

    flag = _rebase_flags(rebase, labels, codes, d)
    flag_any = bool(flag.any())
    rebase_group = _rebase_groups(flag, series_start, series_offsets) if flag_any else (
        np.zeros(n, dtype=np.int64))
    start = series_start | flag if flag_any else series_start
    segments = _Segments(np.flatnonzero(start), n, None if flag_any else codes)
    seg_len = segments.lengths

    mean_seg, amr_seg = _mean_and_moving_range(y, start, segments, fix_after_n_points,
                                               screen_outliers)
    # Limits per segment; the same float operations as on every point, so identical results.
    lpl_seg = mean_seg - LIMIT * amr_seg
    upl_seg = mean_seg + LIMIT * amr_seg
    nlpl_seg = mean_seg - LIMIT_CLOSE * amr_seg
    nupl_seg = mean_seg + LIMIT_CLOSE * amr_seg
    outside, rtm, close = _against_limits(y, segments, mean_seg, (lpl_seg, upl_seg),
                                          (nlpl_seg, nupl_seg))

    sct = rules.special_cause_type(
        y, rtm, close, outside, start, run_length=run_length, trend_length=trend_length
    )
    uniform = dir_codes.size > 0 and bool(np.all(dir_codes == dir_codes[0]))
    point_type = classify_points(sct, dir_codes[0] if uniform else dir_codes[codes])

    short = np.repeat(seg_len < SHORT_GROUP_THRESHOLD, seg_len)
    warnings = (SHORT_GROUP_WARNING,) if short.any() else ()

    return SpcResult(
        series=codes,
        series_labels=labels,
        date=d,
        value=y,
        sort_order=order,
        rebase_group=rebase_group,
        segment_offsets=np.append(segments.starts, n),
        segment_mean=mean_seg,
        segment_lpl=lpl_seg,
        segment_upl=upl_seg,
        segment_nlpl=nlpl_seg,
        segment_nupl=nupl_seg,
        outside_limits=outside,
        relative_to_mean=rtm,
        close_to_limits=close,
        special_cause_type=sct,
        point_type=point_type,
        short_group_warning=short,
        direction=dir_codes,
        target=targets,
        series_offsets=series_offsets,
        run_length=run_length,
        trend_length=trend_length,
        warnings=warnings,
    )


def _checked_options(fix_after_n_points: int | None, run_length: int,
                     trend_length: int) -> tuple[int, int]:
    """Refuse options the reference refuses; the run and trend lengths as integers."""
    if fix_after_n_points is not None and (
        isinstance(fix_after_n_points, bool) or not float(fix_after_n_points) >= 12
    ):
        raise ValueError(
            "fix_after_n_points must be a single numeric that is greater than or equal to 12."
        )
    if int(run_length) < 2 or int(trend_length) < 2:
        raise ValueError("run_length and trend_length must be at least 2")
    return int(run_length), int(trend_length)


def _checked_columns(
    series_ids: ArrayLike, dates: ArrayLike, values: ArrayLike
) -> tuple[NDArray[Any], NDArray[np.datetime64], NDArray[np.float64]]:
    """The three input columns as arrays: 1-d, equal length, dates present, values finite
    (``SpcInputError`` names the first bad row)."""
    s_in = np.asarray(series_ids)
    d_in = _as_dates(dates)
    y_in = np.asarray(values, dtype=np.float64)
    if not (s_in.ndim == d_in.ndim == y_in.ndim == 1) or not (s_in.size == d_in.size == y_in.size):
        raise ValueError("series_ids, dates and values must be 1-d and of equal length")
    if np.isnat(d_in).any():
        raise SpcInputError("missing date", int(np.flatnonzero(np.isnat(d_in))[0]))
    bad = ~np.isfinite(y_in)
    if bad.any():
        raise SpcInputError("value is not a finite number", int(np.flatnonzero(bad)[0]))
    return s_in, d_in, y_in


def _rebase_groups(flag: NDArray[np.bool_], series_start: NDArray[np.bool_],
                   series_offsets: NDArray[np.intp]) -> NDArray[np.int64]:
    """Each point's rebase group: how many rebase dates came before it in its series."""
    cs = np.cumsum(flag, dtype=np.int64)
    base = (cs - flag)[series_start]
    return cs - np.repeat(base, np.diff(series_offsets))


def _mean_and_moving_range(
    y: NDArray[np.float64], start: NDArray[np.bool_], segments: _Segments,
    fix_after_n_points: int | None, screen_outliers: bool,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Mean and average moving range of every segment (series or rebase group): over its first
    ``fix_after_n_points`` points when fixed, moving ranges of 3.267 x their mean or more left
    out when screening outliers."""
    n = y.size
    if not n:
        return np.zeros(0), np.zeros(0)
    seg_len = segments.lengths
    scratch = np.empty(n)
    fixed = fix_after_n_points is not None and bool(np.any(seg_len > fix_after_n_points))
    if fixed:
        pos = np.arange(n) - np.repeat(segments.starts, seg_len)
        in_fix = pos < fix_after_n_points
        n_fix = np.minimum(seg_len, fix_after_n_points)
        mean_seg = _segment_mean(y, in_fix, segments, n_fix.astype(float), scratch)
    else:
        mean_seg = _segment_mean(y, None, segments, None, scratch)
    mr = np.empty(n)
    mr[0] = 0.0
    np.subtract(y[1:], y[:-1], out=mr[1:])
    np.abs(mr, out=mr)
    mr[start] = 0.0
    if fixed:
        mr_ok = ~start & in_fix
        amr_seg = _segment_mean(mr, mr_ok, segments, n_fix - 1.0, scratch)
    else:
        mr_ok = ~start
        amr_seg = _segment_mean(mr, mr_ok, segments, seg_len - 1.0, scratch)
    if screen_outliers:
        with np.errstate(invalid="ignore"):
            mr_ok &= segments.compare(np.less, mr, MR_SCREEN * amr_seg)
        amr_seg = _segment_mean(mr, mr_ok, segments, None, scratch)
    return mean_seg, amr_seg


def _against_limits(
    y: NDArray[np.float64], segments: _Segments, mean_seg: NDArray[np.float64],
    limits: tuple[NDArray[np.float64], NDArray[np.float64]],
    close_limits: tuple[NDArray[np.float64], NDArray[np.float64]],
) -> tuple[NDArray[np.bool_], NDArray[np.int8], NDArray[np.bool_]]:
    """Where every point sits: outside its process limits, sign of (value - mean), and close to
    a limit (beyond two sigma, inside three)."""
    lpl_seg, upl_seg = limits
    nlpl_seg, nupl_seg = close_limits
    outside = segments.compare(np.greater, y, upl_seg)
    outside |= segments.compare(np.less, y, lpl_seg)
    # sign(y - mean) from two comparisons (identical for finite values)
    rtm = segments.compare(np.greater, y, mean_seg).view(np.int8)
    rtm -= segments.compare(np.less, y, mean_seg).view(np.int8)
    close = segments.compare(np.less, y, nlpl_seg)
    close |= segments.compare(np.greater, y, nupl_seg)
    close &= ~outside
    return outside, rtm, close


def classify_points(
    special_cause_type: NDArray[np.int8], direction: NDArray[np.int8] | int
) -> NDArray[np.int8]:
    """``point_type`` codes from the special-cause codes and the improvement direction(s)."""
    sct = np.asarray(special_cause_type, dtype=np.intp)
    direction = np.asarray(direction, dtype=np.intp)
    if direction.ndim == 0:
        return _POINT_TYPE_TABLE[int(direction) + 1][sct]
    return _POINT_TYPE_TABLE.reshape(-1)[(direction + 1) * _POINT_TYPE_TABLE.shape[1] + sct]


def _point_type_table() -> NDArray[np.int8]:
    """``point_type`` for each (direction + 1, special_cause_type)."""
    table = np.zeros((3, rules.SPECIAL_CAUSE_SIGN.size), dtype=np.int8)
    for d in (-1, 0, 1):
        for code, v in enumerate(rules.SPECIAL_CAUSE_SIGN):
            if d == 0:
                table[d + 1, code] = NEUTRAL_HIGH if v > 0 else NEUTRAL_LOW if v < 0 else COMMON
            else:
                o = v * d
                table[d + 1, code] = IMPROVEMENT if o > 0 else CONCERN if o < 0 else COMMON
    return table


_POINT_TYPE_TABLE = _point_type_table()


def _rebase_flags(
    rebase: Any, labels: NDArray[Any], codes: NDArray[np.intp], d: NDArray[np.datetime64]
) -> NDArray[np.bool_]:
    n = d.size
    if rebase is None or n == 0:
        return np.zeros(n, dtype=bool)
    if isinstance(rebase, Mapping):
        index = {_plain(lab): i for i, lab in enumerate(labels)}
        keys = []
        for lab, when in rebase.items():
            if lab not in index:
                continue
            days = _as_dates(np.atleast_1d(np.asarray(when))).view(np.int64)
            keys.append(index[lab] * (1 << 32) + (days + (1 << 31)))
        if not keys:
            return np.zeros(n, dtype=bool)
        point_keys = codes.astype(np.int64) * (1 << 32) + (d.view(np.int64) + (1 << 31))
        return np.isin(point_keys, np.concatenate(keys))
    rb = _as_dates(np.atleast_1d(np.asarray(rebase)))
    return np.isin(d, rb)


def compute_one(dates: ArrayLike, values: ArrayLike, **options: Any) -> SpcResult:
    """:func:`compute` for a single series (its label is ``0``); same keyword options."""
    y = np.asarray(values, dtype=np.float64)
    return compute(np.zeros(y.size, dtype=np.int64), dates, y, **options)
