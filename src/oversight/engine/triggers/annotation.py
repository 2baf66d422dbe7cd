"""Observations in, each point's national quartile and SPC signal out (:func:`annotate`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from oversight.engine import ranking, spc
from oversight.engine.spc.core import CONCERN


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
    #: per metric, its unit ("%", "£m", "count"): size-dependent units are not ranked into shares
    metric_units: Sequence[str] | None = None


@dataclass(frozen=True)
class Flag:
    """A recorded criterion (``rules.recorded``) for subject ``subject``: in force from
    ``start`` until ``end`` (None: until withdrawn), with the evidence a person gave."""

    subject: int
    code: str
    start: Any  # datetime.date
    end: Any | None
    evidence: str


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

