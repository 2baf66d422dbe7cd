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

import numpy as np
import polars as pl

__all__ = ["RankResult", "rank_arrays", "rank_table", "quantile_linear"]


@dataclass(frozen=True, slots=True)
class RankResult:
    """Per-row results (aligned with the input rows) and per-group summaries."""

    rank: np.ndarray  # float64, NaN where the value is missing
    quartile: np.ndarray  # int8, 0 where the value is missing
    n: np.ndarray  # int64, group size (non-missing values) for each row
    median: np.ndarray  # float64 per row (the group's figure)
    lower_quartile: np.ndarray
    upper_quartile: np.ndarray


def _pack(group_ids: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Place each row in a (n_groups, max_size) matrix; return matrix, row index, column index."""
    n_groups = int(group_ids.max()) + 1 if group_ids.size else 0
    order = np.argsort(group_ids, kind="stable")
    sizes = np.bincount(group_ids, minlength=n_groups)
    starts = np.zeros(n_groups, dtype=np.int64)
    np.cumsum(sizes[:-1], out=starts[1:])
    g_sorted = group_ids[order]
    col = np.empty(group_ids.size, dtype=np.int64)
    col[order] = np.arange(group_ids.size, dtype=np.int64) - starts[g_sorted]
    width = int(sizes.max()) if n_groups else 0
    mat = np.full((n_groups, width), np.nan)
    mat[group_ids, col] = values
    return mat, group_ids, col


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


def rank_arrays(
    group_ids: np.ndarray, values: np.ndarray, higher_is_better: np.ndarray | bool
) -> RankResult:
    """Rank ``values`` within each group given by dense integer ``group_ids`` (0..G-1).

    ``higher_is_better`` is one flag for all rows or one per row (constant within a group).
    Missing values (NaN) get no rank and do not count towards the group size.
    """
    group_ids = np.asarray(group_ids, dtype=np.int64)
    values = np.asarray(values, dtype=np.float64)
    if group_ids.shape != values.shape:
        raise ValueError("group_ids and values must have the same length")
    hib = np.broadcast_to(np.asarray(higher_is_better, dtype=bool), values.shape)
    if values.size == 0:
        empty = np.empty(0)
        return RankResult(empty, np.empty(0, np.int8), np.empty(0, np.int64), empty, empty, empty)
    # Orient so that smaller is better: one ascending sort serves both polarities.
    sign = np.where(hib, -1.0, 1.0)
    mat, rows, cols = _pack(group_ids, values * sign)
    n_groups, width = mat.shape
    order = np.argsort(mat, axis=1, kind="stable")  # NaN sorts last
    srt = np.take_along_axis(mat, order, axis=1)
    n = np.count_nonzero(~np.isnan(mat), axis=1)

    # "min" ranks on the sorted rows: position of the first member of each run of equal values.
    j = np.broadcast_to(np.arange(width), (n_groups, width))
    new_run = np.ones((n_groups, width), dtype=bool)
    new_run[:, 1:] = srt[:, 1:] != srt[:, :-1]
    run_start = np.maximum.accumulate(np.where(new_run, j, 0), axis=1)
    rank_sorted = (run_start + 1).astype(np.float64)
    rank_sorted[j >= n[:, None]] = np.nan
    rank_mat = np.empty_like(rank_sorted)
    np.put_along_axis(rank_mat, order, rank_sorted, axis=1)
    rank = rank_mat[rows, cols]

    # Quantiles of the oriented values: q_p(oriented) = sign * q_(1-p)(original).
    q25 = quantile_linear(srt, n, 0.25)
    q50 = quantile_linear(srt, n, 0.50)
    q75 = quantile_linear(srt, n, 0.75)
    oriented = values * sign
    best_cut, mid_cut, worst_cut = q25[rows], q50[rows], q75[rows]
    quartile = (
        1 + (oriented > best_cut).astype(np.int8) + (oriented > mid_cut) + (oriented > worst_cut)
    ).astype(np.int8)
    quartile[np.isnan(values)] = 0
    row_sign = sign
    median = q50[rows] * row_sign
    # Lower quartile (25th percentile of the original values) is the oriented 75th for
    # higher-is-better metrics and the oriented 25th otherwise.
    lower = np.where(hib, q75[rows], q25[rows]) * row_sign
    upper = np.where(hib, q25[rows], q75[rows]) * row_sign
    return RankResult(rank, quartile, n[rows], median, lower, upper)


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
