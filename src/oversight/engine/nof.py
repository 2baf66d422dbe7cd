"""NHS Oversight Framework 2025/26 scored segmentation (pure: numpy and polars only).

Pipeline, each step driven by the framework's ``rules.yaml`` (see :func:`load_rules`):

1. metric scores 1-4: the published OF1xxx score where present (a rank-scaled score unrounded
   from its 2 dp publication, see :func:`unround_rank_scaled`), otherwise computed from the
   OF0xxx value (rank-scaled within the peer group, discrete bands, or a lookup of other scores);
2. domain scores: mean of the domain's counted metric scores; average metric score: unweighted
   mean of all counted metric scores (both from unrounded scores, published rounded to 2 dp);
3. unadjusted segment: quartile of the unrounded average within peer group and quarter;
4. financial override (OF5004): held at segment 3 or worse -> adjusted segment;
5. Recovery Support Programme (OF5007): final segment 5;
6. league rank: adjusted segment, then the 2 dp average; ties share the lowest rank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from oversight.engine.ranking import rank_arrays
from oversight.frameworks.datafile import DataFileError, DataTree

__all__ = [
    "DEFAULT_RULES",
    "MetricRule",
    "NofInputError",
    "NofRules",
    "RulesError",
    "compute_scores",
    "league_rank",
    "load_rules",
    "read_published",
    "round_half_up",
    "segment",
    "segment_file",
    "unadjusted_segments",
    "unround_rank_scaled",
]

DEFAULT_RULES = Path(__file__).resolve().parent.parent / "frameworks" / "nof-2025-26" / "rules.yaml"
REQUIRED_COLUMNS = ("Quarter", "Trust_type", "Trust_code", "Trust_name", "Metric_ID", "Value")
OPTIONAL_COLUMNS = ("Rank",)


# ----------------------------------------------------------------------------- rules


class RulesError(DataFileError):
    """A rules file is invalid; the message names the file, line (0: the whole file) and reason."""

    def where(self) -> str:
        return f"{self.path}:{self.line or 0}"


@dataclass(frozen=True)
class MetricRule:
    metric_id: str
    domain: str
    counts: bool
    method: str
    value_metric: str | None = None
    higher_is_better: bool = False
    population: str = "peer_group"
    bands: tuple[tuple[float, float], ...] = ()
    otherwise: float | None = None
    inputs: tuple[str, ...] = ()
    table: dict[tuple[float, ...], float] = field(default_factory=dict)


@dataclass(frozen=True)
class NofRules:
    framework: str
    path: Path
    decimals: int
    unround_published: bool  # recover unrounded rank-scaled scores from their 2 dp publication
    domains: dict[str, str]  # slug -> published domain name
    metrics: dict[str, MetricRule]
    ignored_prefixes: tuple[str, ...]
    quantile_method: str
    override_flag: str
    override_floor: int
    recovery_flag: str
    recovery_segment: int

    @property
    def counted(self) -> list[str]:
        return [m for m, r in self.metrics.items() if r.counts]


def load_rules(path: str | Path = DEFAULT_RULES) -> NofRules:
    """Read and validate a scored-framework rules file; errors name file, line and reason."""
    path = Path(path)
    tree = DataTree.read(path, RulesError)
    data, fail, need = tree.data, tree.fail, tree.need
    if not isinstance(data, dict):
        raise fail((), "expected a mapping at the top level")
    framework = need(data, "framework", str, ())
    decimals = need(data, "published_decimals", int, ())
    published_scores = need(data, "published_scores", dict, ())
    unround = need(published_scores, "unround_rank_scaled", bool, ("published_scores",))
    domains = need(data, "domains", dict, ())
    for slug, name in domains.items():
        if not re.fullmatch(r"[a-z0-9_]+", slug) or not isinstance(name, str):
            raise fail(("domains", slug), "domain keys must be slugs (a-z, 0-9, _) naming a string")
    metrics_raw = need(data, "metrics", dict, ())
    metrics: dict[str, MetricRule] = {}
    for mid, spec in metrics_raw.items():
        where = ("metrics", mid)
        if not re.fullmatch(r"OF1\d{3}", mid):
            raise fail(where, "metric score ids must look like OF1xxx")
        if not isinstance(spec, dict):
            raise fail(where, "expected a mapping")
        domain = need(spec, "domain", str, where)
        if domain not in domains:
            raise fail((*where, "domain"), f"unknown domain '{domain}' (not under 'domains')")
        counts = need(spec, "counts", bool, where)
        scoring = need(spec, "scoring", dict, where)
        method = need(scoring, "method", str, (*where, "scoring"))
        kw: dict[str, Any] = {}
        if method in ("rank_scaled", "bands"):
            kw["value_metric"] = need(spec, "value_metric", str, where)
            if not re.fullmatch(r"OF0\d{3}", kw["value_metric"]):
                raise fail((*where, "value_metric"), "value metric ids must look like OF0xxx")
            kw["higher_is_better"] = need(spec, "higher_is_better", bool, where)
        if method == "rank_scaled":
            pop = need(scoring, "population", str, (*where, "scoring"))
            if pop not in ("peer_group", "national"):
                raise fail((*where, "scoring", "population"), "must be peer_group or national")
            kw["population"] = pop
        elif method == "bands":
            bands = need(scoring, "bands", list, (*where, "scoring"))
            parsed = []
            for i, band in enumerate(bands):
                bw = (*where, "scoring", "bands", str(i))
                parsed.append(
                    (
                        float(need(band, "min", (int, float), bw)),
                        float(need(band, "score", (int, float), bw)),
                    )
                )
            if any(a[0] <= b[0] for a, b in zip(parsed, parsed[1:], strict=False)):
                raise fail((*where, "scoring", "bands"), "band minimums must strictly decrease")
            kw["bands"] = tuple(parsed)
            kw["otherwise"] = float(need(scoring, "otherwise", (int, float), (*where, "scoring")))
        elif method == "lookup":
            inputs = need(scoring, "inputs", list, (*where, "scoring"))
            table = need(scoring, "table", dict, (*where, "scoring"))
            parsed_table: dict[tuple[float, ...], float] = {}
            for key, score in table.items():
                try:
                    k = tuple(float(x) for x in str(key).split(","))
                except ValueError:
                    raise fail(
                        (*where, "scoring", "table", key), "keys are comma-separated scores"
                    ) from None
                if len(k) != len(inputs) or not isinstance(score, (int, float)):
                    raise fail(
                        (*where, "scoring", "table", key),
                        f"expected {len(inputs)} input scores mapping to a number",
                    )
                parsed_table[k] = float(score)
            kw["inputs"] = tuple(str(i) for i in inputs)
            kw["table"] = parsed_table
        elif method != "published":
            raise fail(
                (*where, "scoring", "method"),
                f"unknown method '{method}' (rank_scaled, bands, lookup, published)",
            )
        metrics[mid] = MetricRule(mid, domain, counts, method, **kw)
    for mid, rule in metrics.items():
        for dep in rule.inputs:
            if dep not in metrics:
                raise fail(("metrics", mid, "scoring", "inputs"), f"unknown input metric '{dep}'")
    ignored = need(data, "ignored_metric_prefixes", list, ())
    seg = need(data, "segmentation", dict, ())
    unadj = need(seg, "unadjusted", dict, ("segmentation",))
    if need(unadj, "method", str, ("segmentation", "unadjusted")) != "peer_quartiles":
        raise fail(("segmentation", "unadjusted", "method"), "only peer_quartiles is implemented")
    qmethod = need(unadj, "quantile_method", str, ("segmentation", "unadjusted"))
    fo = need(seg, "financial_override", dict, ("segmentation",))
    rs = need(seg, "recovery_support", dict, ("segmentation",))
    return NofRules(
        framework=framework,
        path=path,
        decimals=decimals,
        unround_published=unround,
        domains=dict(domains),
        metrics=metrics,
        ignored_prefixes=tuple(str(p) for p in ignored),
        quantile_method=qmethod,
        override_flag=need(fo, "flag_metric", str, ("segmentation", "financial_override")),
        override_floor=need(fo, "floor_segment", int, ("segmentation", "financial_override")),
        recovery_flag=need(rs, "flag_metric", str, ("segmentation", "recovery_support")),
        recovery_segment=need(rs, "segment", int, ("segmentation", "recovery_support")),
    )


# ----------------------------------------------------------------------------- input


class NofInputError(ValueError):
    """Bad input file; the message names the file, row, column and reason."""


def read_published(path: str | Path) -> pl.DataFrame:
    """Read a file in NHS England's published NOF layout into a validated long table.

    Returns columns quarter, peer_group, trust_code, trust_name, metric_id, value (Float64),
    row (the 1-based line number in the file, header = line 1).
    """
    path = Path(path)
    try:
        raw = pl.read_csv(path, infer_schema_length=0, encoding="utf8-lossy")
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise NofInputError(f"{path}: cannot read as CSV: {exc}") from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise NofInputError(
            f"{path}: row 1: missing column(s) {', '.join(missing)} "
            f"(the published NOF layout has {', '.join(REQUIRED_COLUMNS)}, ...)"
        )
    raw = raw.with_row_index("row", offset=2)
    value_text = pl.col("Value").str.strip_chars()
    parsed = raw.with_columns(
        value=value_text.cast(pl.Float64, strict=False),
        metric_id=pl.col("Metric_ID").str.strip_chars(),
    )
    bad = parsed.filter(pl.col("value").is_null() & value_text.is_not_null() & (value_text != ""))
    if bad.height:
        first = bad.row(0, named=True)
        raise NofInputError(
            f"{path}: row {first['row']}: column Value: cannot parse {first['Value']!r} as a "
            f"number ({bad.height} such row(s))"
        )
    for col in ("Quarter", "Trust_code", "Metric_ID"):
        empty = parsed.filter(pl.col(col).is_null() | (pl.col(col).str.strip_chars() == ""))
        if empty.height:
            raise NofInputError(f"{path}: row {empty['row'][0]}: column {col}: empty")
    bad_id = parsed.filter(~pl.col("metric_id").str.contains(r"^OF\d{4}$"))
    if bad_id.height:
        r = bad_id.row(0, named=True)
        raise NofInputError(
            f"{path}: row {r['row']}: column Metric_ID: {r['Metric_ID']!r} is not an OFnnnn id"
        )
    return parsed.select(
        pl.col("row"),
        pl.col("Quarter").str.strip_chars().alias("quarter"),
        pl.col("Trust_type").fill_null("").str.strip_chars().alias("peer_group"),
        pl.col("Trust_code").str.strip_chars().alias("trust_code"),
        pl.col("Trust_name").fill_null("").str.strip_chars().alias("trust_name"),
        pl.col("metric_id"),
        pl.col("value"),
        (
            pl.col("Rank").str.strip_chars().cast(pl.Float64, strict=False)
            if "Rank" in raw.columns
            else pl.lit(None, pl.Float64)
        ).alias("rank"),
    )


# ----------------------------------------------------------------------------- scoring


def round_half_up(x: np.ndarray | float, decimals: int = 2) -> np.ndarray:
    """Round half away from zero as NHS England's published figures do (not banker's rounding).

    A relative nudge of 1e-9 absorbs binary representation error (2.555 is stored as 2.55499...).
    """
    arr = np.asarray(x, dtype=np.float64)
    f = 10.0**decimals
    return np.sign(arr) * np.floor(np.abs(arr) * f * (1 + 1e-12) + 0.5 + 1e-9) / f


_KEYS = ["quarter", "peer_group", "trust_code"]


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
    unit = 10.0**-decimals
    for n in range(max(scores.size, 2), int(round(3 / unit)) + 2):
        step = 3.0 / (n - 1)
        unrounded = 1 + np.round((scores - 1) / step) * step
        if np.all(np.abs(round_half_up(unrounded, decimals) - scores) < unit / 100):
            return unrounded
    return None


def compute_scores(long: pl.DataFrame, rules: NofRules) -> pl.DataFrame:
    """Metric scores for every organisation and quarter: published where given, else computed.

    ``long`` has quarter, peer_group, trust_code, metric_id, value and optionally rank: a given
    rank (NHS England's, of the unrounded values) is used for rank-scaled scores in preference
    to ranking the 2 dp published values, whose rounding creates ties that did not exist.
    Returns quarter, peer_group, trust_code, metric_id, score, source ('published'/'computed').
    """
    given_rank = pl.col("rank").cast(pl.Float64) if "rank" in long.columns else pl.lit(None)
    long = long.select(
        *_KEYS, "metric_id", pl.col("value").cast(pl.Float64), given_rank.alias("given_rank")
    )
    published = long.filter(pl.col("metric_id").is_in(list(rules.metrics))).drop_nulls("value")
    published = published.select(*_KEYS, "metric_id", score="value", source=pl.lit("published"))
    if rules.unround_published:
        published = _unround_published(published, rules)
    parts = [published]
    have = published.select(*_KEYS, "metric_id")

    def computed(mid: str, frame: pl.DataFrame) -> None:
        frame = frame.with_columns(metric_id=pl.lit(mid), source=pl.lit("computed"))
        frame = frame.join(have, on=[*_KEYS, "metric_id"], how="anti")
        parts.append(frame.select(*_KEYS, "metric_id", pl.col("score").cast(pl.Float64), "source"))

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
        wide = base.pivot(on="metric_id", index=_KEYS, values="score", aggregate_function="first")
        if not all(i in wide.columns for i in rule.inputs):
            continue
        keys = zip(*(wide[i].to_list() for i in rule.inputs), strict=True)
        score = [rule.table.get(tuple(k)) if None not in k else None for k in keys]
        wide = wide.with_columns(score=pl.Series(score, dtype=pl.Float64)).drop_nulls("score")
        computed(mid, wide)
    return pl.concat(parts).sort(*_KEYS, "metric_id")


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


# ----------------------------------------------------------------------------- segmentation


def unadjusted_segments(
    group_ids: np.ndarray, average: np.ndarray, quantile_method: str = "linear"
) -> np.ndarray:
    """Segment 1-4: quartile of ``average`` (lower is better) within each group.

    An average equal to a cut point stays in the better segment.
    """
    seg = np.zeros(average.shape, dtype=np.int64)
    for g in np.unique(group_ids):
        sel = group_ids == g
        cuts = np.percentile(average[sel], [25, 50, 75], method=quantile_method)  # type: ignore[call-overload]
        seg[sel] = 1 + np.searchsorted(cuts, average[sel], side="left")
    return seg


def league_rank(group_ids: np.ndarray, segment: np.ndarray, average: np.ndarray) -> np.ndarray:
    """Rank 1 best by segment, then average score; equal pairs share the lowest rank."""
    # Both keys are small and non-negative: combine them into one exact sort key.
    key = segment.astype(np.float64) * 100.0 + average
    return rank_arrays(group_ids, key, False).rank.astype(np.int64)


def segment(
    scores: pl.DataFrame,
    rules: NofRules,
    flags: pl.DataFrame | None = None,
    names: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Domain scores, average, segments and league rank for each organisation and quarter.

    ``scores``: quarter, peer_group, trust_code, metric_id, score (from :func:`compute_scores`).
    ``flags``: quarter, trust_code, metric_id, value for the override and recovery flags.
    ``names``: quarter, trust_code, trust_name.
    """
    counted = scores.filter(pl.col("metric_id").is_in(rules.counted)).with_columns(
        domain=pl.col("metric_id").replace_strict(
            {m: r.domain for m, r in rules.metrics.items()}, default=None
        )
    )
    summary = counted.group_by(_KEYS).agg(average=pl.col("score").mean(), n_metrics=pl.len())
    dom = counted.group_by(*_KEYS, "domain").agg(d=pl.col("score").mean())
    dom_wide = dom.pivot(on="domain", index=_KEYS, values="d")
    for slug in rules.domains:
        if slug not in dom_wide.columns:
            dom_wide = dom_wide.with_columns(pl.lit(None, pl.Float64).alias(slug))
    dom_wide = dom_wide.select(*_KEYS, *(pl.col(s).alias(f"domain_{s}") for s in rules.domains))
    out = summary.join(dom_wide, on=_KEYS, how="left").sort("quarter", "peer_group", "trust_code")

    def flag(metric: str) -> pl.Series:
        if flags is None:
            return pl.Series([0] * out.height, dtype=pl.Int64)
        f = (
            flags.filter(pl.col("metric_id") == metric)
            .group_by("quarter", "trust_code")
            .agg(pl.col("value").max())
        )
        j = out.select("quarter", "trust_code").join(f, on=["quarter", "trust_code"], how="left")
        return (j["value"].fill_null(0) > 0).cast(pl.Int64)

    groups = out.select(pl.struct("quarter", "peer_group").rank("dense") - 1).to_series()
    gid = groups.to_numpy().astype(np.int64)
    avg = out["average"].to_numpy()
    unadj = unadjusted_segments(gid, avg, rules.quantile_method)
    override = flag(rules.override_flag).to_numpy()
    adjusted = np.where(override == 1, np.maximum(unadj, rules.override_floor), unadj)
    recovery = flag(rules.recovery_flag).to_numpy()
    final = np.where(recovery == 1, rules.recovery_segment, adjusted)
    avg_pub = round_half_up(avg, rules.decimals)
    rank = league_rank(gid, adjusted, avg_pub)
    dec = rules.decimals
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
        financial_override=pl.Series(override),
        adjusted_segment=pl.Series(adjusted),
        recovery_support=pl.Series(recovery),
        final_segment=pl.Series(final),
        rank=pl.Series(rank),
    )
    if names is not None:
        nm = names.group_by("quarter", "trust_code").agg(pl.col("trust_name").first())
        out = out.join(nm, on=["quarter", "trust_code"], how="left")
    else:
        out = out.with_columns(trust_name=pl.lit(""))
    return out.select(
        "quarter",
        "trust_code",
        "trust_name",
        "average_score",
        "unadjusted_segment",
        "financial_override",
        "adjusted_segment",
        "final_segment",
        "rank",
        *(f"domain_{s}" for s in rules.domains),
        "peer_group",
        "average_unrounded",
        "n_metrics",
        "recovery_support",
    ).sort("quarter", "rank", "trust_code")


def segment_file(
    path: str | Path, quarter: str | None = None, rules: NofRules | None = None
) -> pl.DataFrame:
    """Segment every trust and quarter in a published-layout NOF file.

    Uses metric value and score rows (OF0xxx, OF1xxx) and the override and recovery flags;
    published domain and summary rows are ignored.
    """
    rules = rules or load_rules()
    long = read_published(path)
    if quarter is not None:
        known = sorted(set(long["quarter"].to_list()))
        long = long.filter(pl.col("quarter") == quarter)
        if long.height == 0:
            raise NofInputError(f"{path}: no rows for quarter {quarter!r} (file has {known})")
    ignored = pl.any_horizontal(
        *(pl.col("metric_id").str.starts_with(p) for p in rules.ignored_prefixes)
    )
    long = long.filter(~ignored)
    inputs = long.filter(pl.col("metric_id").str.contains(r"^OF[01]\d{3}$"))
    flags = long.filter(pl.col("metric_id").is_in([rules.override_flag, rules.recovery_flag]))
    scores = compute_scores(inputs, rules)
    if scores.height == 0:
        raise NofInputError(f"{path}: no metric value or score rows (OF0xxx/OF1xxx) to segment")
    names = long.select("quarter", "trust_code", "trust_name")
    return segment(scores, rules, flags=flags, names=names)
