"""NOF segments: averages and domain scores, the quarter's cut points (with the population
they were taken over and the bounds the published segments put on them), unadjusted, adjusted
and final segments, league rank, and the check against the published segments.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from oversight.engine.nof.reading import NofInputError
from oversight.engine.nof.rules import NofRules
from oversight.engine.nof.scoring import KEYS, round_half_up
from oversight.engine.ranking import rank_arrays

# ----------------------------------------------------------------------------- segmentation


def segments_from_cuts(average: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Segment 1-4 of each average (lower is better) given the cut points 1|2, 2|3, 3|4: one
    set for every average (3,) or one per average (n x 3).

    An average equal to a cut point stays in the better segment.
    """
    average = np.asarray(average, dtype=np.float64)
    return 1 + (average[:, None] > np.asarray(cuts, dtype=np.float64)).sum(axis=1)


def allowed_unadjusted(
    published_unadjusted: np.ndarray, published_adjusted: np.ndarray, override: np.ndarray,
    floor: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The lowest and highest unadjusted segment the published segments allow for each trust.

    Arrays use 0 for "not published" and, for ``override``, -1 for "not given". A published
    unadjusted segment is itself; an adjusted one at the override floor allows any segment up to
    it unless the trust is known not to be in deficit; any other adjusted one is itself.
    """
    pu, pa = published_unadjusted.astype(np.int64), published_adjusted.astype(np.int64)
    low, high = np.ones(pu.shape, np.int64), np.full(pu.shape, 4, np.int64)
    exact = (pa > 0) & ((pa != floor) | (override == 0))
    low, high = np.where(exact, pa, low), np.where(exact, pa, high)
    at_floor = (pa == floor) & (override != 0)
    high = np.where(at_floor, floor, high)
    low, high = np.where(pu > 0, pu, low), np.where(pu > 0, pu, high)
    return low, high


def cut_point_bounds(
    average: np.ndarray, low: np.ndarray, high: np.ndarray
) -> list[tuple[float | None, float | None]]:
    """Where the published segments put each cut point k (1|2, 2|3, 3|4): at or above the
    highest average of a trust published in segment k or better, below the lowest average of
    one published in segment k + 1 or worse (None: no such trust)."""
    out: list[tuple[float | None, float | None]] = []
    for k in (1, 2, 3):
        below, above = average[high <= k], average[low >= k + 1]
        out.append((float(below.max()) if below.size else None,
                    float(above.min()) if above.size else None))
    return out


def bounded_cut(cut: float, bound: tuple[float | None, float | None], unit: float) -> float:
    """``cut`` if it lies within its bound, else the bound's midpoint (an open end taken one
    published unit beyond the other); unchanged when the bound is empty or contradictory."""
    lo, hi = bound
    if (lo is None or cut >= lo) and (hi is None or cut < hi) or (lo is None and hi is None):
        return cut
    lo = hi - unit if lo is None else lo
    hi = lo + unit if hi is None else hi
    return (lo + hi) / 2 if lo < hi else cut


def league_rank(group_ids: np.ndarray, segment: np.ndarray, average: np.ndarray) -> np.ndarray:
    """Rank 1 best by segment, then average score; equal pairs share the lowest rank."""
    # Both keys are small and non-negative: combine them into one exact sort key.
    key = segment.astype(np.float64) * 100.0 + average
    return rank_arrays(group_ids, key, False).rank.astype(np.int64)


def _scored_summary(scores: pl.DataFrame, rules: NofRules) -> pl.DataFrame:
    """Average and domain scores of every trust scored from its metrics."""
    counted = scores.filter(pl.col("metric_id").is_in(rules.counted)).with_columns(
        domain=pl.col("metric_id").replace_strict(
            {m: r.domain for m, r in rules.metrics.items()}, default=None
        )
    )
    summary = counted.group_by(KEYS).agg(
        average=pl.col("score").mean(), n_metrics=pl.len().cast(pl.Int64))
    dom = counted.group_by(*KEYS, "domain").agg(d=pl.col("score").mean())
    dom_wide = dom.pivot(on="domain", index=KEYS, values="d")
    for slug in rules.domains:
        if slug not in dom_wide.columns:
            dom_wide = dom_wide.with_columns(pl.lit(None, pl.Float64).alias(slug))
    dom_wide = dom_wide.select(*KEYS, *(pl.col(s).alias(f"domain_{s}") for s in rules.domains))
    return summary.join(dom_wide, on=KEYS, how="left").with_columns(
        source=pl.lit("metric scores"))


def _flag(out: pl.DataFrame, flags: pl.DataFrame | None, metric: str) -> pl.Series:
    """1/0 per row of ``out`` from the flag rows, -1 where the flag is not given."""
    if flags is None:
        return pl.Series([-1] * out.height, dtype=pl.Int64)
    f = (flags.filter(pl.col("metric_id") == metric).group_by("quarter", "trust_code")
         .agg(pl.col("value").max()))
    j = out.select("quarter", "trust_code").join(f, on=["quarter", "trust_code"], how="left")
    given = j["value"].is_not_null().to_numpy()
    return pl.Series(np.where(given, (j["value"].fill_null(0) > 0).to_numpy(), -1), dtype=pl.Int64)


def segment(
    scores: pl.DataFrame,
    rules: NofRules,
    flags: pl.DataFrame | None = None,
    names: pl.DataFrame | None = None,
    league: pl.DataFrame | None = None,
    published: pl.DataFrame | None = None,
    use_bounds: bool = False,
) -> pl.DataFrame:
    """Domain scores, average, segments and league rank for each organisation and quarter.

    ``scores``: quarter, peer_group, trust_code, metric_id, score (from :func:`compute_scores`).
    ``flags``: quarter, trust_code, metric_id, value for the override and recovery flags.
    ``names``: quarter, trust_code, trust_name.
    ``league``: league table rows (:func:`read_league`): a trust without metric scores in the
    quarter joins the population with its published average and deficit flag.
    ``published``: quarter, trust_code and published_unadjusted / published_adjusted /
    published_average (:func:`published_summary`), only to bound the cut points and check.
    ``use_bounds``: when a quarter's population is incomplete, replace a cut point the
    published segments rule out by the middle of the interval they allow.
    """
    parts = []
    if scores.height:
        parts.append(_scored_trusts(scores, rules, flags, names))
    if league is not None and league.height:
        present = parts[0].select("quarter", "trust_code") if parts else None
        parts.append(_league_trusts(league, present, rules))
    if not parts or sum(p.height for p in parts) == 0:
        raise NofInputError("no trust to segment: no metric scores and no league table rows")
    out = pl.concat(parts, how="diagonal_relaxed")
    out = out.join(_published(published, league), on=["quarter", "trust_code"], how="left")
    out = out.with_columns(pl.col("likely_average", "likely_rank").fill_null(""))
    return _segment_table(out.sort("quarter", "peer_group", "trust_code"), rules, use_bounds)


def _scored_trusts(scores: pl.DataFrame, rules: NofRules, flags: pl.DataFrame | None,
                   names: pl.DataFrame | None) -> pl.DataFrame:
    """Trusts scored from their metrics, with their flags (-1: not given) and names."""
    out = _scored_summary(scores, rules)
    out = out.with_columns(
        financial_override=_flag(out, flags, rules.override_flag),
        recovery_support=_flag(out, flags, rules.recovery_flag).clip(0, 1),
    )
    if names is None:
        return out.with_columns(trust_name=pl.lit(""))
    nm = names.group_by("quarter", "trust_code").agg(pl.col("trust_name").first())
    return out.join(nm, on=["quarter", "trust_code"], how="left").with_columns(
        pl.col("trust_name").fill_null(""))


def _league_trusts(league: pl.DataFrame, present: pl.DataFrame | None,
                   rules: NofRules) -> pl.DataFrame:
    """League-table trusts without metric scores in the quarter: their published average and
    deficit flag (-1: not given) join the population."""
    only = league if present is None else league.join(
        present, on=["quarter", "trust_code"], how="anti")
    return only.select(
        "quarter", "peer_group", "trust_code", "trust_name",
        average=pl.col("average_score"), n_metrics=pl.lit(None, pl.Int64),
        **{f"domain_{s}": pl.lit(None, pl.Float64) for s in rules.domains},
        source=pl.lit("league table"),
        financial_override=pl.col("deficit").fill_null(-1).cast(pl.Int64),
        recovery_support=pl.lit(0, pl.Int64),
    )


PUBLISHED_SCHEMA = {
    "quarter": pl.String, "trust_code": pl.String, "published_unadjusted": pl.Float64,
    "published_adjusted": pl.Float64, "published_average": pl.Float64,
    "published_rank": pl.Int64, "likely_average": pl.String, "likely_rank": pl.String,
}


def _published(published: pl.DataFrame | None, league: pl.DataFrame | None) -> pl.DataFrame:
    """NHS England's published figures per trust and quarter, from data files' summary rows and
    league tables (the first given wins where both have one)."""
    parts = []
    if published is not None:
        parts.append(published.with_columns(
            published_rank=pl.lit(None, pl.Int64), likely_average=pl.lit(None, pl.String),
            likely_rank=pl.lit(None, pl.String)))
    if league is not None and league.height:
        parts.append(league.select(
            "quarter", "trust_code", "published_adjusted", "published_rank",
            published_unadjusted=pl.lit(None, pl.Float64), published_average="average_score",
            likely_average=pl.col("likely_average").replace("", None),
            likely_rank=pl.col("likely_rank").replace("", None)))
    if not parts:
        return pl.DataFrame(schema=PUBLISHED_SCHEMA)
    typed = [p.select(*(pl.col(c).cast(t) for c, t in PUBLISHED_SCHEMA.items())) for p in parts]
    return pl.concat(typed).group_by("quarter", "trust_code").agg(
        pl.all().drop_nulls().first())


def _segment_table(out: pl.DataFrame, rules: NofRules, use_bounds: bool) -> pl.DataFrame:
    floor, dec = rules.override_floor, rules.decimals
    avg = out["average"].to_numpy().astype(np.float64)
    override = out["financial_override"].to_numpy()
    low, high = allowed_unadjusted(
        out["published_unadjusted"].fill_null(0).to_numpy(),
        out["published_adjusted"].fill_null(0).to_numpy(), override, floor)
    cut_columns, used = _cut_points(out, avg, low, high, rules, use_bounds)
    unadj = segments_from_cuts(avg, used)
    n = out.height
    known_override = np.maximum(override, 0)
    adjusted = np.where(known_override == 1, np.maximum(unadj, floor), unadj)
    recovery = out["recovery_support"].to_numpy()
    final_seg = np.where(recovery == 1, rules.recovery_segment, adjusted)
    avg_pub = round_half_up(avg, dec)
    peer_id = out.select(pl.struct("quarter", "peer_group").rank("dense") - 1).to_series()
    rank = league_rank(peer_id.to_numpy().astype(np.int64), adjusted, avg_pub)
    pub_adj = out["published_adjusted"].fill_null(0).to_numpy().astype(np.int64)
    checks = [
        _check(int(unadj[i]), int(adjusted[i]), int(low[i]), int(high[i]), int(pub_adj[i]),
               int(override[i]), float(avg[i]), used[i])
        for i in range(n)
    ]
    domain_cols = [
        pl.col(f"domain_{s}")
        .map_batches(lambda c: pl.Series(round_half_up(c.to_numpy(), dec)), return_dtype=pl.Float64)
        .fill_nan(None)
        for s in rules.domains
    ]
    out = out.with_columns(
        *domain_cols,
        average_score=pl.Series(avg_pub),
        average_unrounded=pl.Series(avg),
        unadjusted_segment=pl.Series(unadj),
        financial_override=pl.Series(known_override),
        override_given=pl.Series(override >= 0),
        adjusted_segment=pl.Series(adjusted),
        final_segment=pl.Series(final_seg),
        rank=pl.Series(rank),
        **cut_columns,
        published_check=pl.Series(checks, dtype=pl.String),
    )
    return out.select(
        "quarter", "trust_code", "trust_name", "average_score", "unadjusted_segment",
        "financial_override", "adjusted_segment", "final_segment", "rank",
        *(f"domain_{s}" for s in rules.domains),
        "population", "national_population", "cut_points",
        "peer_group", "average_unrounded", "n_metrics", "recovery_support", "source",
        "override_given", "quartile_cut_points", "cut_point_bounds", "bounded",
        pl.col("published_unadjusted").cast(pl.Int64), pl.col("published_adjusted").cast(pl.Int64),
        "published_average", "published_rank", "likely_average", "likely_rank", "published_check",
    ).sort("quarter", "peer_group", "rank", "trust_code")


def _cut_points(out: pl.DataFrame, avg: np.ndarray, low: np.ndarray, high: np.ndarray,
                rules: NofRules, use_bounds: bool) -> tuple[dict[str, pl.Series], np.ndarray]:
    """Per row: the population its cut points were taken over, the national count, the
    quartiles, the bounds from the published segments and the cut points used (n x 3)."""
    cut_rule, unit = rules.cut_rule, 10.0**-rules.decimals
    group_cols = ["quarter"] if cut_rule.pooled else ["quarter", "peer_group"]
    cut_group = out.select(pl.struct(group_cols).rank("dense") - 1).to_series().to_numpy()
    n = out.height
    population, national = np.zeros(n, np.int64), np.full(n, -1, np.int64)
    quartiles, used = np.zeros((n, 3)), np.zeros((n, 3))
    bounds: list[list[float | None]] = [[]] * n
    quarter_col, peer_col = out["quarter"].to_list(), out["peer_group"].to_list()
    for g in np.unique(cut_group):
        sel = np.flatnonzero(cut_group == g)
        whole = cut_rule.national(quarter_col[sel[0]],
                                  None if cut_rule.pooled else peer_col[sel[0]])
        cuts = cut_rule.cut_points(avg[sel])
        bound = cut_point_bounds(avg[sel], low[sel], high[sel])
        final = cuts
        if use_bounds and cut_rule.uses_population and (whole is None or sel.size < whole):
            final = np.maximum.accumulate(
                [bounded_cut(float(c), b, unit) for c, b in zip(cuts, bound, strict=True)])
        population[sel], national[sel] = sel.size, -1 if whole is None else whole
        quartiles[sel], used[sel] = cuts, final
        flat = [x for b in bound for x in b]
        for i in sel:
            bounds[i] = flat
    columns = {
        "population": pl.Series(population),
        "national_population": pl.Series(national).replace(-1, None),
        "cut_points": pl.Series(used.tolist(), dtype=pl.List(pl.Float64)),
        "quartile_cut_points": pl.Series(quartiles.tolist(), dtype=pl.List(pl.Float64)),
        "cut_point_bounds": pl.Series(bounds, dtype=pl.List(pl.Float64)),
        "bounded": pl.Series(np.any(used != quartiles, axis=1)),
    }
    return columns, used


CUT_NAMES = ("1|2", "2|3", "3|4")


def _check(unadj: int, adjusted: int, low: int, high: int, published_adjusted: int,
           override: int, average: float, cuts: np.ndarray) -> str | None:
    """Why a computed segment disagrees with the published ones (None: it agrees or there is
    nothing published): the boundary concerned, or the override the file does not flag."""
    if low <= unadj <= high:
        if published_adjusted and adjusted != published_adjusted and override < 0:
            return (f"published adjusted segment {published_adjusted} needs the financial "
                    f"override, which the file does not give (computed unadjusted {unadj})")
        return None
    allowed = str(low) if low == high else f"{low}-{high}"
    # the cut point next to the computed segment, on the published side
    k, side = (unadj, "at or below") if unadj < low else (unadj - 1, "above")
    return (f"computed unadjusted segment {unadj}, published segments allow {allowed}: average "
            f"{average:.4f} is {side} cut {CUT_NAMES[k - 1]} {cuts[k - 1]:.4f} where the "
            f"published segment puts it on the other side")
