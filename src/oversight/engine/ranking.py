"""National ranking: rank, quartile, median and quartiles per metric x period x peer group.

Reproduces the figures NHS England publishes beside its oversight data (the Rank, Median_value,
Lower_quartile and Upper_quartile columns of the NOF 2025/26 files):

* rank: 1 is best by the metric's polarity; equal values share the lowest rank ("min" method);
* median and quartiles: linear interpolation between order statistics, i.e. Excel
  ``QUARTILE.INC`` / numpy ``method="linear"`` / R type 7, over the group's non-missing values;
* quartile 1-4 with polarity (1 best): 1 + the number of cut points (upper quartile, median,
  lower quartile, in best-to-worst order) the value is strictly worse than, so equal values
  always share a quartile and quartile never improves as rank worsens.

Everything is vectorised over all groups at once: the long table is packed into a
(groups x largest group) matrix padded with NaN and sorted row-wise, so the cost is one
integer sort plus one row-wise float sort, whatever the number of groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

__all__ = ["RankResult", "rank_arrays", "rank_table", "quantile_linear"]

#: Groups are ranked in blocks of about this many cells (groups x largest group), so that the
#: sort and its scratch arrays stay in the CPU cache and are reused rather than freshly mapped.
_BLOCK_CELLS = 32_768


@dataclass(frozen=True, eq=False)
class RankResult:
    """Per-row results (aligned with the input rows) and per-group summaries.

    ``rank`` and ``quartile`` are per row. The group figures are kept per group (``group_n``,
    ``group_median``, ...; index = group id) and ``n``, ``median``, ``lower_quartile`` and
    ``upper_quartile`` spread them over the rows on first access.
    """

    rank: np.ndarray  # float64, NaN where the value is missing
    quartile: np.ndarray  # int8, 0 where the value is missing
    group_ids: np.ndarray  # the input's group of each row
    group_n: np.ndarray  # int64, non-missing values per group
    group_median: np.ndarray  # float64 per group
    group_lower_quartile: np.ndarray
    group_upper_quartile: np.ndarray

    @cached_property
    def n(self) -> np.ndarray:
        """Group size (non-missing values) for each row."""
        return self.group_n[self.group_ids]

    @cached_property
    def median(self) -> np.ndarray:
        """The row's group median."""
        return self.group_median[self.group_ids]

    @cached_property
    def lower_quartile(self) -> np.ndarray:
        """The row's group lower quartile (25th percentile of the original values)."""
        return self.group_lower_quartile[self.group_ids]

    @cached_property
    def upper_quartile(self) -> np.ndarray:
        """The row's group upper quartile (75th percentile of the original values)."""
        return self.group_upper_quartile[self.group_ids]


class _Layout:
    """How the rows map onto a NaN-padded (groups x largest group) matrix.

    Three cases, checked in O(rows): rows grouped in equal blocks (``group_ids`` like
    0,0,..,1,1,..: a reshape), rows cycling through all groups in turn (0,1,..,G-1,0,1,..: the
    order of a table sorted by organisation then metric and period, a transpose), or anything
    else (one integer sort to place each row).
    """

    def __init__(self, group_ids: np.ndarray) -> None:
        size = group_ids.size
        self.n_groups = n_groups = int(group_ids.max()) + 1
        self.kind = "general"
        if size % n_groups == 0:
            width = size // n_groups
            if bool(np.all(group_ids.reshape(n_groups, width) == np.arange(n_groups)[:, None])):
                self.kind, self.width = "blocks", width
            elif bool(np.all(group_ids.reshape(width, n_groups) == np.arange(n_groups))):
                self.kind, self.width = "cycle", width
        if self.kind == "general":
            self._place(group_ids)

    def _place(self, group_ids: np.ndarray) -> None:
        sizes = np.bincount(group_ids, minlength=self.n_groups)
        self.width = width = int(sizes.max())
        if bool(np.all(group_ids[1:] >= group_ids[:-1])):
            order = np.arange(group_ids.size)
        else:
            # numpy's stable sort is a radix sort for 16-bit integers: far faster for group ids.
            keys = group_ids.astype(np.uint16) if self.n_groups <= 65536 else group_ids
            order = np.argsort(keys, kind="stable")
        starts = np.zeros(self.n_groups, dtype=np.int64)
        np.cumsum(sizes[:-1], out=starts[1:])
        g_sorted = group_ids[order]
        self.flat = np.empty(group_ids.size, dtype=np.int64)
        # Row i of the sorted order sits in column (i - start of its group) of its group's row.
        self.flat[order] = g_sorted * width + (np.arange(group_ids.size) - starts[g_sorted])

    def matrix(self, rows: np.ndarray) -> np.ndarray:
        """The rows' values as a (groups x width) view or copy, NaN in the padding."""
        if self.kind == "blocks":
            return rows.reshape(self.n_groups, self.width)
        if self.kind == "cycle":
            return rows.reshape(self.width, self.n_groups).T
        mat = np.full(self.n_groups * self.width, np.nan, dtype=rows.dtype)
        mat[self.flat] = rows
        return mat.reshape(self.n_groups, self.width)

    def output(self, dtype: type) -> tuple[np.ndarray, np.ndarray]:
        """A per-row output array and the (groups x width) view to fill it through."""
        if self.kind == "general":
            mat = np.empty((self.n_groups, self.width), dtype=dtype)
            return mat, mat
        out = np.empty(self.n_groups * self.width, dtype=dtype)
        return out, self.matrix(out)

    def rows(self, out: np.ndarray) -> np.ndarray:
        """Per-row values from an :meth:`output` array."""
        return out.reshape(-1)[self.flat] if self.kind == "general" else out


def quantile_linear(sorted_rows: np.ndarray, n: np.ndarray, p: float) -> np.ndarray:
    """Row-wise linear-interpolation quantile (Excel QUARTILE.INC) of NaN-padded sorted rows."""
    h = (n - 1) * p
    lo = np.floor(h).astype(np.int64)
    lo = np.clip(lo, 0, None)
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
    rows = np.arange(sorted_rows.shape[0])
    with np.errstate(invalid="ignore"):
        a = sorted_rows[rows, lo] if sorted_rows.shape[1] else np.full(rows.size, np.nan)
        b = sorted_rows[rows, hi] if sorted_rows.shape[1] else np.full(rows.size, np.nan)
        out = a + (h - lo) * (b - a)
    out[n == 0] = np.nan
    return out


def _rank_block(
    mat: np.ndarray, rank: np.ndarray, quartile: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rank a block of rows of oriented values (smaller is better, NaN padding).

    Fills ``rank`` ("min" ranks, NaN for missing) and ``quartile`` (0 for missing) in place and
    returns each row's count of values and 25th, 50th and 75th oriented percentiles.
    """
    n_rows, width = mat.shape
    # Tie order is irrelevant to "min" ranks, so the faster unstable sort will do; NaN sorts last.
    order = np.argsort(mat, axis=1)
    srt = np.take_along_axis(mat, order, axis=1)
    missing = np.isnan(srt)  # NaN sorts last: the padding and missing values end each row
    n = width - np.count_nonzero(missing, axis=1)

    # "min" ranks on the sorted rows: position of the first member of each run of equal values,
    # found with one running maximum over the flattened block (each row starts a new run).
    size = n_rows * width
    new_run = np.ones((n_rows, width), dtype=bool)
    np.not_equal(srt[:, 1:], srt[:, :-1], out=new_run[:, 1:])
    idx = np.arange(size, dtype=np.int32 if size < 2**31 else np.int64)
    run_start = np.maximum.accumulate(np.where(new_run.reshape(-1), idx, 0))
    rank_sorted = np.subtract(
        run_start.reshape(n_rows, width), (idx[::width] - 1)[:, None], dtype=np.float64
    )
    rank_sorted[missing] = np.nan
    # scatter back to the unsorted positions (straight into ``rank`` when it is contiguous)
    ranks = rank if rank.flags.c_contiguous else np.empty((n_rows, width))
    ranks.reshape(-1)[(order + idx[::width, None]).reshape(-1)] = rank_sorted.reshape(-1)
    if ranks is not rank:
        rank[...] = ranks

    q25 = quantile_linear(srt, n, 0.25)
    q50 = quantile_linear(srt, n, 0.50)
    q75 = quantile_linear(srt, n, 0.75)
    q = np.ones((n_rows, width), dtype=np.int8)
    q += mat > q25[:, None]
    q += mat > q50[:, None]
    q += mat > q75[:, None]
    q[np.isnan(mat)] = 0
    quartile[...] = q
    return n, q25, q50, q75


def rank_arrays(
    group_ids: np.ndarray, values: np.ndarray, higher_is_better: np.ndarray | bool
) -> RankResult:
    """Rank ``values`` within each group given by dense integer ``group_ids`` (0..G-1).

    ``higher_is_better`` is one flag for all rows or one per row (constant within a group).
    Missing values (NaN) get no rank and do not count towards the group size.
    """
    group_ids = np.asarray(group_ids)
    if group_ids.dtype.kind not in "iu":
        group_ids = group_ids.astype(np.int64)
    values = np.asarray(values, dtype=np.float64)
    if group_ids.shape != values.shape:
        raise ValueError("group_ids and values must have the same length")
    hib = np.asarray(higher_is_better, dtype=bool)
    if values.size == 0:
        empty = np.empty(0)
        return RankResult(
            empty, np.empty(0, np.int8), np.empty(0, np.int64), np.empty(0, np.int64),
            empty, empty, empty,
        )
    layout = _Layout(group_ids)
    n_groups = layout.n_groups
    if hib.ndim == 0:
        group_hib = np.full(n_groups, bool(hib))
    else:
        group_hib = np.empty(n_groups, dtype=bool)
        group_hib[group_ids] = np.broadcast_to(hib, values.shape)
    # Orient so that smaller is better: one ascending sort serves both polarities.
    mat = layout.matrix(values)
    rank_out, rank_mat = layout.output(np.float64)
    quart_out, quart_mat = layout.output(np.int8)
    n = np.empty(n_groups, dtype=np.int64)
    q25, q50, q75 = np.empty(n_groups), np.empty(n_groups), np.empty(n_groups)
    step = max(1, _BLOCK_CELLS // max(layout.width, 1))
    for a in range(0, n_groups, step):
        b = min(a + step, n_groups)
        block = np.array(mat[a:b], order="C")
        np.negative(block, out=block, where=group_hib[a:b, None])
        n[a:b], q25[a:b], q50[a:b], q75[a:b] = _rank_block(block, rank_mat[a:b], quart_mat[a:b])

    # Quantiles of the oriented values: q_p(oriented) = sign * q_(1-p)(original). The lower
    # quartile (25th percentile of the original values) is the oriented 75th percentile for
    # higher-is-better metrics and the oriented 25th otherwise.
    median = np.where(group_hib, -q50, q50)
    lower = np.where(group_hib, -q75, q25)
    upper = np.where(group_hib, -q25, q75)
    return RankResult(
        layout.rows(rank_out), layout.rows(quart_out), group_ids, n, median, lower, upper
    )


def rank_table(
    df: pl.DataFrame,
    group_cols: Sequence[str],
    value_col: str = "value",
    higher_is_better: str | bool = "higher_is_better",
) -> pl.DataFrame:
    """Long table in, long table out: adds rank, quartile, n, median, lower/upper quartile.

    ``group_cols`` name the metric x period x peer group; ``higher_is_better`` is a boolean
    column name or one flag for the whole table.
    """
    if df.height == 0:
        return df.with_columns(
            pl.lit(None, pl.Float64).alias(c)
            for c in ("rank", "quartile", "n", "median", "lower_quartile", "upper_quartile")
        )
    gid = (
        df.select(pl.struct(list(group_cols)).rank("dense").cast(pl.Int64) - 1)
        .to_series()
        .to_numpy()
    )
    values = df.get_column(value_col).cast(pl.Float64).fill_null(np.nan).to_numpy()
    if isinstance(higher_is_better, str):
        hib: np.ndarray | bool = df.get_column(higher_is_better).cast(pl.Boolean).to_numpy()
    else:
        hib = bool(higher_is_better)
    res = rank_arrays(gid, values, hib)
    missing = np.isnan(values)
    return df.with_columns(
        pl.Series("rank", np.where(missing, np.nan, res.rank)).fill_nan(None).cast(pl.Int64),
        pl.Series("quartile", res.quartile).cast(pl.Int8).replace(0, None),
        pl.Series("n", res.n),
        pl.Series("median", res.median).fill_nan(None),
        pl.Series("lower_quartile", res.lower_quartile).fill_nan(None),
        pl.Series("upper_quartile", res.upper_quartile).fill_nan(None),
    )
