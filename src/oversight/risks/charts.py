"""Server-rendered SVG of a risk's scores over time: the current score at each assessment as a
step line over the bands, the target as a dashed line and the inherent score as a dotted one.
An accessible image (``role="img"``, a title and a text equivalent); the page lists the same
assessments in a table beside it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from markupsafe import Markup, escape

from oversight.engine.risk import Scoring

INK = "#212B32"
LINE = "#005EB8"
#: Light band fills (dark text stays readable on each); the band's name is always written too.
FILLS = {"green": "#D5EADF", "yellow": "#FFF3B0", "orange": "#FCD9B6", "red": "#F7C5C0"}


def band_fill(colour: str) -> str:
    return FILLS.get(colour, "#E8EDEE")


def score_chart(
    points: Sequence[tuple[dt.date, int]],
    scoring: Scoring,
    *,
    title: str,
    target: int | None = None,
    inherent: int | None = None,
    until: dt.date | None = None,
    width: int = 640,
    height: int = 240,
) -> Markup:
    if not points:
        return Markup("")
    left, right, top, bottom = 44, 96, 12, 32
    pw, ph = width - left - right, height - top - bottom
    first = points[0][0]
    last = max(points[-1][0], until or points[-1][0])
    span = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        return left + (day - first).days / span * pw

    def y(score: float) -> float:
        return top + (25 - score) / 24 * ph

    parts = []
    floor = 0.5  # bands meet halfway between their scores (no score lies between them)
    for band in sorted(scoring.bands, key=lambda b: b.min):
        ceiling = min(band.max, 25) + 0.5
        y1, y2 = max(y(ceiling), top), min(y(floor), top + ph)
        floor = ceiling
        parts.append(
            f'<rect x="{left}" y="{y1:.1f}" width="{pw}" height="{y2 - y1:.1f}" '
            f'fill="{band_fill(band.colour)}"/>'
            f'<text x="{left + pw + 6}" y="{(y1 + y2) / 2 + 4:.1f}" font-size="11" '
            f'fill="{INK}">{escape(band.name)}</text>'
        )
    for tick in (1, 5, 10, 15, 20, 25):
        parts.append(
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{INK}">{tick}</text>'
        )
    years = sorted({p[0].year for p in points} | {last.year})
    for year in years:
        day = dt.date(year, 1, 1)
        if first <= day <= last:
            parts.append(
                f'<line x1="{x(day):.1f}" x2="{x(day):.1f}" y1="{top}" y2="{top + ph}" '
                f'stroke="#AEB7BD" stroke-width="1"/>'
                f'<text x="{x(day):.1f}" y="{top + ph + 14}" text-anchor="middle" '
                f'font-size="11" fill="{INK}">{year}</text>'
            )
    parts.append(
        f'<text x="{left}" y="{height - 4}" font-size="11" fill="{INK}">'
        f"{first:%d %b %Y}</text>"
        f'<text x="{left + pw}" y="{height - 4}" text-anchor="end" font-size="11" '
        f'fill="{INK}">{last:%d %b %Y}</text>'
    )
    if inherent is not None:
        parts.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{y(inherent):.1f}" y2="{y(inherent):.1f}" '
            f'stroke="{INK}" stroke-dasharray="2 3" stroke-width="1.5"/>'
        )
    if target is not None:
        parts.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{y(target):.1f}" y2="{y(target):.1f}" '
            f'stroke="#007F3B" stroke-dasharray="8 4" stroke-width="2"/>'
        )
    path = []
    for i, (day, score) in enumerate(points):
        if i:
            path.append(f"{x(day):.1f},{y(points[i - 1][1]):.1f}")
        path.append(f"{x(day):.1f},{y(score):.1f}")
    path.append(f"{x(last):.1f},{y(points[-1][1]):.1f}")
    parts.append(
        f'<polyline points="{" ".join(path)}" fill="none" stroke="{LINE}" stroke-width="2.5"/>'
    )
    for day, score in points:
        parts.append(f'<circle cx="{x(day):.1f}" cy="{y(score):.1f}" r="3.5" fill="{LINE}"/>')
    label = (
        f"{title}: current score "
        + ", ".join(f"{score} on {day:%d %B %Y}" for day, score in points)
        + (f"; target {target}" if target is not None else "")
        + (f"; inherent {inherent}" if inherent is not None else "")
    )
    text = escape(label)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{text}"><title>{text}</title>'
        + "".join(parts)
        + "</svg>"
    )
