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


def _pack(group_ids: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Place each row in a NaN-padded (n_groups, largest group) matrix.

    Returns the matrix and the flat index of each input row in it, or None when the input is
    already grouped in equal-sized blocks (the matrix is then a reshaped view: no copy).
    """
    n_groups = int(group_ids.max()) + 1
    sizes = np.bincount(group_ids, minlength=n_groups)
    width = int(sizes.max())
    grouped = group_ids.size == 1 or bool(np.all(group_ids[1:] >= group_ids[:-1]))
    if grouped and n_groups * width == group_ids.size:
        return values.reshape(n_groups, width), None
    if grouped:
        order = np.arange(group_ids.size)
    else:
        # numpy's stable sort is a radix sort for 16-bit integers: far faster for group ids.
        keys = group_ids.astype(np.uint16) if n_groups <= 65536 else group_ids
        order = np.argsort(keys, kind="stable")
    starts = np.zeros(n_groups, dtype=np.int64)
    np.cumsum(sizes[:-1], out=starts[1:])
    g_sorted = group_ids[order]
    flat = np.empty(group_ids.size, dtype=np.int64)
    # Row i of the sorted order sits in column (i - start of its group) of its group's row.
    flat[order] = g_sorted * width + (np.arange(group_ids.size) - starts[g_sorted])
    mat = np.full(n_groups * width, np.nan)
    mat[flat] = values
    return mat.reshape(n_groups, width), flat


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
    oriented = values * sign
    mat, flat = _pack(group_ids, oriented)
    n_groups, width = mat.shape
    # Tie order is irrelevant to "min" ranks, so the faster unstable sort will do; NaN sorts last.
    order = np.argsort(mat, axis=1)
    srt = np.take_along_axis(mat, order, axis=1)
    n = np.count_nonzero(~np.isnan(srt), axis=1)

    # "min" ranks on the sorted rows: position of the first member of each run of equal values,
    # found with one running maximum over the flattened matrix (each row starts a new run).
    size = n_groups * width
    new_run = np.ones((n_groups, width), dtype=bool)
    np.not_equal(srt[:, 1:], srt[:, :-1], out=new_run[:, 1:])
    idx = np.arange(size, dtype=np.int32 if size < 2**31 else np.int64)
    run_start = np.maximum.accumulate(np.where(new_run.reshape(-1), idx, 0))
    row_offset = np.arange(0, size, width, dtype=idx.dtype)
    rank_sorted = run_start.reshape(n_groups, width) - (row_offset - 1)[:, None]
    rank_flat = np.empty(size, dtype=np.float64)
    rank_flat[(order + row_offset[:, None]).reshape(-1)] = rank_sorted.reshape(-1)
    rank_mat = rank_flat.reshape(n_groups, width)

    # Quantiles of the oriented values: q_p(oriented) = sign * q_(1-p)(original).
    q25 = quantile_linear(srt, n, 0.25)
    q50 = quantile_linear(srt, n, 0.50)
    q75 = quantile_linear(srt, n, 0.75)
    quart_mat = np.ones((n_groups, width), dtype=np.int8)
    quart_mat += mat > q25[:, None]
    quart_mat += mat > q50[:, None]
    quart_mat += mat > q75[:, None]

    if flat is None:
        rank = rank_mat.reshape(-1)
        quartile = quart_mat.reshape(-1)

        def per_row(x: np.ndarray) -> np.ndarray:
            return np.repeat(x, width)
    else:
        rank = rank_mat.reshape(-1)[flat]
        quartile = quart_mat.reshape(-1)[flat]

        def per_row(x: np.ndarray) -> np.ndarray:
            return x[group_ids]

    missing = np.isnan(values)
    if missing.any():
        rank = np.where(missing, np.nan, rank)
        quartile = np.where(missing, np.int8(0), quartile)
    q25r, q50r, q75r = per_row(q25), per_row(q50), per_row(q75)
    # The lower quartile (25th percentile of the original values) is the oriented 75th
    # percentile for higher-is-better metrics and the oriented 25th otherwise.
    if hib.ndim == 0 or np.all(hib == hib.flat[0]):
        up = bool(hib.flat[0])
        median = -q50r if up else q50r
        lower = -q75r if up else q25r
        upper = -q25r if up else q75r
    else:
        median = q50r * sign
        lower = np.where(hib, -q75r, q25r)
        upper = np.where(hib, -q25r, q75r)
    return RankResult(rank, quartile, per_row(n), median, lower, upper)


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
