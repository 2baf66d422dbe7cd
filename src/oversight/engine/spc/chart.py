"""Making Data Count XmR chart as a standalone SVG string (pure; no plotting library).

Colours are NHSRplotthedots' ``ptd_spc_colours()`` defaults: common cause grey, improvement blue,
concern orange, neutral purple, target red. The variation and assurance icons, in the top right
corner, are the Making Data Count drawings of :mod:`oversight.engine.spc.icons` (the same as the
web pages').
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from oversight.engine.spc.core import POINT_TYPES, SpcResult
from oversight.engine.spc.icons import (
    COLOURS,
    ICON_VIEWBOX,
    assurance_drawing,
    variation_drawing,
)
from oversight.engine.spc.summary import ASSURANCES, VARIATIONS, SpcSummary

__all__ = ["COLOURS", "render_svg", "series_svg"]

_POINT_COLOUR = (
    COLOURS["common_cause"],
    COLOURS["special_cause_improvement"],
    COLOURS["special_cause_concern"],
    COLOURS["special_cause_neutral"],
    COLOURS["special_cause_neutral"],
)

#: What each icon means, for its ``<title>`` and the chart's description.
_VARIATION_TEXT = {
    "common_cause": "Common cause variation",
    "improvement_high": "Improvement (high)",
    "improvement_low": "Improvement (low)",
    "concern_high": "Concern (high)",
    "concern_low": "Concern (low)",
    "neutral_high": "Special cause, neutral (high)",
    "neutral_low": "Special cause, neutral (low)",
}
_ASSURANCE_TEXT = {
    "consistent_pass": "Consistently passes target",
    "consistent_fail": "Consistently fails target",
    "inconsistent": "Hit and miss against target",
}
_ICON_SIZE = 52


def _fmt(v: float) -> str:
    return f"{v:.6g}"


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
    width: int = 800,
    height: int = 400,
) -> str:
    """An XmR chart of one series as SVG text.

    ``point_type`` holds codes of :data:`POINT_TYPES`; ``variation``/``assurance`` are icon names
    of :data:`VARIATIONS`/:data:`ASSURANCES` (``None``: no icon). Limits and mean are drawn per
    rebase group; undefined (NaN) limits are not drawn. ``markers`` are (date, label) pairs
    drawn as labelled vertical lines at the point with that date (e.g. rebases); dates without
    a point are skipped.
    """
    d = np.asarray(dates, dtype="datetime64[D]")
    y = np.asarray(values, dtype=float)
    m, lo, hi = (np.asarray(a, dtype=float) for a in (mean, lpl, upl))
    pt = np.asarray(point_type, dtype=int)
    groups = np.zeros(y.size, int) if rebase_group is None else np.asarray(rebase_group)
    left, right, top, bottom = 60, 110, 40, 40
    pw, ph = width - left - right, height - top - bottom

    finite = [a[np.isfinite(a)] for a in (y, lo, hi)]
    pool = np.concatenate(finite + ([np.array([target])] if target is not None else []))
    ymin, ymax = (float(pool.min()), float(pool.max())) if pool.size else (0.0, 1.0)
    if ymax == ymin:
        ymin, ymax = ymin - 1, ymax + 1
    pad = (ymax - ymin) * 0.05
    ymin, ymax = ymin - pad, ymax + pad

    def sx(i: int) -> float:
        return left + (pw * i / (y.size - 1) if y.size > 1 else pw / 2)

    def sy(v: float) -> float:
        return top + ph * (ymax - v) / (ymax - ymin)

    shown = [(w, t) for w, t in markers if np.any(d == np.datetime64(w, "D"))]
    desc = (
        f"XmR chart of {y.size} points from {d[0] if y.size else '-'} to "
        f"{d[-1] if y.size else '-'}. "
        + (
            f"Latest mean {_fmt(m[-1])}, limits {_fmt(lo[-1])} to {_fmt(hi[-1])}. "
            if y.size
            else ""
        )
        + f"{int(np.sum(pt != 0))} special cause points."
        + (f" Target {_fmt(target)}." if target is not None else "")
        + (f" Variation: {variation}." if variation else "")
        + (f" Assurance: {assurance}." if assurance else "")
        + "".join(f" {t}." for _, t in shown)
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="title desc" '
        'font-family="Arial, sans-serif" font-size="11">',
        f'<title id="title">{escape(title)}</title>',
        f'<desc id="desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left}" y="22" font-size="14" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#333"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="#333"/>',
    ]
    for k in range(5):
        v = ymin + (ymax - ymin) * k / 4
        out.append(f'<text x="{left - 6}" y="{sy(v) + 4:.1f}" text-anchor="end">{_fmt(v)}</text>')
    if y.size:
        for i in sorted({0, y.size - 1, *range(0, y.size, max(1, y.size // 6))}):
            out.append(
                f'<text x="{sx(i):.1f}" y="{top + ph + 16}" text-anchor="middle">{d[i]}</text>'
            )

    # limits and mean, one piece per rebase group
    brk = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]]) if y.size else np.array([], int)
    ends = np.r_[brk[1:], y.size]
    for a, b in zip(brk, ends, strict=True):
        x1, x2 = sx(int(a)), sx(int(b) - 1)
        if x1 == x2:
            x1, x2 = x1 - 3, x2 + 3
        for val, colour, dash, label in (
            (lo[a], COLOURS["limits"], ' stroke-dasharray="6 3"', "lower process limit"),
            (hi[a], COLOURS["limits"], ' stroke-dasharray="6 3"', "upper process limit"),
            (m[a], COLOURS["mean_line"], "", "mean"),
        ):
            if math.isfinite(val):
                out.append(
                    f'<line x1="{x1:.1f}" y1="{sy(val):.1f}" x2="{x2:.1f}" y2="{sy(val):.1f}" '
                    f'stroke="{colour}" stroke-width="1.5"{dash}><title>{label} '
                    f"{_fmt(val)}</title></line>"
                )
    if target is not None and math.isfinite(target):
        out.append(
            f'<line x1="{left}" y1="{sy(target):.1f}" x2="{left + pw}" y2="{sy(target):.1f}" '
            f'stroke="{COLOURS["target"]}" stroke-width="1.5" stroke-dasharray="2 2" '
            'class="spc-target">'
            f"<title>target {_fmt(target)}</title></line>"
        )
    for when, label in shown:
        x = sx(int(np.flatnonzero(d == np.datetime64(when, "D"))[0]))
        out.append(
            f'<g role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>'
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" stroke="#005eb8" '
            'stroke-width="2" stroke-dasharray="4 4" class="spc-rebase-marker"/>'
            f'<text x="{x + 3:.1f}" y="{top + 10}" fill="#005eb8">Rebase</text></g>'
        )
    if y.size:
        pts = " ".join(f"{sx(i):.1f},{sy(v):.1f}" for i, v in enumerate(y))
        out.append(
            f'<polyline points="{pts}" fill="none" stroke="{COLOURS["value_line"]}" '
            'stroke-width="1.5"/>'
        )
    for i, v in enumerate(y):
        out.append(
            f'<circle cx="{sx(i):.1f}" cy="{sy(v):.1f}" r="3.5" fill="{_POINT_COLOUR[pt[i]]}">'
            f"<title>{d[i]}: {_fmt(v)} ({POINT_TYPES[pt[i]]})</title></circle>"
        )

    # icons: the Making Data Count drawings, each with its heading below
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
            f'<svg x="{x:g}" y="{y0}" width="{_ICON_SIZE}" height="{_ICON_SIZE}" '
            f'viewBox="{ICON_VIEWBOX}">{drawing(name)}</svg>'
            f'<text x="{x + _ICON_SIZE / 2:g}" y="{y0 + _ICON_SIZE + 14}" text-anchor="middle" '
            f'font-size="10">{escape(heading)}</text></g>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


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
