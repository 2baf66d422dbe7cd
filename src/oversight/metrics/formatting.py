"""How metric values read on a page: percentages as percentages, counts with separators."""


def format_value(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    unit = (unit or "").strip().lower()
    if unit in {"%", "percent", "percentage", "proportion"}:
        shown = value * 100 if unit == "proportion" else value
        return f"{shown:.1f}%"
    if unit in {"£", "gbp", "£m"}:
        return f"£{value:,.1f}m" if unit == "£m" else f"£{value:,.0f}"
    if float(value).is_integer() and abs(value) >= 10:
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
