"""Criteria segmentation (SOF 2021/22, NOF 2022/23): triggers, proposed segments, reasons.

Pure numpy: no Django. The caller hands over long arrays of observations (subject, metric,
period end, value); :func:`annotate` adds each point's national quartile
(``oversight.engine.ranking``, within metric x period x peer group) and its Making Data Count
point type (``oversight.engine.spc``, per subject x metric series); :func:`evaluate` then fires
every trigger for every subject x quarter at once and proposes a segment:

* default segment 2;
* segment 1 when the top-quartile share, financial plan and (trusts) CQC criteria are met and no
  trigger fired;
* segment 3 when any trigger fired; segment 4 when every group of ``segment_4.all_of`` has one.

Each proposal carries its reasons (rule, metric, period, value, quartile, SPC signal), a
what-if (:func:`what_if`) and early warnings. Every number comes from the framework's
``rules.yaml`` (:func:`load_criteria_rules`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from oversight.engine import ranking, spc
from oversight.engine.nof import RulesError
from oversight.engine.periods import quarter_end
from oversight.engine.spc.core import CONCERN
from oversight.frameworks.datafile import DataTree

__all__ = [
    "TRIGGERS",
    "Annotated",
    "CriteriaRules",
    "Evaluation",
    "Points",
    "RulesError",
    "annotate",
    "evaluate",
    "load_criteria_rules",
    "what_if",
]

FRAMEWORKS_DIR = Path(__file__).resolve().parent.parent / "frameworks"
TRIGGERS = ("bottom_quartile", "dramatic_drop", "sustained_poor", "financial_plan", "cqc")
CQC_CODES = {"outstanding": 1, "good": 2, "requires_improvement": 3, "inadequate": 4}
CQC_NAMES = {v: k.replace("_", " ").capitalize() for k, v in CQC_CODES.items()}


# ----------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class CriteriaRules:
    """A criteria framework year's segmentation rules (see ``frameworks/*/rules.yaml``)."""

    framework: str
    name: str
    path: Path
    organisation_kinds: tuple[str, ...]
    systems: bool
    default_segment: int
    include_local: bool
    scored_only: bool
    exclude: tuple[str, ...]
    max_age_months: int
    bottom_share: float
    bottom_min_metrics: int
    drop_periods: int
    drop_spc: bool
    drop_step: float | None
    drop_baseline: int
    sustained_periods: int
    finance_metrics: tuple[str, ...]
    finance_below: float
    cqc_kinds: tuple[str, ...]
    cqc_overall: tuple[int, ...]
    cqc_well_led: tuple[int, ...]
    cqc_metrics: dict[str, str]
    top_share: float
    top_min_metrics: int
    s1_finance_met: bool
    s1_cqc: tuple[int, ...]
    s1_no_triggers: bool
    s3_any: tuple[str, ...]
    s4_all: tuple[tuple[str, ...], ...]
    warning_periods: int
    labels: dict[str, str] = field(default_factory=dict)
    themes: dict[str, str] = field(default_factory=dict)

    def describe(self) -> list[tuple[str, str, str]]:
        """(rule, setting, value) rows for the rules page: every threshold the engine uses."""

        def cqc(codes: Sequence[int]) -> str:
            return ", ".join(CQC_NAMES[c] for c in codes)

        lab = self.labels
        return [
            ("Who", "Organisation kinds segmented", ", ".join(self.organisation_kinds)),
            ("Who", "Systems segmented (on their ICB's metrics)", "yes" if self.systems else "no"),
            ("Default", "Segment unless criteria for another are met", str(self.default_segment)),
            ("Metrics", "Local strategic priorities counted",
             "yes" if self.include_local else "no"),
            ("Metrics", "Scored metrics only", "yes" if self.scored_only else "no"),
            ("Metrics", "Excluded codes", ", ".join(self.exclude) or "none"),
            ("Metrics", "A value is current for (months)", str(self.max_age_months)),
            (lab["bottom_quartile"], "Share of applicable metrics in the bottom quartile",
             f"at least {self.bottom_share:.0%}"),
            (lab["bottom_quartile"], "Minimum metrics with a current value",
             str(self.bottom_min_metrics)),
            (lab["dramatic_drop"], "Latest periods examined", str(self.drop_periods)),
            (lab["dramatic_drop"], "SPC special-cause concern outside the limits",
             "fires" if self.drop_spc else "ignored"),
            (lab["dramatic_drop"], "Step change (worsening against the baseline mean)",
             f"at least {self.drop_step:.0%}" if self.drop_step is not None else "not used"),
            (lab["dramatic_drop"], "Baseline periods", str(self.drop_baseline)),
            (lab["sustained_poor"], "Consecutive periods in the bottom quartile or SPC concern",
             str(self.sustained_periods)),
            (lab["financial_plan"], "Metrics", ", ".join(self.finance_metrics)),
            (lab["financial_plan"], "Fires when the latest value is below",
             f"{self.finance_below:g}"),
            (lab["cqc"], "Applies to", ", ".join(self.cqc_kinds)),
            (lab["cqc"], "Overall rating", cqc(self.cqc_overall)),
            (lab["cqc"], "And well-led rating", cqc(self.cqc_well_led)),
            ("Segment 1", "Share of applicable metrics in the top quartile",
             f"at least {self.top_share:.0%}"),
            ("Segment 1", "Minimum metrics with a current value", str(self.top_min_metrics)),
            ("Segment 1", "Financial plan met", "required" if self.s1_finance_met else "no"),
            ("Segment 1", "Trusts: CQC overall and well-led", cqc(self.s1_cqc)),
            ("Segment 1", "No trigger fired", "required" if self.s1_no_triggers else "no"),
            ("Segment 3", "Any of these triggers", ", ".join(lab[t] for t in self.s3_any)),
            ("Segment 4", "One trigger from each group",
             " and ".join("(" + " or ".join(lab[t] for t in g) + ")" for g in self.s4_all)),
            ("Early warning", "SPC concern within the latest periods", str(self.warning_periods)),
        ]


def criteria_rules_path(framework: str) -> Path:
    return FRAMEWORKS_DIR / framework / "rules.yaml"


def load_criteria_rules(path: str | Path) -> CriteriaRules:
    """Read and validate a criteria rules file; errors name the file, line and reason."""
    path = Path(path)
    tree = DataTree.read(path, RulesError)
    data, fail, need = tree.data, tree.fail, tree.need

    def share(obj: dict, key: str, where: tuple[str, ...]) -> float:
        value = float(need(obj, key, (int, float), where))
        if not 0 < value <= 1:
            raise fail((*where, key), f"a share must be in (0, 1], got {value}")
        return value

    def positive(obj: dict, key: str, where: tuple[str, ...]) -> int:
        value = need(obj, key, int, where)
        if value < 1:
            raise fail((*where, key), f"must be at least 1, got {value}")
        return value

    def codes(obj: dict, key: str, where: tuple[str, ...]) -> tuple[int, ...]:
        values = need(obj, key, list, where)
        for i, v in enumerate(values):
            if v not in CQC_CODES:
                raise fail((*where, key, str(i)),
                           f"unknown CQC rating {v!r} (one of {', '.join(CQC_CODES)})")
        return tuple(CQC_CODES[v] for v in values)

    def trigger_list(values: Any, where: tuple[str, ...]) -> tuple[str, ...]:
        if not isinstance(values, list) or not values:
            raise fail(where, "expected a non-empty list of trigger names")
        for i, v in enumerate(values):
            if v not in TRIGGERS:
                raise fail((*where, str(i)),
                           f"unknown trigger {v!r} (one of {', '.join(TRIGGERS)})")
        return tuple(values)

    if not isinstance(data, dict):
        raise fail((), "expected a mapping at the top level")
    framework = need(data, "framework", str, ())
    if path.parent.name != framework and path.parent.parent == FRAMEWORKS_DIR:
        raise fail(("framework",), f"'{framework}' does not match its folder '{path.parent.name}'")
    if need(data, "method", str, ()) != "criteria":
        raise fail(("method",), "a criteria rules file must say method: criteria")
    subjects = need(data, "subjects", dict, ())
    kinds = need(subjects, "organisation_kinds", list, ("subjects",))
    segments = need(data, "segments", list, ())
    if segments != [1, 2, 3, 4]:
        raise fail(("segments",), "criteria frameworks have segments [1, 2, 3, 4]")
    default = need(data, "default_segment", int, ())
    if default not in segments:
        raise fail(("default_segment",), f"{default} is not one of the segments")
    metrics = need(data, "metrics", dict, ())
    evaluation = need(data, "evaluation", dict, ())
    trig = need(data, "triggers", dict, ())
    labels: dict[str, str] = {}
    themes: dict[str, str] = {}
    for name in trig:
        if name not in TRIGGERS:
            raise fail(("triggers", name), f"unknown trigger (one of {', '.join(TRIGGERS)})")
    for name in TRIGGERS:
        spec = need(trig, name, dict, ("triggers",))
        labels[name] = need(spec, "label", str, ("triggers", name))
        themes[name] = need(spec, "theme", str, ("triggers", name))
    bq, dd, sp, fp, cq = (trig[n] for n in TRIGGERS)
    step = dd.get("step_change")
    if step is not None and (isinstance(step, bool) or not isinstance(step, (int, float))
                             or step <= 0):
        raise fail(("triggers", "dramatic_drop", "step_change"), "must be a positive number")
    finance = need(fp, "metrics", list, ("triggers", "financial_plan"))
    if not finance or not all(isinstance(m, str) for m in finance):
        raise fail(("triggers", "financial_plan", "metrics"), "expected a list of metric codes")
    cqc_metrics = cq.get("metrics", {})
    if not isinstance(cqc_metrics, dict) or set(cqc_metrics) - {"overall", "well_led"}:
        raise fail(("triggers", "cqc", "metrics"), "expected {overall: CODE, well_led: CODE}")
    s1 = need(data, "segment_1", dict, ())
    s3 = need(data, "segment_3", dict, ())
    s4 = need(data, "segment_4", dict, ())
    groups = need(s4, "all_of", list, ("segment_4",))
    if not groups:
        raise fail(("segment_4", "all_of"), "expected at least one group of triggers")
    ew = need(data, "early_warning", dict, ())
    return CriteriaRules(
        framework=framework,
        name=need(data, "name", str, ()),
        path=path,
        organisation_kinds=tuple(str(k) for k in kinds),
        systems=bool(need(subjects, "systems", bool, ("subjects",))),
        default_segment=default,
        include_local=need(metrics, "include_local", bool, ("metrics",)),
        scored_only=need(metrics, "scored_only", bool, ("metrics",)),
        exclude=tuple(str(c) for c in need(metrics, "exclude", list, ("metrics",))),
        max_age_months=positive(evaluation, "max_age_months", ("evaluation",)),
        bottom_share=share(bq, "share", ("triggers", "bottom_quartile")),
        bottom_min_metrics=positive(bq, "min_metrics", ("triggers", "bottom_quartile")),
        drop_periods=positive(dd, "latest_periods", ("triggers", "dramatic_drop")),
        drop_spc=need(dd, "spc_outside_limits", bool, ("triggers", "dramatic_drop")),
        drop_step=None if step is None else float(step),
        drop_baseline=positive(dd, "baseline_periods", ("triggers", "dramatic_drop")),
        sustained_periods=positive(sp, "consecutive_periods", ("triggers", "sustained_poor")),
        finance_metrics=tuple(finance),
        finance_below=float(need(fp, "below", (int, float), ("triggers", "financial_plan"))),
        cqc_kinds=tuple(str(k) for k in need(cq, "kinds", list, ("triggers", "cqc"))),
        cqc_overall=codes(cq, "overall", ("triggers", "cqc")),
        cqc_well_led=codes(cq, "well_led", ("triggers", "cqc")),
        cqc_metrics={str(k): str(v) for k, v in cqc_metrics.items()},
        top_share=share(s1, "top_quartile_share", ("segment_1",)),
        top_min_metrics=positive(s1, "min_metrics", ("segment_1",)),
        s1_finance_met=need(s1, "financial_plan_met", bool, ("segment_1",)),
        s1_cqc=codes(s1, "cqc", ("segment_1",)),
        s1_no_triggers=need(s1, "no_triggers", bool, ("segment_1",)),
        s3_any=trigger_list(need(s3, "any_of", list, ("segment_3",)), ("segment_3", "any_of")),
        s4_all=tuple(
            trigger_list(g, ("segment_4", "all_of", str(i))) for i, g in enumerate(groups)
        ),
        warning_periods=positive(ew, "latest_periods", ("early_warning",)),
        labels=labels,
        themes=themes,
    )


# ----------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Points:
    """Long observation arrays: one row per subject x metric x period.

    ``subject`` and ``metric`` index ``subject_codes`` / ``metric_codes``; ``polarity`` is per
    metric (+1 higher is better, -1 lower is better, 0 neutral: not ranked); ``peer_group`` per
    subject (quartiles are within metric x period x peer group).
    """

    subject: np.ndarray
    metric: np.ndarray
    period_end: np.ndarray  # datetime64[D]
    value: np.ndarray
    subject_codes: Sequence[str]
    subject_kinds: Sequence[str]
    peer_group: np.ndarray
    metric_codes: Sequence[str]
    polarity: np.ndarray
    period_label: np.ndarray | None = None
    #: SPC rebases: (subject, metric) -> period ends from which the limits are recalculated.
    rebase: Mapping[tuple[int, int], Sequence[Any]] | None = None


@dataclass(frozen=True)
class Annotated:
    """Points sorted by series (subject, metric) then period, with quartile and SPC columns."""

    points: Points
    series: np.ndarray  # subject * n_metrics + metric, per point
    subject: np.ndarray
    metric: np.ndarray
    period_end: np.ndarray
    value: np.ndarray
    period_label: np.ndarray
    quartile: np.ndarray  # 1 best .. 4 worst, 0 not ranked
    lower_quartile: np.ndarray
    upper_quartile: np.ndarray
    concern: np.ndarray  # SPC special-cause concern
    outside: np.ndarray  # outside the process limits
    series_start: np.ndarray  # index of the first point of each point's series


def annotate(points: Points) -> Annotated:
    """Rank every point nationally and run SPC over every series, all at once."""
    n_metrics = len(points.metric_codes)
    subject = np.asarray(points.subject, dtype=np.int64)
    metric = np.asarray(points.metric, dtype=np.int64)
    end = np.asarray(points.period_end, dtype="datetime64[D]")
    value = np.asarray(points.value, dtype=np.float64)
    labels = (
        np.asarray(points.period_label, dtype=object)
        if points.period_label is not None
        else np.datetime_as_string(end).astype(object)
    )
    keep = np.isfinite(value)
    series = subject * n_metrics + metric
    order = np.lexsort((end.view(np.int64), series))
    order = order[keep[order]]
    series, subject, metric = series[order], subject[order], metric[order]
    end, value, labels = end[order], value[order], labels[order]
    # one value per series and period end: the last given wins
    if series.size > 1:
        dup = (series[1:] == series[:-1]) & (end[1:] == end[:-1])
        if dup.any():
            last = np.append(~dup, True)
            series, subject, metric = series[last], subject[last], metric[last]
            end, value, labels = end[last], value[last], labels[last]
    n = series.size
    polarity = np.asarray(points.polarity, dtype=np.int8)[metric] if n else np.zeros(0, np.int8)
    peer = np.asarray(points.peer_group, dtype=np.int64)[subject] if n else np.zeros(0, np.int64)

    quartile = np.zeros(n, dtype=np.int8)
    lower = np.full(n, np.nan)
    upper = np.full(n, np.nan)
    ranked = polarity != 0
    if ranked.any():
        day = end[ranked].view(np.int64)
        day = day - day.min()
        key = (metric[ranked] * (int(day.max()) + 1) + day) * (int(peer.max()) + 1) + peer[ranked]
        _, gid = np.unique(key, return_inverse=True)
        res = ranking.rank_arrays(gid.reshape(-1), value[ranked], polarity[ranked] > 0)
        quartile[ranked] = res.quartile
        lower[ranked] = res.lower_quartile
        upper[ranked] = res.upper_quartile

    concern = np.zeros(n, dtype=bool)
    outside = np.zeros(n, dtype=bool)
    if n:
        direction = np.where(polarity > 0, 1, np.where(polarity < 0, -1, 0))
        starts = np.flatnonzero(np.append(True, series[1:] != series[:-1]))
        series_dir = {int(series[s]): int(direction[s]) for s in starts}
        rebase = {s * n_metrics + m: list(dates)
                  for (s, m), dates in (points.rebase or {}).items() if len(dates)}
        res_spc = spc.compute(series, end, value, direction=series_dir, rebase=rebase or None)
        # input is sorted by series then date, so the SPC result is in the same order
        concern = res_spc.point_type == CONCERN
        outside = res_spc.outside_limits
    start_flag = np.append(True, series[1:] != series[:-1]) if n else np.zeros(0, bool)
    series_start = np.maximum.accumulate(np.where(start_flag, np.arange(n), 0)) if n else start_flag
    return Annotated(points, series, subject, metric, end, value, labels, quartile, lower, upper,
                     concern, outside, series_start.astype(np.int64))


# ----------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class _Evidence:
    """Per series x quarter arrays from :func:`evaluate`: what reasons and digests are made of.

    Row ``j`` is one series' current point ``cur[j]`` in quarter ``q_rep[j]`` for subject
    ``sub[j]``; ``flat[j]`` is ``sub * n_quarters + q``.
    """

    a: Annotated
    cur: np.ndarray
    sub: np.ndarray
    met: np.ndarray
    q_rep: np.ndarray
    flat: np.ndarray
    counted: np.ndarray
    drop_hit: np.ndarray
    drop_at: np.ndarray
    sustained_hit: np.ndarray
    fin_hit: np.ndarray
    warn_hit: np.ndarray
    step: np.ndarray  # per point: step change against the baseline mean
    base_mean: np.ndarray  # per point
    run: np.ndarray  # per point: consecutive bad periods ending there
    last_concern: np.ndarray  # per point: index of the latest SPC concern so far in the series
    polarity: np.ndarray  # per point
    any_fired: np.ndarray  # (subjects, quarters)
    cqc_applies: np.ndarray  # (subjects, 1)


@dataclass
class Details:
    """Reasons, early warnings and metric positions per (subject, quarter)."""

    reasons: dict[tuple[int, int], list[dict[str, Any]]]
    warnings: dict[tuple[int, int], list[dict[str, Any]]]
    #: (subject, quarter) -> [[metric, period, value, quartile, q1 cut, q3 cut, higher is
    #: better]] for every counted metric: the what-if's raw material.
    positions: dict[tuple[int, int], list[list]]


@dataclass
class Evaluation:
    """Every trigger for every subject x quarter, the proposed segment and its evidence.

    Segments and trigger flags are arrays over everyone; the evidence (reasons, warnings,
    positions: Python dicts) is built on demand, for everyone (:attr:`reasons` ...) or for a
    selection (:meth:`proposals`), and :meth:`digests` summarises it per subject x quarter
    without building it.
    """

    rules: CriteriaRules
    quarters: list[str]
    subject_codes: Sequence[str]
    segment: np.ndarray  # (subjects, quarters) int; 0 where the subject has no current data
    fired: dict[str, np.ndarray]  # trigger -> (subjects, quarters) bool
    n_metrics: np.ndarray
    n_bottom: np.ndarray
    n_top: np.ndarray
    finance_met: np.ndarray
    cqc_overall: np.ndarray
    cqc_well_led: np.ndarray
    subject_kinds: list[str]
    evidence: _Evidence = field(repr=False)

    @cached_property
    def _everyone(self) -> Details:
        return self.details()

    @property
    def reasons(self) -> dict[tuple[int, int], list[dict[str, Any]]]:
        return self._everyone.reasons

    @property
    def warnings(self) -> dict[tuple[int, int], list[dict[str, Any]]]:
        return self._everyone.warnings

    @property
    def positions(self) -> dict[tuple[int, int], list[list]]:
        return self._everyone.positions

    def facts(self, s: int, q: int) -> dict[str, Any]:
        """Everything :func:`what_if` needs about one proposal (stored with it as JSON; built
        for many at once by :meth:`proposals`, which must give the same)."""
        positions = self.positions
        return {
            "segment": int(self.segment[s, q]),
            "kind": self.subject_kinds[s],
            "fired": [t for t in TRIGGERS if self.fired[t][s, q]],
            "n_metrics": int(self.n_metrics[s, q]),
            "n_bottom": int(self.n_bottom[s, q]),
            "n_top": int(self.n_top[s, q]),
            "finance_met": bool(self.finance_met[s, q]),
            "cqc_overall": int(self.cqc_overall[s, q]),
            "cqc_well_led": int(self.cqc_well_led[s, q]),
            "positions": [list(p) for p in positions.get((s, q), [])],
        }

    def proposals(
        self, select: np.ndarray | None = None
    ) -> list[tuple[int, int, dict[str, Any]]]:
        """``(subject, quarter, {segment, reasons, warnings, facts})`` for every subject x
        quarter with a proposal (segment > 0), or only those where ``select`` (subjects x
        quarters, bool) is true; evidence is built for those only."""
        want = self.segment > 0
        if select is not None:
            want &= np.asarray(select, dtype=bool)
        details = self.details(want)
        s_idx, q_idx = np.nonzero(want)
        cols = [x[s_idx, q_idx].tolist() for x in (
            self.segment, self.n_metrics, self.n_bottom, self.n_top, self.finance_met,
            self.cqc_overall, self.cqc_well_led)]
        fired = [self.fired[t][s_idx, q_idx].tolist() for t in TRIGGERS]
        kinds, positions = self.subject_kinds, details.positions
        out = []
        for k, (s, q, seg, n, nb, nt, fin, ov, wl) in enumerate(
                zip(s_idx.tolist(), q_idx.tolist(), *cols, strict=True)):
            facts = {
                "segment": seg, "kind": kinds[s],
                "fired": [t for t, f in zip(TRIGGERS, fired, strict=True) if f[k]],
                "n_metrics": n, "n_bottom": nb, "n_top": nt, "finance_met": fin,
                "cqc_overall": ov, "cqc_well_led": wl,
                "positions": positions.get((s, q), []),  # fresh lists from this details()
            }
            out.append((s, q, {"segment": seg, "reasons": details.reasons.get((s, q), []),
                               "warnings": details.warnings.get((s, q), []), "facts": facts}))
        return out

    def details(self, select: np.ndarray | None = None) -> Details:
        """Reasons, warnings and positions for every subject x quarter, or where ``select``."""
        e, rules = self.evidence, self.rules
        a, fired, lab = e.a, self.fired, rules.labels
        n_q = len(self.quarters)
        codes = list(a.points.metric_codes)
        if select is None:
            sel = np.ones(self.segment.shape, bool)
            row_sel = np.ones(e.cur.size, bool)
        else:
            sel = np.asarray(select, dtype=bool)
            row_sel = sel.reshape(-1)[e.flat]
        reasons: dict[tuple[int, int], list[dict[str, Any]]] = {}
        warnings: dict[tuple[int, int], list[dict[str, Any]]] = {}
        positions: dict[tuple[int, int], list[tuple]] = {}
        sub, q_rep, cur = e.sub, e.q_rep, e.cur
        n_bottom, n_count, n_top = self.n_bottom, self.n_metrics, self.n_top
        overall, well_led = self.cqc_overall, self.cqc_well_led

        def add(store: dict, s: int, q: int, entry: dict[str, Any]) -> None:
            store.setdefault((s, q), []).append(entry)

        j = np.flatnonzero(e.drop_hit & row_sel)
        at, latest = e.drop_at[j], cur[j]
        step_signal = e.step[at] & ~(rules.drop_spc & a.concern[at] & a.outside[at])
        for (s, q), entry, is_step, v, mean, last, i, i_at in zip(
                _keys(sub[j], q_rep[j]), _metric_entries(a, at, "dramatic_drop"),
                step_signal.tolist(), a.value[at].tolist(), e.base_mean[at].tolist(),
                a.period_label[latest].tolist(), latest.tolist(), at.tolist(), strict=True):
            entry["label"] = lab["dramatic_drop"]
            entry["signal"] = _drop_signal(rules, is_step, v, mean)
            if i_at != i:
                entry["latest_period"] = str(last)
            add(reasons, s, q, entry)
        j = np.flatnonzero(e.sustained_hit & row_sel)
        for (s, q), entry, run in zip(_keys(sub[j], q_rep[j]),
                                      _metric_entries(a, cur[j], "sustained_poor"),
                                      e.run[cur[j]].tolist(), strict=True):
            entry.update(label=lab["sustained_poor"],
                         signal=f"bottom quartile or special-cause concern for {run} "
                                "consecutive periods", periods=run)
            add(reasons, s, q, entry)
        j = np.flatnonzero(e.fin_hit & row_sel)
        for (s, q), entry in zip(_keys(sub[j], q_rep[j]),
                                 _metric_entries(a, cur[j], "financial_plan"), strict=True):
            entry.update(label=lab["financial_plan"], signal=f"below {rules.finance_below:g}",
                         threshold=rules.finance_below)
            add(reasons, s, q, entry)
        j = np.flatnonzero(e.warn_hit & row_sel)
        j = j[~e.any_fired[sub[j], q_rep[j]]]
        for (s, q), entry in zip(_keys(sub[j], q_rep[j]),
                                 _metric_entries(a, e.last_concern[cur[j]], "early_warning"),
                                 strict=True):
            entry.update(label="Special-cause concern on a metric that feeds a trigger",
                         signal="special-cause concern")
            add(warnings, s, q, entry)
        # Every counted metric's current position: the raw material for reasons and what-if.
        pos_sel = np.flatnonzero(e.counted & row_sel)
        pos_sel = pos_sel[np.argsort(e.flat[pos_sel], kind="stable")]
        pos_flat = e.flat[pos_sel]
        bounds = (np.flatnonzero(np.append(True, pos_flat[1:] != pos_flat[:-1]))
                  if pos_sel.size else [])
        pi = cur[pos_sel]
        hib = e.polarity[pi] > 0
        q3_cut = np.where(hib, a.lower_quartile[pi], a.upper_quartile[pi])
        q1_cut = np.where(hib, a.upper_quartile[pi], a.lower_quartile[pi])
        # one object table, then .tolist(): a list per position without a Python loop
        table = np.empty((pi.size, 7), dtype=object)
        for col, values in enumerate((
                np.asarray(codes, dtype=object)[a.metric[pi]], a.period_label[pi], a.value[pi],
                a.quartile[pi], q1_cut, q3_cut, hib)):
            table[:, col] = values
        rows = table.tolist()
        keys = _keys(pos_flat // n_q, pos_flat % n_q)
        for b0, b1 in zip(bounds, [*bounds[1:], pos_sel.size], strict=True):
            positions[keys[b0]] = rows[b0:b1]
        bottom = fired["bottom_quartile"]
        for k in np.flatnonzero((a.quartile[pi] == 4) & bottom.reshape(-1)[pos_flat]).tolist():
            code, period, value = rows[k][:3]
            add(reasons, *keys[k], {"rule": "bottom_quartile", "metric": code, "period": period,
                                    "value": value, "quartile": 4,
                                    "label": lab["bottom_quartile"],
                                    "signal": "bottom quartile nationally"})
        for s, q in zip(*np.nonzero(bottom & sel), strict=True):
            reasons.setdefault((int(s), int(q)), []).insert(0, {
                "rule": "bottom_quartile", "label": lab["bottom_quartile"], "summary": True,
                "signal": f"{n_bottom[s, q]} of {n_count[s, q]} metrics in the bottom quartile "
                          f"(threshold {rules.bottom_share:.0%})",
                "value": int(n_bottom[s, q]), "of": int(n_count[s, q])})
        for s, q in zip(*np.nonzero(fired["cqc"] & sel), strict=True):
            add(reasons, int(s), int(q), {
                "rule": "cqc", "label": lab["cqc"],
                "signal": f"overall {CQC_NAMES[int(overall[s, q])]}, "
                          f"well-led {CQC_NAMES[int(well_led[s, q])]}"})
        for s, q in zip(*np.nonzero((self.segment == 1) & sel), strict=True):
            add(reasons, int(s), int(q), {
                "rule": "segment_1", "label": "Segment 1 criteria met",
                "signal": f"{n_top[s, q]} of {n_count[s, q]} metrics in the top quartile; "
                          "financial plan met"
                          + (f"; CQC overall {CQC_NAMES[int(overall[s, q])]}, well-led "
                             f"{CQC_NAMES[int(well_led[s, q])]}" if e.cqc_applies[s, 0] else "")})
        for s, q in zip(*np.nonzero((self.segment == 4) & sel), strict=True):
            reasons[(int(s), int(q))].insert(0, {
                "rule": "segment_4", "label": "Critical quality and finance concerns together",
                "signal": " and ".join(
                    "/".join(t for t in g if fired[t][s, q]) for g in rules.s4_all)})
        return Details(reasons, warnings, positions)

    def digests(self) -> np.ndarray:
        """A 64-bit digest per subject x quarter (uint64) of everything :meth:`proposals`
        would return for it, computed from the arrays without building the evidence.

        Covers the segment, the trigger flags and counts, CQC ratings, the subject's kind, every
        current point's metric, period, value, quartile and cut points, drop, sustained,
        finance and early-warning evidence, the rules and this module's source (so a change to
        the wording of reasons changes every digest). Equal digests mean equal proposals (up
        to a 2**-64 chance); the caller rewrites only proposals whose digest changed.
        """
        e, a = self.evidence, self.evidence.a
        shape = self.segment.shape
        codes = list(a.points.metric_codes)
        polarity = np.asarray(a.points.polarity, np.int64)
        metric_hash = _fold(_text_hash(codes), polarity)

        def point(idx: np.ndarray) -> np.ndarray:  # what an evidence entry shows of a point
            return _fold(metric_hash[a.metric[idx]], _text_hash(a.period_label[idx].tolist()),
                         a.period_end[idx].view(np.int64), a.value[idx], a.quartile[idx])

        cur, counted = e.cur, e.counted
        at, latest = e.drop_at[e.drop_hit], cur[e.drop_hit]
        drop = np.zeros(cur.size, np.uint64)
        step_signal = e.step[at] & ~(self.rules.drop_spc & a.concern[at] & a.outside[at])
        signal = [_drop_signal(self.rules, step, v, mean) for step, v, mean in zip(
            step_signal.tolist(), a.value[at].tolist(), e.base_mean[at].tolist(), strict=True)]
        latest_label = np.where(at != latest, _text_hash(a.period_label[latest].tolist()), 0)
        drop[e.drop_hit] = _fold(point(at), _text_hash(signal), latest_label)
        warn = np.zeros(cur.size, np.uint64)
        warned = e.warn_hit & ~e.any_fired.reshape(-1)[e.flat]
        warn[warned] = point(e.last_concern[cur[warned]])
        shows_cur = counted | e.fin_hit | e.sustained_hit
        current = np.zeros(cur.size, np.uint64)
        current[shows_cur] = point(cur[shows_cur])
        row = _fold(e.met, current, counted, np.where(counted, a.lower_quartile[cur], np.nan),
                    np.where(counted, a.upper_quartile[cur], np.nan), e.fin_hit, drop,
                    np.where(e.sustained_hit, e.run[cur], -1), warn)
        row[~(shows_cur | e.drop_hit | warned)] = 0  # rows that show nothing
        total = np.zeros(self.segment.size, np.uint64)
        np.add.at(total, e.flat, row)  # order-free: each row carries its metric index
        fired_bits = np.zeros(shape, np.int64)
        for k, t in enumerate(TRIGGERS):
            fired_bits |= self.fired[t].astype(np.int64) << k
        kind = _text_hash(self.subject_kinds)[:, None]
        salt = _text_hash([_rules_text(self.rules) + _SOURCE_HASH])[0]
        base = _fold(np.full(shape, salt), np.broadcast_to(kind, shape), self.segment,
                     fired_bits, self.n_metrics, self.n_bottom, self.n_top, self.finance_met,
                     self.cqc_overall, self.cqc_well_led, e.any_fired,
                     np.broadcast_to(e.cqc_applies, shape))
        out = _fold(base, total.reshape(shape))
        out[self.segment == 0] = 0
        return out


_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_SOURCE_HASH = hashlib.sha1(Path(__file__).read_bytes()).hexdigest()


def _bits(x: Any) -> np.ndarray:
    """An array's values as uint64 bit patterns (floats by their IEEE bits, ints wrapped)."""
    arr = np.asarray(x)
    if arr.dtype == np.uint64:
        return arr
    if arr.dtype.kind == "f":
        return np.ascontiguousarray(arr, dtype=np.float64).view(np.uint64)
    return arr.astype(np.int64).view(np.uint64)


def _fold(h: Any, *values: Any) -> np.ndarray:
    """Mix ``values`` into ``h`` one after another (splitmix64 finaliser after each)."""
    z = _bits(h)
    with np.errstate(over="ignore"):
        for v in values:
            z = (z + _GOLDEN) ^ _bits(v)
            z = (z ^ (z >> np.uint64(30))) * _M1
            z = (z ^ (z >> np.uint64(27))) * _M2
            z = z ^ (z >> np.uint64(31))
    return z


def _text_hash(texts: Sequence[Any]) -> np.ndarray:
    """A stable 64-bit hash per text (Python's ``hash`` changes between processes)."""
    unique = {t: int.from_bytes(hashlib.blake2b(str(t).encode(), digest_size=8).digest(), "little")
              for t in dict.fromkeys(texts)}
    return np.fromiter(map(unique.__getitem__, texts), dtype=np.uint64, count=len(texts))


def _rules_text(rules: CriteriaRules) -> str:
    return repr(dataclasses.replace(rules, path=Path(rules.path.name)))


def _quarter_ends(quarters: Sequence[str]) -> np.ndarray:
    return np.array([quarter_end(q) for q in quarters], dtype="datetime64[D]")


def _metric_entries(a: Annotated, idx: np.ndarray, rule: str) -> list[dict[str, Any]]:
    """The evidence of points ``idx``: rule, metric, period, period end, value, quartile."""
    codes = a.points.metric_codes
    return [
        {"rule": rule, "metric": codes[m], "period": str(label), "period_end": end,
         "value": value, "quartile": q or None}
        for m, label, end, value, q in zip(
            a.metric[idx].tolist(), a.period_label[idx].tolist(),
            np.datetime_as_string(a.period_end[idx], unit="D").tolist(), a.value[idx].tolist(),
            a.quartile[idx].tolist(), strict=True)
    ]


def _drop_signal(rules: CriteriaRules, step: bool, value: float, base_mean: float) -> str:
    if step:
        return (f"step change: {abs(value / base_mean - 1):.0%} worse than the mean of the "
                f"previous {rules.drop_baseline} periods ({base_mean:.4g})")
    return "special-cause concern outside the process limits"


def _keys(sub: np.ndarray, q: np.ndarray) -> list[tuple[int, int]]:
    return list(zip(sub.tolist(), q.tolist(), strict=True))


def evaluate(
    a: Annotated,
    rules: CriteriaRules,
    quarters: Sequence[str],
    cqc_overall: np.ndarray | None = None,
    cqc_well_led: np.ndarray | None = None,
) -> Evaluation:
    """Fire every trigger for every subject x quarter and propose segments.

    ``cqc_overall`` / ``cqc_well_led``: (subjects, quarters) rating codes (1 Outstanding ..
    4 Inadequate, 0 none) as at each quarter's end.
    """
    quarters = list(quarters)
    n_sub, n_q = len(a.points.subject_codes), len(quarters)
    n_metrics = len(a.points.metric_codes)
    q_end = _quarter_ends(quarters)
    n = a.series.size
    shape = (n_sub, n_q)
    overall = np.zeros(shape, np.int8) if cqc_overall is None else np.asarray(cqc_overall, np.int8)
    well_led = (
        np.zeros(shape, np.int8) if cqc_well_led is None else np.asarray(cqc_well_led, np.int8)
    )
    codes = list(a.points.metric_codes)
    excluded = np.array([c in rules.exclude for c in codes] + [False], dtype=bool)[:n_metrics]
    finance_m = np.array([c in rules.finance_metrics for c in codes] + [False], bool)[:n_metrics]
    cqc_m = {k: codes.index(v) for k, v in rules.cqc_metrics.items() if v in codes}

    # --- per point flags
    idx = np.arange(n)
    polarity = np.asarray(a.points.polarity, np.int8)[a.metric] if n else np.zeros(0, np.int8)
    bad = (a.quartile == 4) | a.concern
    # consecutive bad periods ending at each point, within the series
    reset = np.where(~bad, idx, a.series_start - 1)
    run = idx - np.maximum.accumulate(np.maximum(reset, a.series_start - 1)) if n else idx
    step = np.zeros(n, dtype=bool)
    base_mean = np.full(n, np.nan)
    if rules.drop_step is not None and n:
        b = rules.drop_baseline
        cs = np.concatenate([[0.0], np.cumsum(a.value)])
        lo = idx - b
        full = lo >= a.series_start
        lo_c = np.maximum(lo, 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            base_mean = np.where(full, (cs[idx] - cs[lo_c]) / b, np.nan)
            worsening = (base_mean - a.value) * polarity / np.abs(base_mean)
        step = full & (base_mean != 0) & (polarity != 0) & (worsening >= rules.drop_step)
    drop = step | (a.concern & a.outside if rules.drop_spc else np.zeros(n, bool))
    last_drop = np.maximum.accumulate(np.where(drop, idx, -1)) if n else idx
    last_concern = np.maximum.accumulate(np.where(a.concern, idx, -1)) if n else idx

    # --- the current point of each series in each quarter
    starts = np.flatnonzero(np.append(True, a.series[1:] != a.series[:-1])) if n else idx
    s_series = a.series[starts]
    end_day = a.period_end.view(np.int64)
    key_mult = np.int64(1 << 24)
    point_key = a.series * key_mult + end_day
    query = (s_series[:, None] * key_mult + q_end.view(np.int64)[None, :]).reshape(-1)
    cur = np.searchsorted(point_key, query, side="right") - 1
    s_rep = np.repeat(np.arange(starts.size), n_q)
    q_rep = np.tile(np.arange(n_q), starts.size)
    valid = cur >= starts[s_rep]
    cur_c = np.maximum(cur, 0)
    age = q_end.astype("datetime64[M]").view(np.int64)[q_rep] - a.period_end[cur_c].astype(
        "datetime64[M]").view(np.int64)
    valid &= age < rules.max_age_months
    cur, s_rep, q_rep = cur[valid], s_rep[valid], q_rep[valid]
    sub = a.subject[cur]
    met = a.metric[cur]
    counted = ~excluded[met] & (a.quartile[cur] > 0)
    # finance metrics have their own trigger: not also read for drops and sustained performance
    performance = counted & ~finance_m[met]

    # --- per series x quarter triggers
    lo_window = np.maximum(cur - rules.drop_periods + 1, a.series_start[cur])
    drop_hit = performance & (last_drop[cur] >= lo_window)
    drop_at = last_drop[cur]
    sustained_hit = performance & (run[cur] >= rules.sustained_periods)
    fin_sel = finance_m[met]
    fin_value = a.value[cur]
    fin_hit = fin_sel & (fin_value < rules.finance_below)
    lo_warn = np.maximum(cur - rules.warning_periods + 1, a.series_start[cur])
    warn_hit = (counted | fin_sel) & (last_concern[cur] >= lo_warn)

    flat = sub * n_q + q_rep

    def per_subject(mask: np.ndarray) -> np.ndarray:
        return np.bincount(flat[mask], minlength=n_sub * n_q).reshape(shape)

    has_data = per_subject(np.ones(cur.size, bool)) > 0
    n_count = per_subject(counted)
    n_bottom = per_subject(counted & (a.quartile[cur] == 4))
    n_top = per_subject(counted & (a.quartile[cur] == 1))
    fin_reported = per_subject(fin_sel) > 0
    fin_fired = per_subject(fin_hit) > 0

    # CQC: recorded ratings, else the latest CQC metric values
    for name, arr in (("overall", overall), ("well_led", well_led)):
        if name in cqc_m:
            sel = met == cqc_m[name]
            fill = np.zeros(n_sub * n_q, np.int8)
            fill[flat[sel]] = np.clip(np.round(a.value[cur[sel]]), 0, 4).astype(np.int8)
            arr[:] = np.where(arr > 0, arr, fill.reshape(shape))
    kinds = np.asarray(a.points.subject_kinds, dtype=object)
    cqc_applies = np.isin(kinds, list(rules.cqc_kinds))[:, None]
    fired = {
        "bottom_quartile": (n_count >= rules.bottom_min_metrics)
        & (n_bottom >= rules.bottom_share * n_count - 1e-9),
        "dramatic_drop": per_subject(drop_hit) > 0,
        "sustained_poor": per_subject(sustained_hit) > 0,
        "financial_plan": fin_fired,
        "cqc": cqc_applies & np.isin(overall, rules.cqc_overall)
        & np.isin(well_led, rules.cqc_well_led),
    }
    fired = {k: v & has_data for k, v in fired.items()}
    any3 = np.zeros(shape, bool)
    for t in rules.s3_any:
        any3 |= fired[t]
    all4 = np.ones(shape, bool)
    for group in rules.s4_all:
        g = np.zeros(shape, bool)
        for t in group:
            g |= fired[t]
        all4 &= g
    any_fired = np.zeros(shape, bool)
    for t in TRIGGERS:
        any_fired |= fired[t]
    top_ok = (n_count >= rules.top_min_metrics) & (n_top >= rules.top_share * n_count - 1e-9)
    fin_ok = fin_reported & ~fin_fired if rules.s1_finance_met else np.ones(shape, bool)
    cqc_ok = ~cqc_applies | (np.isin(overall, rules.s1_cqc) & np.isin(well_led, rules.s1_cqc))
    s1 = top_ok & fin_ok & cqc_ok & (~any_fired if rules.s1_no_triggers else True)
    segment = np.full(shape, rules.default_segment, dtype=np.int64)
    segment[s1] = 1
    segment[any3] = 3
    segment[any3 & all4] = 4
    segment[~has_data] = 0

    return Evaluation(
        rules=rules, quarters=quarters, subject_codes=a.points.subject_codes, segment=segment,
        fired=fired, n_metrics=n_count, n_bottom=n_bottom, n_top=n_top,
        finance_met=fin_reported & ~fin_fired, cqc_overall=overall, cqc_well_led=well_led,
        subject_kinds=list(a.points.subject_kinds),
        evidence=_Evidence(
            a=a, cur=cur, sub=sub, met=met, q_rep=q_rep, flat=flat, counted=counted,
            drop_hit=drop_hit, drop_at=drop_at, sustained_hit=sustained_hit, fin_hit=fin_hit,
            warn_hit=warn_hit, step=step, base_mean=base_mean, run=run,
            last_concern=last_concern, polarity=polarity, any_fired=any_fired,
            cqc_applies=cqc_applies,
        ),
    )


# ----------------------------------------------------------------------------- what-if


_POS = ("metric", "period", "value", "quartile", "q1_cut", "q3_cut", "higher_is_better")


def _move_text(p: dict[str, Any], to: str) -> str:
    cut = p["q3_cut"] if to == "q3" else p["q1_cut"]
    better = "at least" if p["higher_is_better"] else "at most"
    target = "out of the bottom quartile" if to == "q3" else "into the top quartile"
    return (f"{p['metric']} from {p['value']:.4g} (quartile {p['quartile']}) to {better} "
            f"{cut:.4g} moves it {target}")


def _gap(p: dict[str, Any], cut: str) -> float:
    """How far a metric is from a cut point, relative to the cut's size (smaller: easier)."""
    return abs(p["value"] - p[cut]) / max(abs(p[cut]), 1e-9)


def what_if(
    rules: CriteriaRules, facts: dict[str, Any], reasons: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The smallest sets of changes that would move a proposal to another segment.

    ``facts`` is :meth:`Evaluation.facts` (stored with each proposal), ``reasons`` its reasons.
    Each option: ``{"to_segment": k, "clears": [triggers], "changes": [text, ...]}``. Quartile
    moves assume the national cut points stay where they are (one organisation barely moves
    them).
    """
    seg = facts["segment"]
    fired = set(facts["fired"])
    positions = [dict(zip(_POS, p, strict=True)) for p in facts.get("positions", [])]

    def clear(trigger: str) -> list[str]:
        if trigger == "bottom_quartile":
            n, nb = facts["n_metrics"], facts["n_bottom"]
            allowed = math.ceil(rules.bottom_share * n - 1e-9) - 1  # most bottom metrics allowed
            k = nb - max(allowed, 0)
            worst = sorted((p for p in positions if p["quartile"] == 4),
                           key=lambda p: _gap(p, "q3_cut"))
            return [f"{k} of {nb} bottom-quartile metrics out of the bottom quartile, e.g.: "
                    + "; ".join(_move_text(p, "q3") for p in worst[:k])]
        if trigger == "financial_plan":
            return [f"{r['metric']} from {r['value']:.4g} to at least {rules.finance_below:g} "
                    "(financial plan met)" for r in reasons if r["rule"] == "financial_plan"]
        if trigger == "cqc":
            return ["CQC overall or well-led rating of Good or Outstanding"]
        if trigger == "dramatic_drop":
            return [f"{r['metric']}: no special-cause concern outside the limits and no step "
                    f"change for {rules.drop_periods} periods"
                    for r in reasons if r["rule"] == "dramatic_drop"]
        return [f"{r['metric']}: one period out of the bottom quartile and without special-cause "
                "concern" for r in reasons if r["rule"] == "sustained_poor"]

    options: list[dict[str, Any]] = []
    if seg == 4:
        for group in rules.s4_all:
            hit = [t for t in group if t in fired]
            options.append({"to_segment": 3, "clears": hit,
                            "changes": [c for t in hit for c in clear(t)]})
    if seg in (3, 4):
        triggers = [t for t in rules.s3_any if t in fired]
        options.append({"to_segment": rules.default_segment, "clears": triggers,
                        "changes": [c for t in triggers for c in clear(t)]})
    if seg == rules.default_segment:
        changes: list[str] = []
        n, nt = facts["n_metrics"], facts["n_top"]
        if n < rules.top_min_metrics:
            changes.append(f"at least {rules.top_min_metrics} metrics with a current value "
                           f"(has {n})")
        need_top = max(math.ceil(rules.top_share * n - 1e-9) - nt, 0)
        if need_top:
            near = sorted((p for p in positions if p["quartile"] != 1),
                          key=lambda p: _gap(p, "q1_cut"))
            changes.append(f"{need_top} more metrics in the top quartile ({nt} of {n} now), e.g.: "
                           + "; ".join(_move_text(p, "q1") for p in near[:need_top]))
        if rules.s1_finance_met and not facts["finance_met"]:
            changes.append(f"{'/'.join(rules.finance_metrics)} reported at or above "
                           f"{rules.finance_below:g} (financial plan met)")
        if facts["kind"] in rules.cqc_kinds and not (
            facts["cqc_overall"] in rules.s1_cqc and facts["cqc_well_led"] in rules.s1_cqc
        ):
            changes.append("CQC Good or Outstanding overall and for well-led")
        options.append({"to_segment": 1, "clears": [], "changes": changes})
    return options
