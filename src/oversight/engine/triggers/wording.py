"""Reason wording shared by the evidence (evaluation) and the digests, so both say the same."""

from __future__ import annotations

import math

from oversight.engine.triggers.rules import CQC_NAMES, CriteriaRules


def drop_signal(rules: CriteriaRules, value: float, base_mean: float, base_count: int,
                iqr: float) -> str:
    """Why a value is a dramatic drop: its size against both floors, and SPC."""
    worse = abs(base_mean - value)
    spread = (f"{worse / iqr:.2g} times the national interquartile range ({iqr:.4g})"
              if iqr and math.isfinite(iqr) else "the national interquartile range is 0")
    spc = ("special-cause concern" if rules.drop_spc == "concern"
           else "special-cause concern outside the process limits")
    return (f"{worse:.4g} worse than the mean of the {base_count} values in the "
            f"{rules.drop_baseline_months} months before ({base_mean:.4g}): "
            f"{worse / abs(base_mean):.0%} (floor {rules.drop_relative:.0%}) and {spread} "
            f"(floor {rules.drop_absolute_iqr:g}); SPC: {spc}")


def run_signal(what: str, run: int, months: int) -> str:
    return f"{what} at every report for {months} months ({run} reports)"


def critical_quality_signal(rules: CriteriaRules, overall: int, n_sustained: int,
                            n_metrics: int) -> str:
    if overall:
        return f"CQC overall {CQC_NAMES[overall]}"
    return (f"sustained very poor performance on {n_sustained} of {n_metrics} metrics "
            f"(threshold {rules.critical_sustained_share:.0%}; not rated by CQC)")


def segment_1_signal(rules: CriteriaRules, kind: str, n_top: int, n_count: int,
                     cqc: tuple[int, int] | None) -> str:
    """Segment 1: what was measured, and what the regional team must still judge."""
    measured = f"{n_top} of {n_count} metrics in the top quartile; financial plan met"
    if cqc is not None:
        measured += f"; CQC overall {CQC_NAMES[cqc[0]]}, well-led {CQC_NAMES[cqc[1]]}"
    judgement = rules.judgement_for("segment_1", kind)
    if judgement:
        measured += "; judgement needed on: " + "; ".join(j[0].lower() + j[1:] for j in judgement)
    return measured
