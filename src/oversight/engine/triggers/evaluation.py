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
from oversight.engine.triggers.annotation import Annotated
from oversight.engine.triggers.rules import CQC_NAMES, TRIGGERS, CriteriaRules
from oversight.engine.triggers.wording import drop_signal


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
            entry["signal"] = drop_signal(rules, is_step, v, mean)
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

