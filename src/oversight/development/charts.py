"""Server-rendered SVG charts of a plan: the timeline of milestones by quarter and the
maturity matrix over time. Plain strings, no JavaScript; each chart has a title and a
description, and the page beside it has the same facts as a table."""

from __future__ import annotations

import datetime as dt
import math
from html import escape

from oversight.development import key
from oversight.development.models import Action, Workstream
from oversight.development.plans import MaturityRow, QuarterColumn
from oversight.engine.periods import financial_quarter, quarter_bounds

#: NHS.UK colours for the tag colours key.yaml names.
COLOURS = {
    "green": "#007f3b",
    "aqua-green": "#00a499",
    "yellow": "#ffb81c",
    "orange": "#ed8b00",
    "red": "#d5281b",
    "grey": "#768692",
}
TEXT = "#212b32"
RULE = "#d8dde0"
LABEL_W, COL_W, PER_LINE, STEP, LINE_H, HEAD_H = 300, 82, 7, 10, 12, 34


def status_colour(code: str) -> str:
    point = key.point(code)
    return COLOURS[point.tag] if point else COLOURS["grey"]


def _short(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def timeline_svg(
    workstreams: list[Workstream],
    columns: list[QuarterColumn],
    ongoing: list[Action],
    today: dt.date,
) -> str:
    """Workstreams down, quarters across (and 'Ongoing'); each action a mark in the quarter it
    is due, coloured by its status; a late action is a diamond, others circles."""
    headers = [c.label for c in columns] + ["Ongoing"]
    cells: dict[tuple[int, int], list[Action]] = {}
    index = {c.label: i for i, c in enumerate(columns)}
    for a in [a for c in columns for a in c.actions] + ongoing:
        col = index[financial_quarter(a.due)] if a.due else len(columns)
        cells.setdefault((a.workstream_id, col), []).append(a)
    heights = []
    for ws in workstreams:
        most = max((len(cells.get((ws.pk, c), [])) for c in range(len(headers))), default=0)
        heights.append(max(1, math.ceil(most / PER_LINE)) * LINE_H + 10)
    width = LABEL_W + COL_W * len(headers) + 10
    height = HEAD_H + sum(heights) + 10
    late_count = sum(a.is_late(today) for group in cells.values() for a in group)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="tl-title tl-desc" '
        'class="development-chart">',
        '<title id="tl-title">Milestones by quarter</title>',
        f'<desc id="tl-desc">Each workstream\'s actions in the financial quarter they are due; '
        f"{late_count} late at {today:%-d %B %Y} (diamonds). The table below lists them.</desc>",
        f'<g font-family="Frutiger W01, Arial, sans-serif" font-size="12" fill="{TEXT}">',
    ]
    for i, label in enumerate(headers):
        x = LABEL_W + i * COL_W
        out.append(
            f'<rect x="{x}" y="0" width="{COL_W}" height="{height}" '
            f'fill="{"#f0f4f5" if i % 2 else "#ffffff"}"/>'
        )
        out.append(
            f'<text x="{x + COL_W / 2}" y="20" text-anchor="middle" '
            f'font-weight="bold">{escape(label)}</text>'
        )
    # Today, within its quarter's column.
    for i, column in enumerate(columns):
        first = quarter_bounds(column.label)[0]
        if first <= today <= column.end:
            share = (today - first).days / ((column.end - first).days + 1)
            x = LABEL_W + (i + share) * COL_W
            out.append(
                f'<line x1="{x:.1f}" y1="26" x2="{x:.1f}" y2="{height}" stroke="{TEXT}" '
                'stroke-dasharray="4 3"/>'
            )
    y = HEAD_H
    for ws, h in zip(workstreams, heights, strict=True):
        out.append(f'<line x1="0" y1="{y}" x2="{width}" y2="{y}" stroke="{RULE}"/>')
        out.append(
            f'<text x="4" y="{y + 15}"><title>{escape(ws.name)}</title>'
            f"{escape(_short(ws.name, 44))}</text>"
        )
        for col in range(len(headers)):
            for n, a in enumerate(cells.get((ws.pk, col), [])):
                cx = LABEL_W + col * COL_W + 8 + (n % PER_LINE) * STEP
                cy = y + 11 + (n // PER_LINE) * LINE_H
                colour = status_colour(a.status)
                due = f"due {a.due:%-d %b %Y}" if a.due else "ongoing"
                status = a.get_status_display() or "Not yet assessed"
                late = ", late" if a.is_late(today) else ""
                tip = escape(f"{a.text} ({a.deadline_text}: {due}; {status}{late})")
                if a.is_late(today):
                    out.append(
                        f'<path d="M{cx} {cy - 5}L{cx + 5} {cy}L{cx} {cy + 5}L{cx - 5} {cy}Z" '
                        f'fill="{colour}" stroke="{TEXT}" stroke-width="1.5"><title>{tip}</title>'
                        "</path>"
                    )
                else:
                    out.append(
                        f'<circle cx="{cx}" cy="{cy}" r="4" fill="{colour}" '
                        f'stroke="#ffffff"><title>{tip}</title></circle>'
                    )
        y += h
    out.append("</g></svg>")
    return "".join(out)


def maturity_svg(dates: list[dt.date], rows: list[MaturityRow]) -> str:
    """One line per domain across the self-assessments, levels up the side."""
    levels = key.maturity()
    width, height, left, right, top, bottom = 720, 300, 110, 230, 20, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    if not dates:
        return ""

    def x_of(day: dt.date) -> float:
        if len(dates) == 1:
            return left + plot_w / 2
        return left + plot_w * (dates.index(day) / (len(dates) - 1))

    def y_of(code: str) -> float:
        rank = key.level(code).rank
        return top + plot_h - plot_h * rank / (len(levels) - 1)

    palette = ["#005eb8", "#330072", "#ae2573", "#006747", "#8a1538", "#425563"]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="mm-title mm-desc" '
        'class="development-chart">',
        '<title id="mm-title">Maturity matrix self-assessment over time</title>',
        '<desc id="mm-desc">Each domain\'s level (Emerging to Thriving) at each '
        "self-assessment; the table above gives the same scores.</desc>",
        f'<g font-family="Frutiger W01, Arial, sans-serif" font-size="12" fill="{TEXT}">',
    ]
    for level in levels:
        y = y_of(level.code)
        out.append(f'<line x1="{left}" y1="{y}" x2="{left + plot_w}" y2="{y}" stroke="{RULE}"/>')
        out.append(f'<text x="{left - 8}" y="{y + 4}" text-anchor="end">{level.label}</text>')
    for day in dates:
        out.append(
            f'<text x="{x_of(day)}" y="{height - 14}" text-anchor="middle" '
            f'font-weight="bold">{day:%b %Y}</text>'
        )
    for i, row in enumerate(rows):
        colour = palette[i % len(palette)]
        offset = (i - (len(rows) - 1) / 2) * 3  # keep lines at the same level apart
        points = [(x_of(s.assessed_on), y_of(s.level) + offset) for s in row.scores]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            out.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
            )
        for (x, y), score in zip(points, row.scores, strict=True):
            tip = escape(
                f"{row.domain.name}: {score.get_level_display()} ({score.assessed_on:%b %Y})"
            )
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}">'
                f"<title>{tip}</title></circle>"
            )
        if points:
            x, y = points[-1]
            out.append(
                f'<text x="{x + 10:.1f}" y="{y + 4 + offset * 3:.1f}" fill="{colour}">'
                f"{row.domain.number} {escape(_short(row.domain.name, 28))} {row.arrow}</text>"
            )
    out.append("</g></svg>")
    return "".join(out)
