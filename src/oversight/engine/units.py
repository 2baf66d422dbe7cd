"""How a metric's values read, in its unit: on pages, in charts and on chart axes.

Percentages as percentages (``95.0%``), money in pounds (``£1.2m``), minutes as minutes, counts
with thousands separators; never ``98.595`` or ``1.109e+04``.
"""

from __future__ import annotations

import math

PERCENT_UNITS = {"%", "percent", "percentage", "proportion"}


def _unit(unit: str | None) -> str:
    return (unit or "").strip().lower()


def format_value(value: float | None, unit: str = "") -> str:
    """A value as a page shows it, in its unit."""
    if value is None:
        return ""
    unit = _unit(unit)
    if unit in PERCENT_UNITS:
        shown = value * 100 if unit == "proportion" else value
        return f"{shown:.1f}%"
    if unit in {"£", "gbp", "£m"}:
        shown = f"£{abs(value):,.1f}m" if unit == "£m" else f"£{abs(value):,.0f}"
        return f"-{shown}" if value < 0 else shown
    if unit == "minutes":
        return f"{value:,.0f} min" if abs(value) >= 10 else f"{value:,.1f} min"
    if float(value).is_integer() and abs(value) >= 10:
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round axis ticks covering ``low`` to ``high``: steps of 1, 2, 2.5 or 5 times a power of
    ten, about ``count`` of them, the first at or below ``low`` and the last at or above
    ``high``."""
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("axis bounds must be finite")
    if high < low:
        low, high = high, low
    if high == low:
        spread = abs(low) * 0.1 or 1.0
        low, high = low - spread, high + spread
    raw = (high - low) / max(1, count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw * 0.999)
    first = math.floor(low / step + 1e-9) * step
    steps = math.ceil((high - first) / step - 1e-9)
    return [round(first + i * step, 10) for i in range(steps + 1)]


def tick_label(value: float, step: float, unit: str = "") -> str:
    """An axis tick in the metric's unit, with only the decimals the step needs."""
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0
    if step > 0 and not math.isclose(step * 10**decimals % 1, 0, abs_tol=1e-9):
        decimals += 1  # steps such as 2.5
    unit = _unit(unit)
    number = f"{value:,.{decimals}f}"
    if unit in PERCENT_UNITS and unit != "proportion":
        return f"{number}%"
    if unit == "proportion":
        return f"{value * 100:,.{max(0, decimals - 2)}f}%"
    if unit == "£m":
        return f"£{number}m".replace("£-", "-£")
    if unit in {"£", "gbp"}:
        return f"£{number}".replace("£-", "-£")
    if unit == "minutes":
        return f"{number} min"
    return number


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 problem', '2 problems', '1,204 rows': a count with its noun agreeing."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"
