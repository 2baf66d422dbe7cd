"""Server-rendered SVG for the dashboards: Making Data Count icons, sparklines and the peer
ranking chart. (The SPC chart itself is ``oversight.engine.spc.render_svg``.)

Every graphic is an accessible image (``role="img"``, ``<title>`` and an ``aria-label`` text
equivalent) and pages always put the numbers in a table beside it. The icon drawings and their
colours are the engine's (``oversight.engine.spc.icons``), so icons and charts match.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from oversight.engine.spc import ASSURANCES, VARIATIONS
from oversight.engine.spc.icons import ICON_VIEWBOX, assurance_drawing, variation_drawing

# The icon key of a page (what each icon says), for templates: ``charts.VARIATION_LEGEND``.
from oversight.engine.spc.vocabulary import ASSURANCE_LEGEND as ASSURANCE_LEGEND
from oversight.engine.spc.vocabulary import VARIATION_LEGEND as VARIATION_LEGEND
from oversight.engine.units import format_value, nice_ticks, tick_label

VALUE_LINE = "#5D6D7E"
INK = "#212B32"


def _svg(width: float, height: float, label: str, body: str, css: str = "") -> Markup:
    text = escape(label)
    cls = f' class="{css}"' if css else ""
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
        f'width="{width:g}" height="{height:g}" role="img" aria-label="{text}"{cls}>'
        f"<title>{text}</title>{body}</svg>"
    )


def icon_sprite() -> Markup:
    """Every icon once, as ``<symbol>``s: pages include this once and each icon is a small
    ``<use>`` (a dashboard shows hundreds). The drawings are the engine's
    (``oversight.engine.spc.icons``), so charts from ``oversight spc --plot`` show the same."""
    symbols = [
        f'<symbol id="mdc-v-{n}" viewBox="{ICON_VIEWBOX}">{variation_drawing(n)}</symbol>'
        for n in VARIATIONS
    ]
    symbols += [
        f'<symbol id="mdc-a-{n or "none"}" viewBox="{ICON_VIEWBOX}">{assurance_drawing(n)}</symbol>'
        for n in (*ASSURANCES, None)
    ]
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="oversight-sprite" '
        'aria-hidden="true" focusable="false">' + "".join(symbols) + "</svg>"
    )


def _icon(symbol: str, label: str, size: int) -> Markup:
    text = escape(label)
    return Markup(
        f'<svg class="oversight-icon" width="{size}" height="{size}" viewBox="{ICON_VIEWBOX}" '
        f'role="img" aria-label="{text}"><title>{text}</title><use href="#{symbol}"/></svg>'
    )


def variation_icon(name: str, label: str, size: int = 32) -> Markup:
    """The Making Data Count variation icon ``name`` (a ``spc.VARIATIONS`` entry); the page
    must include :func:`icon_sprite`."""
    if name not in VARIATIONS:
        raise KeyError(name)
    return _icon(f"mdc-v-{name}", label, size)


def assurance_icon(name: str | None, label: str, size: int = 32) -> Markup:
    """The assurance icon, or a dashed grey ring when there is no target (needs the sprite)."""
    if name is not None and name not in ASSURANCES:
        raise KeyError(name)
    return _icon(f"mdc-a-{name or 'none'}", label, size)


def standalone_icon(kind: str, name: str | None, label: str, size: int = 24) -> Markup:
    """A variation (``kind`` "variation") or assurance icon drawn in full, without the page's
    sprite: for documents that travel alone (board reports, their PDF and Word)."""
    if kind == "variation":
        if name not in VARIATIONS:
            raise KeyError(name)
        drawing = variation_drawing(name)
    else:
        if name is not None and name not in ASSURANCES:
            raise KeyError(name)
        drawing = assurance_drawing(name)
    text = escape(label)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="oversight-icon" width="{size}" '
        f'height="{size}" viewBox="{ICON_VIEWBOX}" role="img" aria-label="{text}">'
        f"<title>{text}</title>{drawing}</svg>"
    )


def sparkline(values: Sequence[float], label: str, width: int = 96, height: int = 24) -> Markup:
    """A small line of the latest values, the last point marked."""
    if not values:
        return Markup("")
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    step = (width - 4) / max(len(values) - 1, 1)
    pts = [
        (2 + i * step, height - 3 - (v - lo) / span * (height - 6)) for i, v in enumerate(values)
    ]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
    x, y = pts[-1]
    body = (
        f'<polyline points="{path}" fill="none" stroke="{VALUE_LINE}" stroke-width="1.5"/>'
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{INK}"/>'
    )
    return _svg(width, height, label, body, "oversight-sparkline")


def ranking_chart(
    peers: Sequence[tuple[int, float]],
    *,
    highlight: int,
    unit: str,
    higher_is_better: bool,
    lower_quartile: float,
    median: float,
    upper_quartile: float,
    title: str,
    width: int = 760,
    height: int = 220,
) -> Markup:
    """Every peer's value as a bar, best first, shaded by quartile; ``highlight`` in dark blue."""
    if not peers:
        return Markup("")
    ordered = sorted(peers, key=lambda p: -p[1] if higher_is_better else p[1])
    left, right, top, bottom = 64, 104, 16, 36
    pw, ph = width - left - right, height - top - bottom
    values = [v for _, v in ordered]
    lo, hi = min(0.0, min(values)), max(values)
    hi = hi + (hi - lo) * 0.05 or 1.0

    def y(v: float) -> float:
        return top + (hi - v) / (hi - lo) * ph

    bw = pw / len(ordered)
    parts = [
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fff" stroke="#D8DDE0"/>'
    ]
    ticks = nice_ticks(lo, hi, 4)
    lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
    for t in ticks:
        parts.append(
            f'<text x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="{INK}">{escape(tick_label(t, ticks[1] - ticks[0], unit))}</text>'
        )
    shades = ("#C8E1F4", "#DCE9F2", "#E8EDEE", "#F3E5CF")

    def quartile_of(v: float) -> int:
        cuts = (
            [upper_quartile, median, lower_quartile]
            if higher_is_better
            else [lower_quartile, median, upper_quartile]
        )
        worse = (lambda c: v < c) if higher_is_better else (lambda c: v > c)
        return 1 + sum(1 for c in cuts if worse(c))

    mark = ""
    for i, (org_id, v) in enumerate(ordered):
        bx = left + i * bw
        is_me = org_id == highlight
        fill = "#005EB8" if is_me else shades[quartile_of(v) - 1]
        parts.append(
            f'<rect x="{bx + bw * 0.1:.1f}" y="{y(max(v, 0)):.1f}" '
            f'width="{max(bw * 0.8, 1):.1f}" height="{abs(y(v) - y(0)):.1f}" '
            f'fill="{fill}"{' class="ranking-this"' if is_me else ""}/>'
        )
        if is_me:
            mark = _this_organisation(bx + bw / 2, left, left + pw, top + ph + 16)
    cuts = [(v, name) for v, name in ((upper_quartile, "Upper quartile"), (median, "Median"),
                                      (lower_quartile, "Lower quartile")) if math.isfinite(v)]
    for (v, name), at in zip(cuts, _apart([y(v) for v, _ in cuts], 13), strict=True):
        parts.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
            f'stroke="{INK}" stroke-dasharray="{"6 3" if name == "Median" else "2 3"}"'
            f'/><text x="{left + pw + 6}" y="{at + 4:.1f}" font-size="11" fill="{INK}">'
            f"{name} {escape(format_value(v, unit))}</text>"
        )
    parts.append(mark)
    label = (
        f"{title}: {len(ordered)} peers ranked best to worst, quartile bands shaded, "
        f"this organisation highlighted."
    )
    return _svg(width, height, label, "".join(parts), "oversight-chart")


def _this_organisation(x: float, left: float, right: float, y: float) -> str:
    """The label under the highlighted bar, kept inside the plot: anchored at its start near
    the left edge and at its end near the right, so it is never clipped."""
    room = 55
    anchor = "start" if x - left < room else "end" if right - x < room else "middle"
    return (f'<text x="{x:.1f}" y="{y}" font-size="11" text-anchor="{anchor}" '
            f'fill="{INK}">This organisation</text>')


def _apart(ys: Sequence[float], gap: float) -> list[float]:
    """Label heights moved apart so that none is within ``gap`` of the one above it (the
    quartile labels of a tight distribution overlapped)."""
    order = sorted(range(len(ys)), key=lambda k: ys[k])
    placed = list(ys)
    for prev, k in zip(order, order[1:], strict=False):
        placed[k] = max(placed[k], placed[prev] + gap)
    return placed
