"""Reason wording shared by the evidence (evaluation) and the digests, so both say the same."""

from __future__ import annotations

from oversight.engine.triggers.rules import CriteriaRules


def drop_signal(rules: CriteriaRules, step: bool, value: float, base_mean: float) -> str:
    if step:
        return (f"step change: {abs(value / base_mean - 1):.0%} worse than the mean of the "
                f"previous {rules.drop_baseline} periods ({base_mean:.4g})")
    return "special-cause concern outside the process limits"
