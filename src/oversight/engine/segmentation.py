"""NOF 2025/26 scored segmentation: cut points, reasons and what-if (pure: numpy only).

The segments themselves come from :mod:`oversight.engine.nof`; this module explains them: the
peer group's cut points (the same quartiles of the unrounded average that
:func:`oversight.engine.nof.unadjusted_segments` uses) and the smallest sets of metric score
changes that would move an organisation's average across the next cut point.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["nof_cut_points", "nof_what_if"]


def nof_cut_points(average: np.ndarray, quantile_method: str = "linear") -> list[float]:
    """The three cut points between segments 1|2, 2|3 and 3|4 of a peer group's averages.

    An average equal to a cut point is in the better segment, as in
    :func:`oversight.engine.nof.unadjusted_segments`.
    """
    cuts = np.percentile(np.asarray(average, dtype=np.float64), [25, 50, 75],
                         method=quantile_method)  # type: ignore[call-overload]
    return [float(c) for c in cuts]


def nof_what_if(facts: dict[str, Any], floor_segment: int = 3) -> list[dict[str, Any]]:
    """Smallest sets of metric score changes that lift the unadjusted segment by one.

    ``facts``: ``average`` (unrounded), ``unadjusted``, ``cuts`` (3 floats), ``scores``
    (``[[score metric id, score, value metric id or None], ...]`` for the counted metrics),
    ``override`` (0/1) and ``recovery`` (0/1). Scores run 1 (best) to 4; lowering a score lowers
    the average. Cut points are held where they are (one trust barely moves them).
    """
    seg = int(facts["unadjusted"])
    if seg <= 1:
        return []
    target = seg - 1
    cut = float(facts["cuts"][target - 1])
    scores = [(str(m), float(s), v) for m, s, v in facts["scores"]]
    n = len(scores)
    if n == 0:
        return []
    avg = float(facts["average"])
    needed = (avg - cut) * n  # total score reduction that brings the average to the cut point
    notes = []
    if facts.get("override") and target < floor_segment:
        notes.append(f"the financial override holds the adjusted segment at {floor_segment} or "
                     "worse whatever the average")
    if facts.get("recovery"):
        notes.append("in the Recovery Support Programme: the final segment stays 5")

    def label(metric: str, value_metric: str | None) -> str:
        return f"{metric} ({value_metric})" if value_metric else metric

    options: list[dict[str, Any]] = []
    for metric, score, vm in sorted(scores, key=lambda x: -x[1]):
        if score - 1 >= needed - 1e-12:
            new = score - needed
            options.append({
                "to_segment": target, "metrics": [metric],
                "changes": [f"{label(metric, vm)} from score {score:.2f} to {new:.2f} or better"
                            f" would bring the average from {avg:.2f} to the segment-{target} "
                            f"cut point {cut:.2f}"],
                "notes": notes,
            })
    if options:
        return options
    # No single metric can do it: fewest metrics, largest scores first.
    chosen, left = [], needed
    for metric, score, vm in sorted(scores, key=lambda x: -x[1]):
        if left <= 1e-12:
            break
        cut_by = min(score - 1, left)
        chosen.append((metric, score, vm, score - cut_by))
        left -= cut_by
    if left > 1e-9:
        return [{"to_segment": target, "metrics": [], "notes": notes, "changes": [
            f"not reachable: even every score at 1 leaves the average above {cut:.2f}"]}]
    return [{
        "to_segment": target, "metrics": [m for m, *_ in chosen], "notes": notes,
        "changes": [f"{label(m, vm)} from score {s:.2f} to {new:.2f}" for m, s, vm, new in chosen]
        + [f"together they bring the average from {avg:.2f} to the segment-{target} cut point "
           f"{cut:.2f}"],
    }]
