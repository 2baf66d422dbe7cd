"""NOF scored-framework rules: the rules file's metrics, domains, cut-point rule and flags.

Everything the engine needs to turn metric values and scores into segments is data in the
framework year's ``rules.yaml``; :func:`load_rules` reads and validates it, naming file, line and
key path on any problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from oversight.engine import periods
from oversight.frameworks import rules_path
from oversight.frameworks.datafile import DataFileError, DataTree

DEFAULT_RULES = rules_path("nof-2025-26")


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
    def inputs(self) -> frozenset[str]:
        """Metric ids scores are made from: the scores and their value metrics, whatever their
        codes (NHS England's OF0xxx/OF1xxx, or an acute metric's Oversight code such as CAN62
        scored as CAN62_SCORE)."""
        values = {r.value_metric for r in self.metrics.values() if r.value_metric}
        return frozenset(self.metrics) | frozenset(values)

    @property
    def quantile_method(self) -> str:
        return self.cut_rule.quantile_method

#: Metric score ids: NHS England's OF1xxx, or CODE_SCORE for a metric NHS England's files do
#: not give an id here (the acute and ambulance metrics keep their Oversight codes).
SCORE_ID = re.compile(r"OF1\d{3}|[A-Z][A-Z0-9_]*_SCORE")
VALUE_ID = re.compile(r"OF0\d{3}|[A-Z][A-Z0-9_]*")

#: The cut-point rules a rules file may name (``segmentation.unadjusted.method``).
CUT_METHODS = {
    "national_quartiles": "quartiles of the national population per quarter (every trust type)",
    "peer_quartiles": "quartiles within the trust type per quarter",
    "fixed_thresholds": "fixed thresholds",
}
#: How each scoring method reads on the rules page (rules.yaml's own comments, in words).
SCORING_METHODS = {
    "rank_scaled": "ranked, best first, and scaled from 1 to 4",
    "bands": "a score for each band of the value",
    "lookup": "looked up from other metric scores",
    "published": "as NHS England publishes it (no value to score it from)",
}
SCORING_POPULATIONS = {"peer_group": "within the trust type", "national": "nationally"}
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
        if not SCORE_ID.fullmatch(mid):
            raise fail(where, "metric score ids must look like OF1xxx (NHS England's) or "
                       "CODE_SCORE (the score of an Oversight-coded metric)")
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
            if not VALUE_ID.fullmatch(kw["value_metric"]):
                raise fail((*where, "value_metric"), "value metric ids must look like OF0xxx "
                           "or be an Oversight catalogue code (capitals, digits, _)")
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
