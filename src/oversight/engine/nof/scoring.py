"""NOF metric scores: published (unrounded from their 2 dp publication) or computed from
the metric values (rank-scaled within the peer group, discrete bands, lookups of other scores).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from oversight.engine.nof.rules import NofRules
from oversight.engine.ranking import rank_arrays

# ----------------------------------------------------------------------------- scoring


def round_half_up(x: np.ndarray | float, decimals: int = 2) -> np.ndarray:
    """Round half away from zero as NHS England's published figures do (not banker's rounding).

    A relative nudge of 1e-9 absorbs binary representation error (2.555 is stored as 2.55499...).
    """
    arr = np.asarray(x, dtype=np.float64)
    f = 10.0**decimals
    return np.sign(arr) * np.floor(np.abs(arr) * f * (1 + 1e-12) + 0.5 + 1e-9) / f


KEYS = ["quarter", "peer_group", "trust_code"]


def unround_rank_scaled(published: np.ndarray, decimals: int = 2) -> np.ndarray:
    """Recover the unrounded rank-scaled scores behind one metric's published rounded scores.

    A rank-scaled score is 1 + 3 k / (N - 1) with k = rank - 1 and N the size of the scoring
    population, which for national metrics is not in the file. N is taken as the smallest
    population (at least the number of published scores) for which every published score is
    such a grid point rounded half-up. While N - 1 <= 3 x 10^decimals the grid step is at least
    one published unit, so each published score names exactly one grid point and the unrounded
    score follows; at N - 1 = 3 x 10^decimals every published value is a grid point and the
    scores come back unchanged, as they do when they are not on any grid (more decimals).
    """
    scores = np.asarray(published, dtype=np.float64)
    unit = 10.0**-decimals
    n = np.arange(max(scores.size, 2), int(round(3 / unit)) + 2, dtype=np.float64)
    step = (3.0 / (n - 1))[:, None]  # every candidate population at once: one row per N
    unrounded = 1 + np.round((scores[None, :] - 1) / step) * step
    fits = np.all(np.abs(round_half_up(unrounded, decimals) - scores) < unit / 100, axis=1)
    return unrounded[np.argmax(fits)] if fits.any() else scores


def compute_scores(long: pl.DataFrame, rules: NofRules) -> pl.DataFrame:
    """Metric scores for every organisation and quarter: published where given, else computed.

    ``long`` has quarter, peer_group, trust_code, metric_id, value and optionally rank: a given
    rank (NHS England's, of the unrounded values) is used for rank-scaled scores in preference
    to ranking the 2 dp published values, whose rounding creates ties that did not exist.
    Returns quarter, peer_group, trust_code, metric_id, score, source ('published'/'computed').
    """
    given_rank = pl.col("rank").cast(pl.Float64) if "rank" in long.columns else pl.lit(None)
    long = long.select(
        *KEYS, "metric_id", pl.col("value").cast(pl.Float64), given_rank.alias("given_rank")
    )
    published = long.filter(pl.col("metric_id").is_in(list(rules.metrics))).drop_nulls("value")
    published = published.select(*KEYS, "metric_id", score="value", source=pl.lit("published"))
    if rules.unround_published:
        published = _unround_published(published, rules)
    parts = [published]
    have = published.select(*KEYS, "metric_id")

    def computed(mid: str, frame: pl.DataFrame) -> None:
        frame = frame.with_columns(metric_id=pl.lit(mid), source=pl.lit("computed"))
        frame = frame.join(have, on=[*KEYS, "metric_id"], how="anti")
        parts.append(frame.select(*KEYS, "metric_id", pl.col("score").cast(pl.Float64), "source"))

    for mid, rule in rules.metrics.items():
        if rule.method not in ("rank_scaled", "bands"):
            continue
        vals = long.filter(pl.col("metric_id") == rule.value_metric).drop_nulls("value")
        vals = vals.filter(pl.col("value").is_not_nan())
        if vals.height == 0:
            continue
        if rule.method == "rank_scaled":
            gid = vals.select(pl.struct("quarter", "peer_group").rank("dense") - 1).to_series()
            res = rank_arrays(
                gid.to_numpy().astype(np.int64), vals["value"].to_numpy(), rule.higher_is_better
            )
            n = res.n.astype(np.float64)
            given = vals["given_rank"].fill_null(np.nan).to_numpy()
            rank = np.where(np.isnan(given), res.rank, given)
            score = np.where(n > 1, 1 + 3 * (rank - 1) / np.maximum(n - 1, 1), 1.0)
        else:
            v = vals["value"].to_numpy()
            score = np.full(v.shape, rule.otherwise)
            for minimum, band_score in reversed(rule.bands):
                score = np.where(v >= minimum, band_score, score)
        computed(mid, vals.with_columns(score=pl.Series(score)))
    # lookups use the scores above (published or computed), so they run last
    for mid, rule in rules.metrics.items():
        if rule.method != "lookup":
            continue
        base = pl.concat(parts).filter(pl.col("metric_id").is_in(rule.inputs))
        wide = base.pivot(on="metric_id", index=KEYS, values="score", aggregate_function="first")
        if not all(i in wide.columns for i in rule.inputs):
            continue
        keys = zip(*(wide[i].to_list() for i in rule.inputs), strict=True)
        score = [rule.table.get(tuple(k)) if None not in k else None for k in keys]
        wide = wide.with_columns(score=pl.Series(score, dtype=pl.Float64)).drop_nulls("score")
        computed(mid, wide)
    return pl.concat(parts).sort(*KEYS, "metric_id")


def _unround_published(published: pl.DataFrame, rules: NofRules) -> pl.DataFrame:
    """Published rank-scaled scores replaced by their unrounded values where recoverable.

    NHS England averages unrounded metric scores; averaging the 2 dp published ones instead
    moves the average and domain scores by up to 0.005 before rounding.
    """
    rank_scaled = [m for m, r in rules.metrics.items() if r.method == "rank_scaled"]
    parts = []
    for frame in published.partition_by("quarter", "peer_group", "metric_id"):
        if frame["metric_id"][0] in rank_scaled:
            unrounded = unround_rank_scaled(frame["score"].to_numpy(), rules.decimals)
            frame = frame.with_columns(score=pl.Series(unrounded))
        parts.append(frame)
    return pl.concat(parts) if parts else published
