"""NHS Oversight Framework 2025/26 scored segmentation (pure: numpy and polars only).

Pipeline, each step driven by the framework's ``rules.yaml`` (see :func:`load_rules`):

1. metric scores 1-4: the published OF1xxx score where present (a rank-scaled score unrounded
   from its 2 dp publication, see :func:`unround_rank_scaled`), otherwise computed from the
   OF0xxx value (rank-scaled within the peer group, discrete bands, or a lookup of other scores);
2. domain scores: mean of the domain's counted metric scores; average metric score: unweighted
   mean of all counted metric scores (both from unrounded scores, published rounded to 2 dp);
3. unadjusted segment: the average against the quarter's cut points, by the rules file's
   cut-point rule (2025/26: quartiles over every trust of every type; see :class:`CutPointRule`);
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

from oversight.engine import periods
from oversight.engine.ranking import rank_arrays
from oversight.frameworks.datafile import DataFileError, DataTree

__all__ = [
    "CUT_METHODS",
    "CutPointRule",
    "DEFAULT_RULES",
    "INPUT_METRIC",
    "MetricRule",
    "NofInputError",
    "NofRules",
    "RulesError",
    "allowed_unadjusted",
    "bounded_cut",
    "compute_scores",
    "cut_point_bounds",
    "file_layout",
    "league_rank",
    "load_rules",
    "population_notes",
    "published_summary",
    "read_league",
    "read_published",
    "round_half_up",
    "segment",
    "segment_file",
    "segment_files",
    "segments_from_cuts",
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
    cut_rule: CutPointRule
    override_flag: str
    override_floor: int
    recovery_flag: str
    recovery_segment: int

    @property
    def counted(self) -> list[str]:
        return [m for m, r in self.metrics.items() if r.counts]

    @property
    def quantile_method(self) -> str:
        return self.cut_rule.quantile_method

#: The cut-point rules a rules file may name (``segmentation.unadjusted.method``).
CUT_METHODS = {
    "national_quartiles": "quartiles of the national population per quarter (every trust type)",
    "peer_quartiles": "quartiles within the trust type per quarter",
    "fixed_thresholds": "fixed thresholds",
}
QUANTILE_METHODS = (
    "inverted_cdf", "averaged_inverted_cdf", "closest_observation", "interpolated_inverted_cdf",
    "hazen", "weibull", "linear", "median_unbiased", "normal_unbiased", "lower", "higher",
    "midpoint", "nearest",
)
EVERY_QUARTER = "every_quarter"


@dataclass(frozen=True)
class CutPointRule:
    """Where the cut points between segments 1|2, 2|3 and 3|4 of the average score come from.

    An average equal to a cut point stays in the better segment.
    """

    method: str
    quantile_method: str = "linear"
    thresholds: tuple[float, ...] = ()
    #: trusts NHS England segments, per trust type: every quarter, and quarters that differ
    national_population: dict[str, int] = field(default_factory=dict)
    population_by_quarter: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def pooled(self) -> bool:
        """Cut points shared by every trust type of the quarter (not one set per type)."""
        return self.method != "peer_quartiles"

    @property
    def uses_population(self) -> bool:
        return self.method != "fixed_thresholds"

    def describe(self) -> str:
        if self.method == "fixed_thresholds":
            return "fixed thresholds " + ", ".join(f"{t:g}" for t in self.thresholds)
        return f"{CUT_METHODS[self.method]} ({self.quantile_method} cut points)"

    def national(self, quarter: str, peer_group: str | None = None) -> int | None:
        """Trusts segmented nationally in the quarter (of one trust type, or every type)."""
        counts = self.population_by_quarter.get(quarter, self.national_population)
        if not counts:
            return None
        return sum(counts.values()) if peer_group is None else counts.get(peer_group)

    def cut_points(self, averages: np.ndarray) -> np.ndarray:
        """The three cut points of a population's averages (lower is better)."""
        if self.method == "fixed_thresholds":
            return np.asarray(self.thresholds, dtype=np.float64)
        return np.percentile(  # type: ignore[call-overload]
            np.asarray(averages, dtype=np.float64), [25, 50, 75], method=self.quantile_method
        )


def _cut_rule(tree: DataTree, unadj: dict[str, Any]) -> CutPointRule:
    where = ("segmentation", "unadjusted")
    need, fail = tree.need, tree.fail
    method = need(unadj, "method", str, where)
    if method not in CUT_METHODS:
        raise fail((*where, "method"), f"unknown method '{method}' ({', '.join(CUT_METHODS)})")
    kw: dict[str, Any] = {}
    if method == "fixed_thresholds":
        raw = need(unadj, "thresholds", list, where)
        ok = len(raw) == 3 and all(
            isinstance(t, (int, float)) and not isinstance(t, bool) for t in raw
        )
        if not ok or not raw[0] < raw[1] < raw[2]:
            raise fail((*where, "thresholds"), "expected three increasing numbers (1|2, 2|3, 3|4)")
        kw["thresholds"] = tuple(float(t) for t in raw)
    else:
        qm = need(unadj, "quantile_method", str, where)
        if qm not in QUANTILE_METHODS:
            raise fail((*where, "quantile_method"), f"unknown quantile method '{qm}'")
        kw["quantile_method"] = qm
        pop = need(unadj, "national_population", dict, where)
        by_quarter: dict[str, dict[str, int]] = {}
        for key, counts in pop.items():
            here = (*where, "national_population", str(key))
            if key != EVERY_QUARTER and not periods.CANONICAL_QUARTER.match(str(key)):
                raise fail(here, f"expected '{EVERY_QUARTER}' or a quarter like 'Q3 2025/26'")
            bad = not isinstance(counts, dict) or not counts or any(
                not isinstance(n, int) or isinstance(n, bool) or n < 1 for n in counts.values()
            )
            if bad:
                raise fail(here, "expected trust types mapping to positive whole numbers")
            by_quarter[str(key)] = {str(t): int(n) for t, n in counts.items()}
        if EVERY_QUARTER not in by_quarter:
            raise fail((*where, "national_population"), f"missing required key '{EVERY_QUARTER}'")
        kw["national_population"] = by_quarter.pop(EVERY_QUARTER)
        kw["population_by_quarter"] = by_quarter
    return CutPointRule(method, **kw)


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
    cut_rule = _cut_rule(tree, need(seg, "unadjusted", dict, ("segmentation",)))
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
        cut_rule=cut_rule,
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



#: NHS England's league table layout (one row per trust): the columns the engine needs.
LEAGUE_COLUMNS = ("Quarter", "Trust_type", "Trust_code", "Trust_name", "Average_score", "Segment")
LEAGUE_OPTIONAL = (
    "Trust_in_financial_deficit", "Rank", "Likely_range_of_average_score", "Likely_range_of_rank",
)
#: Metric rows a NOF data file feeds the engine with: metric values (OF0xxx) and scores (OF1xxx).
INPUT_METRIC = re.compile(r"^OF[01]\d{3}$")
#: The published summary rows read back only to compare with: unadjusted, adjusted, average.
PUBLISHED_SUMMARY = {"OF5003": "published_unadjusted", "OF5000": "published_adjusted",
                     "OF5002": "published_average"}
YES_NO = {"yes": 1, "no": 0, "y": 1, "n": 0, "1": 1, "0": 0, "true": 1, "false": 0}


def file_layout(path: str | Path) -> str:
    """'data' (one row per trust, quarter and metric) or 'league' (one row per trust)."""
    path = Path(path)
    try:
        header = pl.read_csv(path, n_rows=0, infer_schema_length=0).columns
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise NofInputError(f"{path}: cannot read as CSV: {exc}") from exc
    if "Metric_ID" in header:
        return "data"
    if "Average_score" in header:
        return "league"
    raise NofInputError(
        f"{path}: row 1: neither a NOF data file (columns {', '.join(REQUIRED_COLUMNS)}) nor a "
        f"league table (columns {', '.join(LEAGUE_COLUMNS)})"
    )


def read_league(path: str | Path) -> pl.DataFrame:
    """Read a league table in NHS England's layout (one row per trust and quarter).

    Returns quarter, peer_group, trust_code, trust_name, average_score, published_adjusted,
    deficit (1, 0 or null when not given), published_rank, likely_average, likely_rank, row.
    """
    path = Path(path)
    try:
        raw = pl.read_csv(path, infer_schema_length=0, encoding="utf8-lossy")
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise NofInputError(f"{path}: cannot read as CSV: {exc}") from exc
    missing = [c for c in LEAGUE_COLUMNS if c not in raw.columns]
    if missing:
        raise NofInputError(f"{path}: row 1: missing column(s) {', '.join(missing)} "
                            f"(a league table has {', '.join(LEAGUE_COLUMNS)}, ...)")
    for c in LEAGUE_OPTIONAL:
        if c not in raw.columns:
            raw = raw.with_columns(pl.lit(None, pl.String).alias(c))
    raw = raw.with_row_index("row", offset=2).with_columns(pl.col(pl.String).str.strip_chars())

    def fail(frame: pl.DataFrame, column: str, reason: str) -> None:
        if frame.height:
            first = frame.row(0, named=True)
            raise NofInputError(f"{path}: row {first['row']}: column {column}: "
                                f"{reason.format(first[column])} ({frame.height} such row(s))")

    for col in ("Quarter", "Trust_type", "Trust_code"):
        fail(raw.filter(pl.col(col).is_null() | (pl.col(col) == "")), col, "empty")
    fail(raw.filter(~pl.col("Quarter").str.contains(periods.CANONICAL_QUARTER.pattern)),
         "Quarter", "{!r} is not a quarter like 'Q3 2025/26'")
    average = pl.col("Average_score").cast(pl.Float64, strict=False)
    fail(raw.filter(average.is_null() | ~average.is_between(1, 4)), "Average_score",
         "{!r} is not an average metric score from 1 to 4")
    seg = pl.col("Segment").cast(pl.Int64, strict=False)
    fail(raw.filter(seg.is_null() | ~seg.is_between(1, 4)), "Segment",
         "{!r} is not an adjusted segment 1-4")
    deficit = pl.col("Trust_in_financial_deficit").str.to_lowercase().replace_strict(
        YES_NO, default=None, return_dtype=pl.Int64)
    given = pl.col("Trust_in_financial_deficit").is_not_null() & (
        pl.col("Trust_in_financial_deficit") != "")
    fail(raw.filter(given & deficit.is_null()), "Trust_in_financial_deficit",
         "{!r} is not Yes or No")
    rank = pl.col("Rank").cast(pl.Int64, strict=False)
    fail(raw.filter(pl.col("Rank").is_not_null() & (pl.col("Rank") != "") & rank.is_null()),
         "Rank", "{!r} is not a whole number")
    dup = raw.filter(pl.struct("Quarter", "Trust_code").is_duplicated())
    fail(dup.slice(1), "Trust_code", "{!r} appears twice in the quarter")
    return raw.select(
        quarter="Quarter", peer_group="Trust_type", trust_code="Trust_code",
        trust_name=pl.col("Trust_name").fill_null(""), average_score=average,
        published_adjusted=seg, deficit=deficit, published_rank=rank,
        likely_average=pl.col("Likely_range_of_average_score").fill_null(""),
        likely_rank=pl.col("Likely_range_of_rank").fill_null(""), row="row",
    )


def published_summary(long: pl.DataFrame) -> pl.DataFrame:
    """The published unadjusted and adjusted segments and average of a data file's trusts
    (OF5003, OF5000, OF5002), for comparison only: the method never reads them."""
    rows = long.filter(pl.col("metric_id").is_in(list(PUBLISHED_SUMMARY))).drop_nulls("value")
    schema = {"quarter": pl.String, "trust_code": pl.String,
              **{c: pl.Float64 for c in PUBLISHED_SUMMARY.values()}}
    if rows.height == 0:
        return pl.DataFrame(schema=schema)
    wide = rows.pivot(on="metric_id", index=["quarter", "trust_code"], values="value",
                      aggregate_function="first")
    for mid, name in PUBLISHED_SUMMARY.items():
        wide = wide.with_columns((pl.col(mid) if mid in wide.columns
                                  else pl.lit(None, pl.Float64)).alias(name))
    segment_ok = pl.col("published_unadjusted", "published_adjusted").is_in([1.0, 2.0, 3.0, 4.0])
    return wide.select(*schema).with_columns(  # a segment that is not 1-4 says nothing
        pl.when(segment_ok).then(pl.col("published_unadjusted", "published_adjusted")))


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


def segments_from_cuts(average: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Segment 1-4 of each average (lower is better) given the cut points 1|2, 2|3, 3|4.

    An average equal to a cut point stays in the better segment.
    """
    return 1 + np.searchsorted(np.asarray(cuts, dtype=np.float64), average, side="left")


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
    summary = counted.group_by(_KEYS).agg(
        average=pl.col("score").mean(), n_metrics=pl.len().cast(pl.Int64))
    dom = counted.group_by(*_KEYS, "domain").agg(d=pl.col("score").mean())
    dom_wide = dom.pivot(on="domain", index=_KEYS, values="d")
    for slug in rules.domains:
        if slug not in dom_wide.columns:
            dom_wide = dom_wide.with_columns(pl.lit(None, pl.Float64).alias(slug))
    dom_wide = dom_wide.select(*_KEYS, *(pl.col(s).alias(f"domain_{s}") for s in rules.domains))
    return summary.join(dom_wide, on=_KEYS, how="left").with_columns(
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
    out = _scored_summary(scores, rules) if scores.height else None
    if out is not None:
        out = out.with_columns(
            financial_override=_flag(out, flags, rules.override_flag),
            recovery_support=_flag(out, flags, rules.recovery_flag).clip(0, 1),
        )
        if names is not None:
            nm = names.group_by("quarter", "trust_code").agg(pl.col("trust_name").first())
            out = out.join(nm, on=["quarter", "trust_code"], how="left")
        out = out.with_columns(pl.col("trust_name").fill_null("") if "trust_name" in out.columns
                               else pl.lit("").alias("trust_name"))
    pub_schema = {"quarter": pl.String, "trust_code": pl.String,
                  "published_unadjusted": pl.Float64, "published_adjusted": pl.Float64,
                  "published_average": pl.Float64, "published_rank": pl.Int64,
                  "likely_average": pl.String, "likely_rank": pl.String}
    pub_parts = [] if published is None else [published.with_columns(
        published_rank=pl.lit(None, pl.Int64), likely_average=pl.lit(None, pl.String),
        likely_rank=pl.lit(None, pl.String)).select(
        *(pl.col(c).cast(t) for c, t in pub_schema.items()))]
    if league is not None and league.height:
        pub_parts.append(league.select(
            "quarter", "trust_code", published_unadjusted=pl.lit(None, pl.Float64),
            published_adjusted=pl.col("published_adjusted").cast(pl.Float64),
            published_average="average_score", published_rank="published_rank",
            likely_average=pl.col("likely_average").replace("", None),
            likely_rank=pl.col("likely_rank").replace("", None)))
        only = league if out is None else league.join(
            out.select("quarter", "trust_code"), on=["quarter", "trust_code"], how="anti")
        extra = only.select(
            "quarter", "peer_group", "trust_code", "trust_name",
            average=pl.col("average_score"), n_metrics=pl.lit(None, pl.Int64),
            **{f"domain_{s}": pl.lit(None, pl.Float64) for s in rules.domains},
            source=pl.lit("league table"),
            financial_override=pl.col("deficit").fill_null(-1).cast(pl.Int64),
            recovery_support=pl.lit(0, pl.Int64),
        )
        out = extra if out is None else pl.concat([out, extra], how="diagonal_relaxed")
    if out is None or out.height == 0:
        raise NofInputError("no trust to segment: no metric scores and no league table rows")
    pub = (pl.concat(pub_parts).group_by("quarter", "trust_code").agg(pl.all().drop_nulls()
           .first()) if pub_parts else pl.DataFrame(schema=pub_schema))
    out = out.join(pub, on=["quarter", "trust_code"], how="left").with_columns(
        pl.col("likely_average", "likely_rank").fill_null("")).sort(
        "quarter", "peer_group", "trust_code")
    return _segment_table(out, rules, use_bounds)


def _segment_table(out: pl.DataFrame, rules: NofRules, use_bounds: bool) -> pl.DataFrame:
    cut_rule, floor, dec = rules.cut_rule, rules.override_floor, rules.decimals
    avg = out["average"].to_numpy().astype(np.float64)
    override = out["financial_override"].to_numpy()
    low, high = allowed_unadjusted(
        out["published_unadjusted"].fill_null(0).to_numpy(),
        out["published_adjusted"].fill_null(0).to_numpy(), override, floor)
    group_cols = ["quarter"] if cut_rule.pooled else ["quarter", "peer_group"]
    cut_group = out.select(pl.struct(group_cols).rank("dense") - 1).to_series().to_numpy()
    n = out.height
    unadj = np.zeros(n, np.int64)
    population, national = np.zeros(n, np.int64), np.full(n, -1, np.int64)
    quartiles, used = np.zeros((n, 3)), np.zeros((n, 3))
    bounds: list[list[float | None]] = [[]] * n
    is_bounded = np.zeros(n, bool)
    quarter_col, peer_col = out["quarter"].to_list(), out["peer_group"].to_list()
    for g in np.unique(cut_group):
        sel = np.flatnonzero(cut_group == g)
        q = quarter_col[sel[0]]
        whole = cut_rule.national(q, None if cut_rule.pooled else peer_col[sel[0]])
        cuts = cut_rule.cut_points(avg[sel])
        bound = cut_point_bounds(avg[sel], low[sel], high[sel])
        incomplete = cut_rule.uses_population and (whole is None or sel.size < whole)
        final = cuts
        if use_bounds and incomplete:
            final = np.maximum.accumulate(
                [bounded_cut(float(c), b, 10.0**-dec) for c, b in zip(cuts, bound, strict=True)])
        unadj[sel] = segments_from_cuts(avg[sel], final)
        population[sel], national[sel] = sel.size, -1 if whole is None else whole
        quartiles[sel], used[sel] = cuts, final
        flat = [x for b in bound for x in b]
        for i in sel:
            bounds[i] = flat
        is_bounded[sel] = bool(np.any(np.asarray(final) != cuts))
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
        population=pl.Series(population),
        national_population=pl.Series(national).replace(-1, None),
        cut_points=pl.Series(used.tolist(), dtype=pl.List(pl.Float64)),
        quartile_cut_points=pl.Series(quartiles.tolist(), dtype=pl.List(pl.Float64)),
        cut_point_bounds=pl.Series(bounds, dtype=pl.List(pl.Float64)),
        bounded=pl.Series(is_bounded),
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


def segment_files(
    files: list[str | Path],
    population: list[str | Path] | tuple[()] = (),
    quarter: str | None = None,
    rules: NofRules | None = None,
    use_bounds: bool = False,
) -> pl.DataFrame:
    """Segment every trust and quarter in NHS England NOF data files and league tables.

    ``files`` may be data files (acute, mental health and community, ambulance: the published
    layout) or league tables; ``population`` holds league tables whose trusts join the
    population with their published average. A trust in a data file is scored from its metric
    value and score rows (OF0xxx, OF1xxx) and the override and recovery flags; published domain
    and summary rows only bound the cut points and check the result (see :func:`segment`).
    """
    rules = rules or load_rules()
    longs, leagues = [], []
    for path in [*files, *population]:
        if file_layout(path) == "data":
            longs.append(read_published(path).with_columns(file=pl.lit(str(path))))
        else:
            leagues.append(read_league(path).with_columns(file=pl.lit(str(path))))
    long = pl.concat(longs) if longs else None
    league = pl.concat(leagues) if leagues else None
    if quarter is not None:
        known = sorted({q for f in (long, league) if f is not None for q in f["quarter"]})
        long = None if long is None else long.filter(pl.col("quarter") == quarter)
        league = None if league is None else league.filter(pl.col("quarter") == quarter)
        if not any(f is not None and f.height for f in (long, league)):
            raise NofInputError(f"{', '.join(map(str, [*files, *population]))}: no rows for "
                                f"quarter {quarter!r} (the files have {known})")
    for frame in (long, league):
        if frame is not None and frame.height:
            _one_file_per_trust(frame)
    scores = pl.DataFrame(schema={k: pl.String for k in [*_KEYS, "metric_id"]})
    flags = names = published = None
    if long is not None:
        published = published_summary(long)
        ignored = pl.any_horizontal(
            *(pl.col("metric_id").str.starts_with(p) for p in rules.ignored_prefixes)
        )
        long = long.filter(~ignored)
        inputs = long.filter(pl.col("metric_id").str.contains(INPUT_METRIC.pattern))
        flags = long.filter(pl.col("metric_id").is_in([rules.override_flag, rules.recovery_flag]))
        scores = compute_scores(inputs, rules)
        names = long.select("quarter", "trust_code", "trust_name")
        if scores.height == 0 and league is None:
            raise NofInputError(f"{', '.join(map(str, files))}: no metric value or score rows "
                                "(OF0xxx/OF1xxx) to segment")
    return segment(scores, rules, flags=flags, names=names, league=league,
                   published=published, use_bounds=use_bounds)


def _one_file_per_trust(frame: pl.DataFrame) -> None:
    """A trust's quarter comes from one file: the same trust in two files is ambiguous."""
    both = (frame.group_by("quarter", "trust_code").agg(pl.col("file").unique().sort())
            .filter(pl.col("file").list.len() > 1).sort("quarter", "trust_code"))
    if both.height:
        r = both.row(0, named=True)
        raise NofInputError(f"{r['file'][1]}: trust {r['trust_code']} in {r['quarter']} is also "
                            f"in {r['file'][0]} ({both.height} such trust-quarter(s))")


def segment_file(
    path: str | Path, quarter: str | None = None, rules: NofRules | None = None
) -> pl.DataFrame:
    """Segment every trust and quarter in one published-layout NOF file."""
    return segment_files([path], quarter=quarter, rules=rules)


def population_notes(table: pl.DataFrame, rules: NofRules) -> list[str]:
    """What a reader of the segments must know: each quarter whose cut points were taken over
    fewer trusts than the national population (per trust type, with the bounds the published
    segments put on the cut points), and each trust whose segment disagrees with the published
    ones."""
    notes: list[str] = []
    group_cols = ["quarter"] if rules.cut_rule.pooled else ["quarter", "peer_group"]
    for g in table.partition_by(group_cols, maintain_order=True):
        q, first = g["quarter"][0], g.row(0, named=True)
        whole = first["national_population"]
        if not rules.cut_rule.uses_population or (whole is not None and g.height >= whole):
            continue
        types = ", ".join(
            f"{t} {n}" + (f" of {rules.cut_rule.national(q, t)}"
                          if rules.cut_rule.national(q, t) else "")
            for t, n in g.group_by("peer_group").len().sort("peer_group").iter_rows()
        )
        scope = q if rules.cut_rule.pooled else f"{q} {first['peer_group']}"
        b = first["cut_point_bounds"]
        bounds = "; ".join(
            f"cut {name} in [{_f(b[2 * k])}, {_f(b[2 * k + 1])})"
            for k, name in enumerate(CUT_NAMES)
        )
        notes.append(
            f"{scope}: population incomplete: cut points from {g.height} of "
            f"{whole if whole is not None else 'an unknown number of'} trusts ({types}); "
            f"quartiles {_cuts(first['quartile_cut_points'])}; the published segments put "
            f"{bounds}" + (f"; used {_cuts(first['cut_points'])}" if first["bounded"] else "")
        )
    for r in table.filter(pl.col("published_check").is_not_null()).iter_rows(named=True):
        notes.append(f"{r['quarter']} {r['trust_code']} ({r['trust_name']}): "
                     f"{r['published_check']}")
    return notes


def _f(x: float | None) -> str:
    return "?" if x is None else f"{x:.4f}"


def _cuts(cuts: list[float]) -> str:
    return " | ".join(f"{c:.4f}" for c in cuts)
