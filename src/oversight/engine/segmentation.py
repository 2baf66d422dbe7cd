"""NOF 2025/26 scored segmentation explained: reasons and what-if (pure: numpy only).

The segments and cut points come from :mod:`oversight.engine.nof`; this module explains them:
the reasons behind a trust's proposed segment (as :mod:`oversight.engine.triggers` gives the
criteria method's) and the smallest sets of metric score changes that would move its average
across the next cut point.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from oversight.engine.nof import NofRules

__all__ = ["nof_reasons", "nof_what_if", "population_signal", "score_quartile"]


def population_signal(row: dict[str, Any], rules: NofRules) -> str:
    """Whom the cut points were taken over, e.g. "150 of 205 trusts of every type (incomplete;
    cut points held within what the published segments allow)"."""
    rule = rules.cut_rule
    if not rule.uses_population:
        return rule.describe()
    whom = "trusts of every type" if rule.pooled else f"{row['peer_group']} trusts"
    whole = row["national_population"]
    text = f"{row['population']} of {whole if whole is not None else '?'} {whom}"
    if whole is None or row["population"] < whole:
        text += " (incomplete" + ("; cut points held within what the published segments allow"
                                  if row.get("bounded") else "") + ")"
    return text


def nof_reasons(row: dict[str, Any], scores: list[tuple[str, float, str]],
                rules: NofRules) -> list[dict[str, Any]]:
    """The reasons behind one trust's segments: the average against the quarter's cut points,
    the financial override, the Recovery Support Programme, each counted metric score, and any
    disagreement with NHS England's published segments.

    ``row``: a row of :func:`oversight.engine.nof.segment`; ``scores``: (score metric id,
    score, 'published' or 'computed') for the trust's counted metrics.
    """
    cuts = ", ".join(f"{x:.4f}" for x in row["cut_points"])
    source = "" if row.get("source") != "league table" else " (published, league table)"
    reasons: list[dict[str, Any]] = [{
        "rule": "average_score", "label": "Average metric score against the cut points",
        "value": row["average_score"],
        "signal": f"average {row['average_score']:.2f}{source} in {row['quarter']}: segment "
                  f"{row['unadjusted_segment']} (cut points {cuts} from "
                  f"{population_signal(row, rules)})",
    }]
    if row["financial_override"]:
        reasons.append({"rule": "financial_override", "label": "Financial override",
                        "metric": rules.override_flag,
                        "signal": f"in deficit or receiving deficit support: held at "
                                  f"segment {rules.override_floor} or worse"})
    if row["recovery_support"]:
        reasons.append({"rule": "recovery_support", "label": "Recovery Support Programme",
                        "metric": rules.recovery_flag,
                        "signal": f"final segment {rules.recovery_segment}"})
    for mid, score, how in sorted(scores):
        rule = rules.metrics[mid]
        reasons.append({"rule": "metric_score", "metric": mid, "value": score,
                        "label": f"Metric score: {rules.domains.get(rule.domain, rule.domain)}",
                        "value_metric": rule.value_metric, "domain": rule.domain,
                        "period": row["quarter"], "signal": f"score {score:.2f} ({how})"})
    if row.get("published_check"):
        reasons.append({"rule": "published_segment", "label": "Published segment differs",
                        "signal": row["published_check"]})
    return reasons


def score_quartile(score: float) -> int:
    """The quartile (1 best) of the peer ranking a metric score 1-4 stands for: a rank-scaled
    score is 1 + 3 (rank - 1) / (n - 1), so each quarter of the ranking spans 0.75 of score;
    a discrete score (1, 2, 3 or 4) is its own quartile."""
    return min(4, max(1, int(np.ceil((score - 1) / 0.75 - 1e-9))))


def nof_what_if(facts: dict[str, Any], floor_segment: int = 3) -> list[dict[str, Any]]:
    """Smallest sets of metric score changes that lift the unadjusted segment by one.

    ``facts``: ``average`` (unrounded), ``unadjusted``, ``cuts`` (3 floats), ``scores``
    (``[[score metric id, score, value metric id or None, value or None], ...]`` for the counted
    metrics; the value is optional),
    ``override`` (0/1) and ``recovery`` (0/1). Scores run 1 (best) to 4; lowering a score lowers
    the average. Cut points are held where they are (one trust barely moves them).
    """
    seg = int(facts["unadjusted"])
    if seg <= 1:
        if facts.get("override") and floor_segment > seg:
            return [{"to_segment": seg, "metrics": [], "notes": [], "changes": [
                f"the average already places segment {seg}; the financial override holds the "
                f"adjusted segment at {floor_segment}: leaving deficit (and deficit support) "
                "is what would change it"]}]
        return []
    target = seg - 1
    cut = float(facts["cuts"][target - 1])
    scores = [
        (str(m), float(s), entry[0] if entry else None, entry[1] if len(entry) > 1 else None)
        for m, s, *entry in facts["scores"]
    ]
    n = len(scores)
    avg = float(facts["average"])
    needed = (avg - cut) * n  # total score reduction that brings the average to the cut point
    notes = []
    if facts.get("override") and target < floor_segment:
        notes.append(
            f"the financial override holds the adjusted segment at {floor_segment} or "
            "worse whatever the average"
        )
    if facts.get("recovery"):
        notes.append("in the Recovery Support Programme: the final segment stays 5")
    if n == 0:  # a league-table trust: only its published average is known
        return [{"to_segment": target, "metrics": [], "notes": notes, "changes": [
            f"an average of {cut:.2f} or lower (now {avg:.2f}, as published) would reach "
            f"segment {target}; no metric scores are loaded to say which metrics could do it"]}]

    def change(metric: str, score: float, vm: str | None, value: float | None, new: float) -> str:
        """E.g. "OF1082 (OF0082 now 12.3) from quartile 4 to 2 (score 3.40 to 2.10)"."""
        now = f" now {value:g}" if value is not None else ""
        what = f"{metric} ({vm}{now})" if vm else metric
        q, q_new = score_quartile(score), score_quartile(new)
        moves = f"from quartile {q} to {q_new}" if q_new != q else f"within quartile {q}"
        return f"{what} {moves} (score {score:.2f} to {new:.2f})"

    options: list[dict[str, Any]] = []
    for metric, score, vm, value in sorted(scores, key=lambda x: -x[1]):
        if score - 1 >= needed - 1e-12:
            options.append(
                {
                    "to_segment": target,
                    "metrics": [metric],
                    "changes": [
                        f"{change(metric, score, vm, value, score - needed)} or better "
                        f"would bring the average from {avg:.2f} to the segment-{target} "
                        f"cut point {cut:.2f}"
                    ],
                    "notes": notes,
                }
            )
    if options:
        return options
    # No single metric can do it: fewest metrics, largest scores first.
    chosen, left = [], needed
    for metric, score, vm, value in sorted(scores, key=lambda x: -x[1]):
        if left <= 1e-12:
            break
        cut_by = min(score - 1, left)
        chosen.append((metric, score, vm, value, score - cut_by))
        left -= cut_by
    if left > 1e-9:
        return [
            {
                "to_segment": target,
                "metrics": [],
                "notes": notes,
                "changes": [
                    f"not reachable: even every score at 1 leaves the average above {cut:.2f}"
                ],
            }
        ]
    return [
        {
            "to_segment": target,
            "metrics": [m for m, *_ in chosen],
            "notes": notes,
            "changes": [change(*c) for c in chosen]
            + [
                f"together they bring the average from {avg:.2f} to the segment-{target} cut point "
                f"{cut:.2f}"
            ],
        }
    ]
