"""Making Data Count XmR chart as a standalone SVG string (pure; no plotting library).

Colours are NHSRplotthedots' ``ptd_spc_colours()`` defaults: common cause grey, improvement blue,
concern orange, neutral purple, target red. The variation and assurance icons, in the top right
corner, are the Making Data Count drawings of :mod:`oversight.engine.spc.icons` (the same as the
web pages').
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from oversight.engine.periods import month_label
from oversight.engine.spc.core import POINT_TYPES, SpcResult
from oversight.engine.spc.icons import (
    COLOURS,
    ICON_VIEWBOX,
    assurance_drawing,
    variation_drawing,
)
from oversight.engine.spc.summary import ASSURANCES, VARIATIONS, SpcSummary
from oversight.engine.spc.vocabulary import ASSURANCE_LABELS, VARIATION_LABELS
from oversight.engine.units import format_value, nice_ticks, tick_label

__all__ = ["COLOURS", "render_svg", "series_svg"]

_POINT_COLOUR = (
    COLOURS["common_cause"],
    COLOURS["special_cause_improvement"],
    COLOURS["special_cause_concern"],
    COLOURS["special_cause_neutral"],
    COLOURS["special_cause_neutral"],
)

#: What each icon means, for its ``<title>`` and the chart's description.
_VARIATION_TEXT = VARIATION_LABELS
_ASSURANCE_TEXT = ASSURANCE_LABELS
_ICON_SIZE = 52


def _fmt(v: float) -> str:
    return f"{v:.6g}"


@dataclass(frozen=True)
class _Frame:
    """Where the plot sits in the SVG and how dates and values map onto it.

    x is scaled by time, not by point number, so a gap in the data (March 2019 to April 2022)
    shows as a gap; y runs over round ticks in the metric's unit."""

    left: float
    top: float
    width: float
    height: float
    first: np.datetime64
    days: float
    ticks: tuple[float, ...]
    unit: str
    #: Points a month or more apart are named by month ('Apr 2016'), closer ones by day.
    monthly: bool = True

    def when(self, day: np.datetime64) -> str:
        on = day.astype(dt.date)
        return month_label(on) if self.monthly else on.strftime("%-d %b %Y")

    def x(self, when: np.datetime64) -> float:
        if self.days == 0:
            return self.left + self.width / 2
        elapsed = float((when - self.first) / np.timedelta64(1, "D"))
        return self.left + self.width * elapsed / self.days

    def y(self, v: float) -> float:
        lo, hi = self.ticks[0], self.ticks[-1]
        return self.top + self.height * (hi - v) / (hi - lo)

    def value(self, v: float) -> str:
        return format_value(v, self.unit) if self.unit else _fmt(v)


def _frame(d: np.ndarray, pools: Sequence[np.ndarray], unit: str, size: tuple[int, int]) -> _Frame:
    width, height = size
    left, right, top, bottom = 70, 110, 40, 40
    pool = np.concatenate([p[np.isfinite(p)] for p in pools])
    lo, hi = (float(pool.min()), float(pool.max())) if pool.size else (0.0, 1.0)
    days = float((d[-1] - d[0]) / np.timedelta64(1, "D")) if d.size else 0.0
    spacing = np.diff(d).astype(float)
    monthly = not spacing.size or float(np.median(spacing)) >= 28
    return _Frame(left, top, width - left - right, height - top - bottom,
                  d[0] if d.size else np.datetime64("1970-01-01"), days,
                  tuple(nice_ticks(lo, hi)), unit, monthly)


def _runs(d: np.ndarray, groups: np.ndarray) -> list[tuple[int, int]]:
    """``[start, end)`` index runs of points drawn as one line: a new run at each rebase and
    at each gap in the data longer than twice the usual spacing of the points."""
    if not d.size:
        return []
    step = np.diff(d).astype(float)
    usual = float(np.median(step)) if step.size else 0.0
    gap = step > 2 * usual if usual else np.zeros(step.size, bool)
    cut = np.flatnonzero(np.r_[True, (groups[1:] != groups[:-1]) | gap])
    return list(zip(cut.tolist(), np.r_[cut[1:], d.size].tolist(), strict=True))


def _axes(f: _Frame, d: np.ndarray) -> list[str]:
    """Axis lines, round value ticks with light grid lines, and month labels far enough apart
    to read."""
    bottom = f.top + f.height
    out = [
        f'<line x1="{f.left}" y1="{bottom}" x2="{f.left + f.width}" y2="{bottom}" stroke="#333"/>',
        f'<line x1="{f.left}" y1="{f.top}" x2="{f.left}" y2="{bottom}" stroke="#333"/>',
    ]
    step = f.ticks[1] - f.ticks[0] if len(f.ticks) > 1 else 1.0
    for v in f.ticks:
        y = f.y(v)
        out.append(f'<line x1="{f.left}" y1="{y:.1f}" x2="{f.left + f.width}" y2="{y:.1f}" '
                   'stroke="#e8edee" class="spc-grid"/>')
        out.append(f'<text x="{f.left - 6}" y="{y + 4:.1f}" text-anchor="end" '
                   f'class="spc-tick">{escape(tick_label(v, step, f.unit))}</text>')
    for when in _date_ticks(f, d):
        out.append(f'<text x="{f.x(when):.1f}" y="{bottom + 16}" text-anchor="middle" '
                   f'class="spc-month">{f.when(when)}</text>')
    return out


def _date_ticks(f: _Frame, d: np.ndarray, room: float = 90) -> list[np.datetime64]:
    """Dates of points to label. Monthly or sparser series: every month, quarter, half year,
    year or two years, counted from April (the financial year), whichever is the finest that
    leaves ``room`` pixels between labels; closer points: as many as fit, from the first."""
    if f.monthly:
        months = (d.astype("datetime64[M]").astype(int) - 3) % 12
        for stride in (1, 3, 6, 12, 24, 60):
            picked = (d[months % stride == 0] if stride <= 12
                      else _every(d[months == 0], stride // 12))
            xs = [f.x(w) for w in picked]
            if len(picked) and all(b - a >= room for a, b in zip(xs, xs[1:], strict=False)):
                return list(picked)
    out: list[np.datetime64] = []
    for when in d:
        if not out or f.x(when) - f.x(out[-1]) >= room:
            out.append(when)
    return out


def _every(aprils: np.ndarray, years: int) -> np.ndarray:
    return aprils[:: max(1, years)]


def _limits(f: _Frame, d: np.ndarray, runs, m, lo, hi, target: float | None) -> list[str]:
    """Mean and process limits per run of points, and the target across the plot."""
    out = []
    for a, b in runs:
        x1, x2 = f.x(d[a]), f.x(d[b - 1])
        if x1 == x2:
            x1, x2 = x1 - 3, x2 + 3
        for val, colour, dash, label in (
            (lo[a], COLOURS["limits"], ' stroke-dasharray="6 3"', "lower process limit"),
            (hi[a], COLOURS["limits"], ' stroke-dasharray="6 3"', "upper process limit"),
            (m[a], COLOURS["mean_line"], "", "mean"),
        ):
            if math.isfinite(val):
                out.append(
                    f'<line x1="{x1:.1f}" y1="{f.y(val):.1f}" x2="{x2:.1f}" y2="{f.y(val):.1f}" '
                    f'stroke="{colour}" stroke-width="1.5"{dash}><title>{label} '
                    f"{escape(f.value(val))}</title></line>"
                )
    if target is not None and math.isfinite(target):
        out.append(
            f'<line x1="{f.left}" y1="{f.y(target):.1f}" x2="{f.left + f.width}" '
            f'y2="{f.y(target):.1f}" stroke="{COLOURS["target"]}" stroke-width="1.5" '
            'stroke-dasharray="2 2" class="spc-target">'
            f"<title>target {escape(f.value(target))}</title></line>"
        )
    return out


def _markers(f: _Frame, d: np.ndarray, shown) -> list[str]:
    out = []
    for when, label in shown:
        x = f.x(np.datetime64(when, "D"))
        out.append(
            f'<g role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>'
            f'<line x1="{x:.1f}" y1="{f.top}" x2="{x:.1f}" y2="{f.top + f.height}" '
            'stroke="#005eb8" stroke-width="2" stroke-dasharray="4 4" class="spc-rebase-marker"/>'
            f'<text x="{x + 3:.1f}" y="{f.top + 10}" fill="#005eb8">Rebase</text></g>'
        )
    return out


def _points(f: _Frame, d: np.ndarray, y: np.ndarray, pt: np.ndarray, runs) -> list[str]:
    """The value line (broken at gaps and rebases) and each point in its SPC colour."""
    out = []
    for a, b in runs:
        pts = " ".join(f"{f.x(d[i]):.1f},{f.y(y[i]):.1f}" for i in range(a, b))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{COLOURS["value_line"]}" '
                   'stroke-width="1.5"/>')
    for i, v in enumerate(y):
        out.append(
            f'<circle cx="{f.x(d[i]):.1f}" cy="{f.y(v):.1f}" r="3.5" fill="{_POINT_COLOUR[pt[i]]}">'
            f"<title>{f.when(d[i])}: {escape(f.value(v))} "
            f"({POINT_TYPES[pt[i]]})</title></circle>"
        )
    return out


def _icons(width: int, right: int, top: float, variation: str | None,
           assurance: str | None) -> list[str]:
    """The Making Data Count drawings, each with its heading below."""
    out = []
    x = width - right + 55 - _ICON_SIZE / 2
    for row, (kind, name, heading, texts, drawing) in enumerate(
        (
            ("variation", variation, "Variation", _VARIATION_TEXT, variation_drawing),
            ("assurance", assurance, "Assurance", _ASSURANCE_TEXT, assurance_drawing),
        )
    ):
        if not name:
            continue
        y0 = top + 4 + row * 90
        label = f"{escape(heading)}: {escape(texts[name])}"
        out.append(
            f'<g role="img" aria-label="{label}" class="spc-icon spc-icon-{kind}" '
            f'data-icon="{escape(name)}"><title>{label}</title>'
            f'<svg x="{x:g}" y="{y0:g}" width="{_ICON_SIZE}" height="{_ICON_SIZE}" '
            f'viewBox="{ICON_VIEWBOX}">{drawing(name)}</svg>'
            f'<text x="{x + _ICON_SIZE / 2:g}" y="{y0 + _ICON_SIZE + 14:g}" text-anchor="middle" '
            f'font-size="10">{escape(heading)}</text></g>'
        )
    return out


def _description(f: _Frame, d, y, m, lo, hi, pt, target, variation, assurance, shown) -> str:
    if not y.size:
        return "No points to chart."
    first, last = f.when(d[0]), f.when(d[-1])
    limits = (f"Latest mean {f.value(m[-1])}, limits {f.value(lo[-1])} to {f.value(hi[-1])}. "
              if math.isfinite(m[-1]) else "")
    return (
        f"XmR chart of {y.size} points from {first} to {last}. {limits}"
        f"{int(np.sum(pt != 0))} special cause points."
        + (f" Target {f.value(target)}." if target is not None else "")
        + (f" Variation: {_VARIATION_TEXT[variation]}." if variation else "")
        + (f" Assurance: {_ASSURANCE_TEXT[assurance]}." if assurance else "")
        + "".join(f" {t}." for _, t in shown)
    )


def render_svg(
    dates: ArrayLike,
    values: ArrayLike,
    mean: ArrayLike,
    lpl: ArrayLike,
    upl: ArrayLike,
    point_type: ArrayLike,
    *,
    title: str,
    rebase_group: ArrayLike | None = None,
    target: float | None = None,
    variation: str | None = None,
    assurance: str | None = None,
    markers: Sequence[tuple[Any, str]] = (),
    unit: str = "",
    width: int = 800,
    height: int = 400,
    id_prefix: str = "",
) -> str:
    """An XmR chart of one series as SVG text.

    ``point_type`` holds codes of :data:`POINT_TYPES`; ``variation``/``assurance`` are icon names
    of :data:`VARIATIONS`/:data:`ASSURANCES` (``None``: no icon). Values, ticks and limits read
    in ``unit`` (the catalogue's: ``%``, ``£m``, ``minutes``, ...); months as ``Apr 2016``.
    Limits and mean are drawn per rebase group and run of points; undefined (NaN) limits are
    not drawn. ``markers`` are (date, label) pairs drawn as labelled vertical lines at the
    point with that date (e.g. rebases); dates without a point are skipped. ``id_prefix``
    keeps the title's and description's ids unique when a page holds several charts.
    """
    d = np.asarray(dates, dtype="datetime64[D]")
    y = np.asarray(values, dtype=float)
    m, lo, hi = (np.asarray(a, dtype=float) for a in (mean, lpl, upl))
    pt = np.asarray(point_type, dtype=int)
    groups = np.zeros(y.size, int) if rebase_group is None else np.asarray(rebase_group)
    extra = [np.array([target], float)] if target is not None else []
    f = _frame(d, [y, lo, hi, *extra], unit, (width, height))
    runs = _runs(d, groups)
    shown = [(w, t) for w, t in markers if np.any(d == np.datetime64(w, "D"))]
    desc = _description(f, d, y, m, lo, hi, pt, target, variation, assurance, shown)
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{id_prefix}title {id_prefix}desc" '
        'font-family="Arial, sans-serif" font-size="11">',
        f'<title id="{id_prefix}title">{escape(title)}</title>',
        f'<desc id="{id_prefix}desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{f.left}" y="22" font-size="14" font-weight="bold">{escape(title)}</text>',
        *_axes(f, d),
        *_limits(f, d, runs, m, lo, hi, target),
        *_markers(f, d, shown),
        *_points(f, d, y, pt, runs),
        *_icons(width, 110, f.top, variation, assurance),
        "</svg>",
    ]) + "\n"


def series_svg(
    result: SpcResult, label: Any, summary: SpcSummary | None = None, title: str | None = None
) -> str:
    """:func:`render_svg` for one series of a :class:`SpcResult` (icons from ``summary``)."""
    part = result.take_series(label)
    k = int(np.flatnonzero(result.series_labels == label)[0])
    variation = assurance = None
    if summary is not None:
        variation = VARIATIONS[summary.variation[k]]
        assurance = ASSURANCES[summary.assurance[k]] if summary.assurance[k] >= 0 else None
    target = float(result.target[k])
    return render_svg(
        part["date"],
        part["value"],
        part["mean"],
        part["lpl"],
        part["upl"],
        part["point_type"],
        title=str(label) if title is None else title,
        rebase_group=part["rebase_group"],
        target=None if math.isnan(target) else target,
        variation=variation,
        assurance=assurance,
    )
