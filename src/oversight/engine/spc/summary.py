"""Per-series icons (variation and assurance) and per-group summaries of an :class:`SpcResult`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from oversight.engine.spc.core import (
    CONCERN,
    IMPROVEMENT,
    NEUTRAL_HIGH,
    NEUTRAL_LOW,
    POINT_TYPES,
    SpcResult,
)
from oversight.engine.spc.vocabulary import ASSURANCE_ICON_FILES, ASSURANCES, VARIATIONS

__all__ = ["ASSURANCES", "ASSURANCE_ICON_FILES", "VARIATIONS", "SpcSummary", "assurance_icons",
           "summarise", "summarise_groups", "variation_icons"]


@dataclass(frozen=True, eq=False)
class SpcSummary:
    """One entry per series: icons from its last point, and its latest mean and limits."""

    series: NDArray[Any]
    variation: NDArray[np.int8]
    assurance: NDArray[np.int8]
    n_points: NDArray[np.intp]
    mean: NDArray[np.float64]
    lpl: NDArray[np.float64]
    upl: NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.series.size)

    @property
    def variation_names(self) -> list[str]:
        """Variation icon names (``common_cause``, ``improvement_high``, ...)."""
        return [VARIATIONS[v] for v in self.variation]

    @property
    def assurance_names(self) -> list[str | None]:
        """Assurance icon names, ``None`` where there is no assurance icon."""
        return [ASSURANCES[a] if a >= 0 else None for a in self.assurance]

    def rows(self) -> list[dict[str, Any]]:
        """The summary as a list of plain dicts (series, variation, assurance, n_points, ...)."""
        return [
            {
                "series": s.item() if isinstance(s, np.generic) else s,
                "variation": v,
                "assurance": a,
                "n_points": int(k),
                "mean": float(m),
                "lpl": float(lo),
                "upl": float(hi),
            }
            for s, v, a, k, m, lo, hi in zip(
                self.series,
                self.variation_names,
                self.assurance_names,
                self.n_points,
                self.mean,
                self.lpl,
                self.upl,
                strict=True,
            )
        ]


def variation_icons(point_type: NDArray[np.int8], direction: NDArray[np.int8]) -> NDArray[np.int8]:
    """Variation icon codes from a last point's ``point_type`` and the improvement direction."""
    pt = np.asarray(point_type)
    up = np.asarray(direction) > 0
    out = np.zeros(pt.shape, dtype=np.int8)
    out[(pt == IMPROVEMENT) & up] = 1
    out[(pt == IMPROVEMENT) & ~up] = 2
    out[(pt == CONCERN) & ~up] = 3
    out[(pt == CONCERN) & up] = 4
    out[pt == NEUTRAL_HIGH] = 5
    out[pt == NEUTRAL_LOW] = 6
    return out


def assurance_icons(
    target: NDArray[np.float64],
    lpl: NDArray[np.float64],
    upl: NDArray[np.float64],
    direction: NDArray[np.int8],
) -> NDArray[np.int8]:
    """Assurance codes from the target against the (latest) limits.

    Target above the upper limit: consistent fail when higher is better, pass when lower is
    better; below the lower limit the other way round; otherwise (also when the limits are
    undefined, or the target equals a limit) inconsistent. -1 without a target or for neutral.
    """
    target = np.asarray(target, dtype=np.float64)
    direction = np.asarray(direction)
    inc = direction > 0
    out = np.full(target.shape, 2, dtype=np.int8)
    above = target > upl
    below = ~above & (target < lpl)
    out[above] = np.where(inc[above], 1, 0)
    out[below] = np.where(inc[below], 0, 1)
    out[np.isnan(target) | (direction == 0)] = -1
    return out


def summarise(result: SpcResult) -> SpcSummary:
    """Variation and assurance icon of every series, from its last point (latest limits)."""
    last = result.series_offsets[1:] - 1
    pt = result.point_type[last]
    seg = result.last_segment()
    lpl, upl = result.segment_lpl[seg], result.segment_upl[seg]
    return SpcSummary(
        series=result.series_labels,
        variation=variation_icons(pt, result.direction),
        assurance=assurance_icons(result.target, lpl, upl, result.direction),
        n_points=np.diff(result.series_offsets),
        mean=result.segment_mean[seg],
        lpl=lpl,
        upl=upl,
    )


def summarise_groups(result: SpcResult) -> list[dict[str, Any]]:
    """One row per series and rebase group, like NHSRplotthedots' ``summary()``: mean, limits,
    n, common_cause, special_cause_improvement, special_cause_concern, variation_type (point type
    of the group's last point) and, with a target, assurance_type (from the series' last point)."""
    n = len(result)
    if n == 0:
        return []
    # one group per segment (a series, or a rebase group of it)
    starts = result.segment_offsets[:-1]
    ends = np.append(starts[1:], n) - 1
    special = result.special_cause_flag.astype(np.int64)
    counts = np.diff(np.append(starts, n))
    n_special = np.add.reduceat(special, starts)
    n_imp = np.add.reduceat((result.point_type == IMPROVEMENT).astype(np.int64), starts)
    n_con = np.add.reduceat((result.point_type == CONCERN).astype(np.int64), starts)
    assurance = summarise(result).assurance_names
    rows = []
    for g, (a, b) in enumerate(zip(starts, ends, strict=True)):
        code = int(result.series[a])
        rows.append(
            {
                "series": _plain(result.series_labels[code]),
                "rebase_group": int(result.rebase_group[a]),
                "mean": float(result.segment_mean[g]),
                "lpl": float(result.segment_lpl[g]),
                "upl": float(result.segment_upl[g]),
                "n": int(counts[g]),
                "common_cause": int(counts[g] - n_special[g]),
                "special_cause_improvement": int(n_imp[g]),
                "special_cause_concern": int(n_con[g]),
                "variation_type": POINT_TYPES[result.point_type[b]],
                "assurance_type": assurance[code],
            }
        )
    return rows


def _plain(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x
