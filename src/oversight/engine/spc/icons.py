"""Making Data Count variation and assurance icons as SVG drawings: the one source for the
engine's charts (:mod:`oversight.engine.spc.chart`) and the web pages' icon sprite
(``oversight.metrics.charts.icon_sprite``).

Each drawing is the inside of a ``0 0 40 40`` viewBox (a ``<symbol>`` or a nested ``<svg>``):
a white disc with a coloured ring. Variation: five dots, flat and grey for common cause, rising
(H) or falling (L) for special cause with the last two dots in the ring's colour. Assurance: the
target as a red line under P (consistently passes), F (consistently fails) or ? (hit and miss);
a dashed grey ring when there is no assurance icon (no target, or a neutral direction). Colours
are NHSRplotthedots' ``ptd_spc_colours()`` (``vocabulary.COLOURS``).
"""

from __future__ import annotations

from oversight.engine.spc.vocabulary import COLOURS

__all__ = ["ASSURANCE_STYLE", "COLOURS", "ICON_VIEWBOX", "VARIATION_STYLE",
           "assurance_drawing", "variation_drawing"]

#: The viewBox every icon drawing is made for.
ICON_VIEWBOX = "0 0 40 40"

_COMMON = COLOURS["common_cause"]
_IMPROVEMENT = COLOURS["special_cause_improvement"]
_CONCERN = COLOURS["special_cause_concern"]
_NEUTRAL = COLOURS["special_cause_neutral"]

#: Variation icon name: (ring colour, letter, dots rising (+1) / falling (-1) / flat (0)).
VARIATION_STYLE: dict[str, tuple[str, str, int]] = {
    "common_cause": (_COMMON, "", 0),
    "improvement_high": (_IMPROVEMENT, "H", 1),
    "improvement_low": (_IMPROVEMENT, "L", -1),
    "concern_high": (_CONCERN, "H", 1),
    "concern_low": (_CONCERN, "L", -1),
    "neutral_high": (_NEUTRAL, "H", 1),
    "neutral_low": (_NEUTRAL, "L", -1),
}
#: Assurance icon name: (ring colour, letter).
ASSURANCE_STYLE: dict[str, tuple[str, str]] = {
    "consistent_pass": (_IMPROVEMENT, "P"),
    "consistent_fail": (_CONCERN, "F"),
    "inconsistent": (_COMMON, "?"),
}


def variation_drawing(name: str) -> str:
    """The variation icon ``name`` (an ``spc.VARIATIONS`` entry; ``KeyError`` otherwise)."""
    colour, letter, slope = VARIATION_STYLE[name]
    dots = []
    for i in range(5):
        x = 9 + i * 5.5
        if slope == 0:
            y = 20 + (1.5 if i % 2 else -1.5)
            fill = _COMMON
        else:
            y = 26 - i * 4 if slope > 0 else 12 + i * 4
            fill = colour if i >= 3 else _COMMON
        dots.append(f'<circle cx="{x:g}" cy="{y:g}" r="2.2" fill="{fill}"/>')
    mark = (
        f'<text x="29" y="{13 if slope >= 0 else 33}" font-size="10" font-weight="bold" '
        f'font-family="Arial, sans-serif" fill="{colour}" text-anchor="middle">{letter}</text>'
        if letter
        else ""
    )
    return (
        f'<circle cx="20" cy="20" r="18" fill="#fff" stroke="{colour}" stroke-width="3"/>'
        + "".join(dots)
        + mark
    )


def assurance_drawing(name: str | None) -> str:
    """The assurance icon ``name`` (an ``spc.ASSURANCES`` entry; ``KeyError`` otherwise), or
    the dashed grey ring of "no assurance icon" for ``None``."""
    if name is None:
        return (
            '<circle cx="20" cy="20" r="18" fill="#fff" stroke="#D8DDE0" '
            'stroke-width="3" stroke-dasharray="4 3"/>'
        )
    colour, letter = ASSURANCE_STYLE[name]
    return (
        f'<circle cx="20" cy="20" r="18" fill="#fff" stroke="{colour}" stroke-width="3"/>'
        f'<line x1="7" y1="26" x2="33" y2="26" stroke="{COLOURS["target"]}" stroke-width="1.5"/>'
        f'<text x="20" y="22" font-size="16" font-weight="bold" text-anchor="middle" '
        f'font-family="Arial, sans-serif" fill="{colour}">{letter}</text>'
    )
