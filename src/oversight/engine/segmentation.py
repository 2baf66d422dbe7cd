"""NOF 2025/26 scored segmentation: cut points, reasons and what-if (pure: numpy only).

The segments themselves come from :mod:`oversight.engine.nof`; this module explains them: the
peer group's cut points (the same quartiles of the unrounded average that
:func:`oversight.engine.nof.unadjusted_segments` uses) and the smallest sets of metric score
changes that would move an organisation's average across the next cut point.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["nof_cut_points", "nof_what_if", "score_quartile"]


def nof_cut_points(average: np.ndarray, quantile_method: str = "linear") -> list[float]:
    """The three cut points between segments 1|2, 2|3 and 3|4 of a peer group's averages.

    An average equal to a cut point is in the better segment, as in
    :func:`oversight.engine.nof.unadjusted_segments`.
    """
    cuts = np.percentile(
        np.asarray(average, dtype=np.float64), [25, 50, 75], method=quantile_method
    )  # type: ignore[call-overload]
    return [float(c) for c in cuts]


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
        return []
    target = seg - 1
    cut = float(facts["cuts"][target - 1])
    scores = [
        (str(m), float(s), entry[0] if entry else None, entry[1] if len(entry) > 1 else None)
        for m, s, *entry in facts["scores"]
    ]
    n = len(scores)
    if n == 0:
        return []
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
