"""Every trigger for every subject x quarter at once (:func:`evaluate`), the proposed
segments, and their reasons, early warnings and what-if facts (:class:`Evaluation`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from oversight.engine.periods import quarter_end
from oversight.engine.triggers import digest
from oversight.engine.triggers.annotation import Annotated, Flag
from oversight.engine.triggers.rules import CQC_NAMES, SEVERITIES, CriteriaRules
from oversight.engine.triggers.wording import (
    critical_quality_signal,
    drop_signal,
    run_signal,
    segment_1_signal,
)


@dataclass(frozen=True)
class _Evidence:
    """Per series x quarter arrays from :func:`evaluate`: what reasons and digests are made of.

    Row ``j`` is one series' current point ``cur[j]`` in quarter ``q_rep[j]`` for subject
    ``sub[j]``; ``flat[j]`` is ``sub * n_quarters + q``. Per-point arrays are indexed by point.
    """

    a: Annotated
    cur: np.ndarray
    sub: np.ndarray
    met: np.ndarray
    q_rep: np.ndarray
    flat: np.ndarray
    counted: np.ndarray
    feeds: np.ndarray  # the series feeds a trigger (early warnings)
    drop_hit: np.ndarray
    drop_at: np.ndarray
    sustained_hit: np.ndarray
    fin_hit: np.ndarray
    critical_fin_hit: np.ndarray
    year_before: np.ndarray  # per row: the finance value 12 months before (NaN: none)
    warn_hit: np.ndarray
    base_mean: np.ndarray  # per point: mean of the drop baseline
    base_count: np.ndarray  # per point: values in the drop baseline
    iqr: np.ndarray  # per point: national interquartile range
    poor_run: np.ndarray  # per point: reports in the current bottom-quartile run
    poor_months: np.ndarray  # per point: months that run covers
    below_run: np.ndarray  # per point: reports in the current below-plan run
    below_months: np.ndarray  # per point: months that run covers
    last_concern: np.ndarray  # per point: index of the latest SPC concern so far in the series
    polarity: np.ndarray  # per point
    any_fired: np.ndarray  # (subjects, quarters)
    cqc_applies: np.ndarray  # (subjects, 1)
    #: (subject, quarter) -> [(flag code, evidence, since)] of the recorded flags that fired
    flags: dict[tuple[int, int], list[tuple[str, str, str]]]


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
    fired: dict[str, np.ndarray]  # trigger (measured or recorded) -> (subjects, quarters) bool
    severe: dict[str, np.ndarray]  # segment 4 severity -> (subjects, quarters) bool
    n_metrics: np.ndarray
    n_bottom: np.ndarray
    n_top: np.ndarray
    n_sustained: np.ndarray
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
            "fired": [t for t in self.rules.trigger_names if self.fired[t][s, q]],
            "severe": [t for t in SEVERITIES if self.severe[t][s, q]],
            "n_metrics": int(self.n_metrics[s, q]),
            "n_bottom": int(self.n_bottom[s, q]),
            "n_top": int(self.n_top[s, q]),
            "n_sustained": int(self.n_sustained[s, q]),
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
            self.segment, self.n_metrics, self.n_bottom, self.n_top, self.n_sustained,
            self.finance_met, self.cqc_overall, self.cqc_well_led)]
        names = self.rules.trigger_names
        fired = [self.fired[t][s_idx, q_idx].tolist() for t in names]
        severe = [self.severe[t][s_idx, q_idx].tolist() for t in SEVERITIES]
        kinds, positions = self.subject_kinds, details.positions
        out = []
        for k, (s, q, seg, n, nb, nt, ns, fin, ov, wl) in enumerate(
                zip(s_idx.tolist(), q_idx.tolist(), *cols, strict=True)):
            facts = {
                "segment": seg, "kind": kinds[s],
                "fired": [t for t, f in zip(names, fired, strict=True) if f[k]],
                "severe": [t for t, f in zip(SEVERITIES, severe, strict=True) if f[k]],
                "n_metrics": n, "n_bottom": nb, "n_top": nt, "n_sustained": ns,
                "finance_met": fin, "cqc_overall": ov, "cqc_well_led": wl,
                "positions": positions.get((s, q), []),  # fresh lists from this details()
            }
            out.append((s, q, {"segment": seg, "reasons": details.reasons.get((s, q), []),
                               "warnings": details.warnings.get((s, q), []), "facts": facts}))
        return out

    def details(self, select: np.ndarray | None = None) -> Details:
        """Reasons, warnings and positions for every subject x quarter, or where ``select``."""
        e, rules = self.evidence, self.rules
        a, fired, severe, lab = e.a, self.fired, self.severe, rules.labels
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
        for (s, q), entry, v, mean, k, iqr, last, i, i_at in zip(
                _keys(sub[j], q_rep[j]), _metric_entries(a, at, "dramatic_drop"),
                a.value[at].tolist(), e.base_mean[at].tolist(), e.base_count[at].tolist(),
                e.iqr[at].tolist(), a.period_label[latest].tolist(), latest.tolist(),
                at.tolist(), strict=True):
            entry["label"] = lab["dramatic_drop"]
            entry["signal"] = drop_signal(rules, v, mean, k, iqr)
            if i_at != i:
                entry["latest_period"] = str(last)
            add(reasons, s, q, entry)
        j = np.flatnonzero(e.sustained_hit & row_sel)
        for (s, q), entry, run, months in zip(
                _keys(sub[j], q_rep[j]), _metric_entries(a, cur[j], "sustained_poor"),
                e.poor_run[cur[j]].tolist(), e.poor_months[cur[j]].tolist(), strict=True):
            entry.update(label=lab["sustained_poor"], periods=run, months=months,
                         signal=run_signal("in the national bottom quartile", run, months))
            add(reasons, s, q, entry)
        j = np.flatnonzero(e.fin_hit & row_sel)
        for (s, q), entry in zip(_keys(sub[j], q_rep[j]),
                                 _metric_entries(a, cur[j], "financial_plan"), strict=True):
            entry.update(label=lab["financial_plan"], signal=f"below {rules.finance_below:g}",
                         threshold=rules.finance_below)
            add(reasons, s, q, entry)
        j = np.flatnonzero(e.critical_fin_hit & row_sel)
        for (s, q), entry, run, months, then in zip(
                _keys(sub[j], q_rep[j]), _metric_entries(a, cur[j], "critical_finance"),
                e.below_run[cur[j]].tolist(), e.below_months[cur[j]].tolist(),
                e.year_before[j].tolist(), strict=True):
            entry.update(label=lab["critical_finance"], periods=run, months=months,
                         year_before=then,
                         signal=run_signal(f"below plan ({rules.finance_below:g})", run, months)
                         + f"; {then:.4g} a year before")
            add(reasons, s, q, entry)
        for (s, q), found in e.flags.items():
            if sel[s, q]:
                for code, evidence, since in found:
                    add(reasons, s, q, {"rule": code, "label": lab[code], "period": since,
                                        "signal": f"recorded: {evidence}"})
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
        for s, q in zip(*np.nonzero(severe["critical_quality"] & sel), strict=True):
            add(reasons, int(s), int(q), {
                "rule": "critical_quality", "label": lab["critical_quality"],
                "signal": critical_quality_signal(
                    rules, int(overall[s, q]), int(self.n_sustained[s, q]),
                    int(n_count[s, q]))})
        for s, q in zip(*np.nonzero((self.segment == 1) & sel), strict=True):
            kind = self.subject_kinds[s]
            add(reasons, int(s), int(q), {
                "rule": "segment_1", "label": f"{lab['segment_1']}: measured criteria met",
                "signal": segment_1_signal(
                    rules, kind, int(n_top[s, q]), int(n_count[s, q]),
                    (int(overall[s, q]), int(well_led[s, q])) if e.cqc_applies[s, 0] else None),
                "judgement": rules.judgement_for("segment_1", kind)})
        for s, q in zip(*np.nonzero((self.segment == 4) & sel), strict=True):
            reasons[(int(s), int(q))].insert(0, {
                "rule": "segment_4", "label": lab["segment_4"],
                "signal": " and ".join(lab[t] for t in rules.s4_any if severe[t][s, q])})
        return Details(reasons, warnings, positions)

    def digests(self) -> np.ndarray:
        """A 64-bit digest per subject x quarter of everything :meth:`proposals` would return
        for it, computed from the arrays without building the evidence
        (:func:`oversight.engine.triggers.digest.digests`)."""
        return digest.digests(self)


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


def reaches(value: np.ndarray, threshold: np.ndarray | float) -> np.ndarray:
    """``value >= threshold`` as the framework's "at least" means it: a value on the threshold
    by decimal arithmetic reaches it even where binary floating point lands a hair short
    (13 - 11.05 is 1.9499999999999993, 15% of 13 is 1.95)."""
    threshold = np.asarray(threshold, dtype=np.float64)
    return value >= threshold - 1e-9 * np.maximum(1.0, np.abs(threshold))


def _keys(sub: np.ndarray, q: np.ndarray) -> list[tuple[int, int]]:
    return list(zip(sub.tolist(), q.tolist(), strict=True))


def _months(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Whole calendar months from ``start`` to ``end`` (datetime64[D] arrays)."""
    return (end.astype("datetime64[M]").view(np.int64)
            - start.astype("datetime64[M]").view(np.int64))


def _runs(bad: np.ndarray, a: Annotated, period_start: np.ndarray,
          ) -> tuple[np.ndarray, np.ndarray]:
    """Per point: how many consecutive reports of its series, ending there, are ``bad`` (0 when
    it is not), and how many months those reports cover (from the start of the first one's
    period to the end of the last): time, not points."""
    n = bad.size
    if not n:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    idx = np.arange(n)
    reset = np.where(~bad, idx, a.series_start - 1)
    last_good = np.maximum.accumulate(np.maximum(reset, a.series_start - 1))
    run = idx - last_good
    first = np.minimum(last_good + 1, idx)
    months = np.where(run > 0, _months(period_start[first], a.period_end), 0)
    return run, months


def evaluate(
    a: Annotated,
    rules: CriteriaRules,
    quarters: Sequence[str],
    cqc_overall: np.ndarray | None = None,
    cqc_well_led: np.ndarray | None = None,
    flags: Sequence[Flag] = (),
) -> Evaluation:
    """Fire every trigger for every subject x quarter and propose segments.

    ``cqc_overall`` / ``cqc_well_led``: (subjects, quarters) rating codes (1 Outstanding ..
    4 Inadequate, 0 none) as at each quarter's end. ``flags``: recorded criteria; a flag fires
    in a quarter when it is in force at the quarter's end and the rules record it for the
    subject's kind.
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
    units = list(a.points.metric_units or [""] * n_metrics)
    excluded = np.array([c in rules.exclude for c in codes], dtype=bool).reshape(n_metrics)
    finance_m = np.array([c in rules.finance_metrics for c in codes], bool).reshape(n_metrics)
    size_m = np.array([u in rules.size_dependent_units for u in units], bool).reshape(n_metrics)
    cqc_m = {k: codes.index(v) for k, v in rules.cqc_metrics.items() if v in codes}

    # --- per point
    idx = np.arange(n)
    polarity = np.asarray(a.points.polarity, np.int8)[a.metric] if n else np.zeros(0, np.int8)
    day = a.period_end.view(np.int64)
    # each report's period: from the series' report before it (the first: as long as the next)
    first_in_series = idx == a.series_start
    last_in_series = np.append(a.series[1:] != a.series[:-1], True) if n else first_in_series
    gap_before = day - day[np.maximum(idx - 1, 0)]
    gap_after = day[np.minimum(idx + 1, max(n - 1, 0))] - day
    gap = np.where(~first_in_series, gap_before, np.where(~last_in_series, gap_after, 0))
    period_start = (day - gap).astype("datetime64[D]")

    # sustained very poor performance: a level against peers, for long enough
    poor = a.quartile == 4
    if rules.sustained_spc:
        poor = poor | a.concern
    poor_run, poor_months = _runs(poor, a, period_start)
    sustained_point = ((poor_run >= rules.sustained_min_periods)
                       & (poor_months >= rules.sustained_months))
    # critical finance: below plan at every report for long enough
    below_run, below_months = _runs(a.value < rules.finance_below, a, period_start)

    # dramatic drop: large (relative and absolute floors) and confirmed by SPC
    key_mult = np.int64(1 << 24)
    point_key = a.series * key_mult + day
    base_from = (a.period_end.astype("datetime64[M]")
                 - np.timedelta64(rules.drop_baseline_months, "M")).astype(
        "datetime64[D]").view(np.int64)
    lo = np.searchsorted(point_key, a.series * key_mult + base_from, side="left") if n else idx
    base_count = idx - lo
    cs = np.concatenate([[0.0], np.cumsum(a.value)])
    iqr = a.upper_quartile - a.lower_quartile
    with np.errstate(invalid="ignore", divide="ignore"):
        base_mean = np.where(base_count > 0, (cs[idx] - cs[lo]) / np.maximum(base_count, 1),
                             np.nan)
        worse = (base_mean - a.value) * polarity
        confirmed = a.concern if rules.drop_spc == "concern" else a.concern & a.outside
        drop = ((base_count >= rules.drop_baseline_min) & (polarity != 0) & (base_mean != 0)
                & (worse > 0) & reaches(worse, rules.drop_relative * np.abs(base_mean))
                & reaches(worse, rules.drop_absolute_iqr * iqr) & confirmed)
    last_drop = np.maximum.accumulate(np.where(drop, idx, -1)) if n else idx
    last_concern = np.maximum.accumulate(np.where(a.concern, idx, -1)) if n else idx

    # --- the current point of each series in each quarter
    starts = np.flatnonzero(np.append(True, a.series[1:] != a.series[:-1])) if n else idx
    s_series = a.series[starts]
    query = (s_series[:, None] * key_mult + q_end.view(np.int64)[None, :]).reshape(-1)
    cur = np.searchsorted(point_key, query, side="right") - 1
    s_rep = np.repeat(np.arange(starts.size), n_q)
    q_rep = np.tile(np.arange(n_q), starts.size)
    valid = cur >= starts[s_rep]
    cur_c = np.maximum(cur, 0)
    age = _months(a.period_end[cur_c], q_end[q_rep])
    valid &= age < rules.max_age_months
    cur, s_rep, q_rep = cur[valid], s_rep[valid], q_rep[valid]
    sub = a.subject[cur]
    met = a.metric[cur]
    fin_sel = finance_m[met]
    # ranked against peers: neither excluded nor size-dependent
    counted = ~excluded[met] & (a.quartile[cur] > 0) & ~size_m[met]
    # finance metrics have their own trigger: not also read for drops and sustained performance
    level = counted & ~fin_sel
    drop_fed = ~excluded[met] & ~fin_sel & (polarity[cur] != 0)
    feeds = counted | fin_sel | drop_fed

    # --- per series x quarter triggers
    drop_at = last_drop[cur]
    drop_at_c = np.maximum(drop_at, 0)
    drop_hit = (drop_fed & (drop_at >= a.series_start[cur])
                & (_months(a.period_end[drop_at_c], q_end[q_rep]) < rules.drop_window_months))
    sustained_hit = level & sustained_point[cur]
    fin_value = a.value[cur]
    fin_hit = fin_sel & (fin_value < rules.finance_below)
    # ...and worse than a year before: the same month's year-to-date figure, 12 months earlier
    cur_month = a.period_end[cur].astype("datetime64[M]")
    year_before = np.searchsorted(
        point_key, a.series[cur] * key_mult
        + (cur_month - np.timedelta64(11, "M")).astype("datetime64[D]").view(np.int64) - 1,
        side="right") - 1
    year_before_c = np.maximum(year_before, 0)
    then = np.where((year_before >= a.series_start[cur])
                    & (a.period_end[year_before_c].astype("datetime64[M]")
                       == cur_month - np.timedelta64(12, "M")), a.value[year_before_c], np.nan)
    below = rules.finance_below
    grown = (then >= below) | reaches(below - fin_value,
                                      (1 + rules.critical_worsening) * (below - then))
    critical_fin_hit = (fin_hit & (below_months[cur] >= rules.critical_below_plan_months)
                        & grown)
    lo_warn = np.maximum(cur - rules.warning_periods + 1, a.series_start[cur])
    warn_hit = feeds & (last_concern[cur] >= lo_warn)

    flat = sub * n_q + q_rep

    def per_subject(mask: np.ndarray) -> np.ndarray:
        return np.bincount(flat[mask], minlength=n_sub * n_q).reshape(shape)

    has_data = per_subject(np.ones(cur.size, bool)) > 0
    n_count = per_subject(counted)
    n_bottom = per_subject(counted & (a.quartile[cur] == 4))
    n_top = per_subject(counted & (a.quartile[cur] == 1))
    n_sustained = per_subject(sustained_hit)
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
        & reaches(n_bottom, rules.bottom_share * n_count),
        "dramatic_drop": per_subject(drop_hit) > 0,
        "sustained_poor": n_sustained > 0,
        "financial_plan": fin_fired,
        "cqc": cqc_applies & np.isin(overall, rules.cqc_overall)
        & np.isin(well_led, rules.cqc_well_led),
    }
    found = _recorded(rules, flags, kinds, q_end)
    for code in rules.recorded:
        fired[code] = np.zeros(shape, bool)
    for s, q in found:
        for code, _evidence, _since in found[(s, q)]:
            fired[code][s, q] = True
    fired = {k: v & has_data for k, v in fired.items()}
    severe = {  # CQC judges a trust's quality; for a system, its metrics
        "critical_quality": has_data & np.where(
            cqc_applies, np.isin(overall, rules.critical_cqc_overall),
            (n_count >= rules.bottom_min_metrics)
            & reaches(n_sustained, rules.critical_sustained_share * n_count)),
        "critical_finance": has_data & (per_subject(critical_fin_hit) > 0),
    }
    segment, any_fired = _segments(
        rules, fired, severe, has_data=has_data, n_count=n_count, n_top=n_top,
        finance_met=fin_reported & ~fin_fired,
        cqc_applies=cqc_applies, overall=overall, well_led=well_led,
    )

    return Evaluation(
        rules=rules, quarters=quarters, subject_codes=a.points.subject_codes, segment=segment,
        fired=fired, severe=severe, n_metrics=n_count, n_bottom=n_bottom, n_top=n_top,
        n_sustained=n_sustained, finance_met=fin_reported & ~fin_fired, cqc_overall=overall,
        cqc_well_led=well_led, subject_kinds=list(a.points.subject_kinds),
        evidence=_Evidence(
            a=a, cur=cur, sub=sub, met=met, q_rep=q_rep, flat=flat, counted=counted,
            feeds=feeds, drop_hit=drop_hit, drop_at=drop_at, sustained_hit=sustained_hit,
            fin_hit=fin_hit, critical_fin_hit=critical_fin_hit, year_before=then,
            warn_hit=warn_hit,
            base_mean=base_mean, base_count=base_count, iqr=iqr, poor_run=poor_run,
            poor_months=poor_months, below_run=below_run, below_months=below_months,
            last_concern=last_concern, polarity=polarity, any_fired=any_fired,
            cqc_applies=cqc_applies,
            flags={k: v for k, v in found.items() if has_data[k]},
        ),
    )


def _segments(
    rules: CriteriaRules,
    fired: dict[str, np.ndarray],
    severe: dict[str, np.ndarray],
    *,
    has_data: np.ndarray,
    n_count: np.ndarray,
    n_top: np.ndarray,
    finance_met: np.ndarray,
    cqc_applies: np.ndarray,
    overall: np.ndarray,
    well_led: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The proposed segment of every subject x quarter from what fired (0 without data), and
    whether any trigger fired at all: a segment 4 concern proposes 4 by itself, a segment 3
    trigger 3; segment 1 needs top-quartile performance, finance met and CQC good enough."""
    shape = has_data.shape
    any3 = np.zeros(shape, bool)
    for t in rules.s3_any:
        any3 |= fired[t]
    any4 = np.zeros(shape, bool)
    for t in rules.s4_any:
        any4 |= severe[t]
    any_fired = any3 | any4
    for t in rules.trigger_names:
        any_fired |= fired[t]
    top_ok = (n_count >= rules.top_min_metrics) & reaches(n_top, rules.top_share * n_count)
    fin_ok = finance_met if rules.s1_finance_met else np.ones(shape, bool)
    cqc_ok = ~cqc_applies | (np.isin(overall, rules.s1_cqc) & np.isin(well_led, rules.s1_cqc))
    s1 = top_ok & fin_ok & cqc_ok & (~any_fired if rules.s1_no_triggers else True)
    segment = np.full(shape, rules.default_segment, dtype=np.int64)
    segment[s1] = 1
    segment[any3] = 3
    segment[any4] = 4  # critical concerns need mandated intensive support by themselves
    segment[~has_data] = 0
    return segment, any_fired


def _recorded(rules: CriteriaRules, flags: Sequence[Flag], kinds: np.ndarray,
              q_end: np.ndarray) -> dict[tuple[int, int], list[tuple[str, str, str]]]:
    """(subject, quarter) -> [(code, evidence, since)] of the flags in force at each quarter's
    end that the rules record for the subject's kind, in the rules' order."""
    order = {code: i for i, code in enumerate(rules.recorded)}
    ends = q_end.tolist()
    out: dict[tuple[int, int], list[tuple[str, str, str]]] = {}
    for flag in sorted(flags, key=lambda f: (order.get(f.code, -1), str(f.start), f.evidence)):
        spec = rules.recorded.get(flag.code)
        if spec is None or kinds[flag.subject] not in spec.kinds:
            continue
        for q, end in enumerate(ends):
            if flag.start <= end and (flag.end is None or flag.end >= end):
                out.setdefault((flag.subject, q), []).append(
                    (flag.code, flag.evidence, str(flag.start)))
    return out
