"""What would move a proposal to another segment (:func:`what_if`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from oversight.engine.triggers.rules import CQC_NAMES, CriteriaRules

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
            return [f"{r['metric']}: no value {rules.drop_relative:.0%} and "
                    f"{rules.drop_absolute_iqr:g} interquartile ranges worse than its "
                    f"{rules.drop_baseline_months}-month mean, confirmed by SPC, in the "
                    f"{rules.drop_window_months} months to the quarter end"
                    for r in reasons if r["rule"] == "dramatic_drop"]
        if trigger == "sustained_poor":
            return [f"{r['metric']}: one report out of the national bottom quartile"
                    for r in reasons if r["rule"] == "sustained_poor"]
        if trigger == "critical_finance":
            return [f"{r['metric']}: one report at or above {rules.finance_below:g} (below plan "
                    f"for fewer than {rules.critical_below_plan_months} months)"
                    for r in reasons if r["rule"] == "critical_finance"]
        if trigger == "critical_quality":
            if facts["cqc_overall"]:
                return ["CQC overall better than "
                        + " or ".join(CQC_NAMES[c] for c in rules.critical_cqc_overall)]
            return [f"sustained very poor performance on under "
                    f"{rules.critical_sustained_share:.0%} of the metrics (now "
                    f"{facts.get('n_sustained', 0)} of {facts['n_metrics']})"]
        # a recorded criterion
        return [f"{rules.labels[trigger]}: withdrawn on new evidence"]

    options: list[dict[str, Any]] = []
    severe = [t for t in rules.s4_any if t in facts.get("severe", [])]
    triggers = [t for t in rules.s3_any if t in fired]
    if seg == 4 and severe:
        options.append({"to_segment": 3 if triggers else rules.default_segment,
                        "clears": severe, "changes": [c for t in severe for c in clear(t)]})
    if seg in (3, 4) and triggers:
        clears = (severe if seg == 4 else []) + triggers
        options.append({"to_segment": rules.default_segment, "clears": clears,
                        "changes": [c for t in clears for c in clear(t)]})
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
