"""The NHS calendar: financial years and quarters, month labels and England's working days.

The NHS financial year runs from 1 April to 31 March; quarter 1 is April-June. Labels are
written as the framework and the development plan write them: ``"2021/22"`` for a year,
``"Q2 2021/22"`` (or the short ``"Q2 21/22"``) for a quarter.

Working days are weekdays that are not bank holidays in England (the ``holidays`` package,
England subdivision, so one-off bank holidays such as the Queen's funeral on 19 September 2022
are included). SOAG's terms of reference count notice, papers and minutes in working days.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from functools import lru_cache

import holidays
import numpy as np

__all__ = [
    "CANONICAL_QUARTER",
    "FIRST_MONTH",
    "QUARTER_PATTERN",
    "bank_holidays",
    "financial_quarter",
    "financial_year",
    "financial_year_start",
    "is_working_day",
    "month_label",
    "parse_quarter",
    "quarter_bounds",
    "quarter_end",
    "quarters_between",
    "shift_working_days",
    "working_days",
    "working_days_between",
    "working_days_late",
    "year_bounds",
]

#: A financial quarter label: ``Q2 2021/22``, ``Q2 21/22`` or ``Q2 2021-22``.
QUARTER_PATTERN = re.compile(r"^\s*Q([1-4])\s+(\d{2}|\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*$", re.I)
#: The canonical form Oversight stores: ``Q2 2021/22``.
CANONICAL_QUARTER = re.compile(r"^Q([1-4]) (\d{4})/(\d{2})$")
_YEAR_PATTERN = re.compile(r"^\s*(\d{2}|\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*$")
#: The month a financial year begins in (April).
FIRST_MONTH = 4


# ----------------------------------------------------------------------------- years and quarters


def financial_year_start(day: dt.date) -> int:
    """The calendar year in which ``day``'s financial year began (1 April)."""
    return day.year if day.month >= FIRST_MONTH else day.year - 1


def financial_year(day: dt.date) -> str:
    """'2021/22' for a date from 1 April 2021 to 31 March 2022."""
    year = financial_year_start(day)
    return f"{year}/{(year + 1) % 100:02d}"


def financial_quarter(day: dt.date) -> str:
    """'Q1 2021/22' for a date in April-June 2021."""
    q = (day.month - FIRST_MONTH) % 12 // 3 + 1
    return f"Q{q} {financial_year(day)}"


def _full_year(text: str) -> int:
    year = int(text)
    return year if len(text) == 4 else 2000 + year


def _year_pair(first: str, second: str, label: str) -> int:
    """The starting year of a 'YYYY/YY' pair, checking the second year follows the first."""
    start = _full_year(first)
    if _full_year(second) % 100 != (start + 1) % 100:
        raise ValueError(f"not a financial year: {label!r} (the second year must follow the first)")
    return start


def parse_quarter(label: str) -> tuple[int, int]:
    """``(quarter, starting year)`` of a label such as 'Q2 2025/26' or 'Q2 25/26'."""
    match = QUARTER_PATTERN.match(label or "")
    if not match:
        raise ValueError(f"not a financial quarter label: {label!r} (e.g. 'Q2 2025/26')")
    return int(match.group(1)), _year_pair(match.group(2), match.group(3), label)


def quarter_bounds(label: str) -> tuple[dt.date, dt.date]:
    """First and last day of a financial quarter label such as 'Q2 2025/26'."""
    q, year = parse_quarter(label)
    start = _add_months(dt.date(year, FIRST_MONTH, 1), 3 * (q - 1))
    return start, _add_months(start, 3) - dt.timedelta(days=1)


def quarter_end(label: str) -> dt.date:
    """Last day of a financial quarter: 'Q2 2021/22' -> 30 September 2021."""
    return quarter_bounds(label)[1]


def year_bounds(label: str) -> tuple[dt.date, dt.date]:
    """1 April and 31 March of a financial year label such as '2021/22' or '21/22'."""
    match = _YEAR_PATTERN.match(label or "")
    if not match:
        raise ValueError(f"not a financial year label: {label!r} (e.g. '2021/22')")
    year = _year_pair(match.group(1), match.group(2), label)
    start = dt.date(year, FIRST_MONTH, 1)
    return start, _add_months(start, 12) - dt.timedelta(days=1)


def quarters_between(first: dt.date, last: dt.date) -> list[str]:
    """Labels of every financial quarter from the one holding ``first`` to ``last``'s."""
    out, day = [], first
    while day <= last:
        label = financial_quarter(day)
        out.append(label)
        day = quarter_end(label) + dt.timedelta(days=1)
    return out


def month_label(day: dt.date) -> str:
    """'Apr 2016': how Making Data Count charts and NHS papers name a month."""
    return day.strftime("%b %Y")


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


# ----------------------------------------------------------------------------- working days


@lru_cache(maxsize=64)
def _holidays_of(first_year: int, last_year: int) -> tuple[dt.date, ...]:
    england = holidays.country_holidays(
        "GB", subdiv="ENG", years=range(first_year, last_year + 1)
    )
    return tuple(sorted(england))


def bank_holidays(first: dt.date, last: dt.date) -> list[dt.date]:
    """England's bank holidays from ``first`` to ``last``, inclusive."""
    return [d for d in _holidays_of(first.year, last.year) if first <= d <= last]


def _calendar(first: dt.date, last: dt.date) -> np.busdaycalendar:
    # A year either side, so shifting across a year end never misses a holiday.
    return np.busdaycalendar(holidays=list(_holidays_of(first.year - 1, last.year + 1)))


def is_working_day(day: dt.date) -> bool:
    """A weekday that is not a bank holiday in England."""
    return bool(np.is_busday(day, busdaycal=_calendar(day, day)))


def shift_working_days(day: dt.date, days: int) -> dt.date:
    """The working day ``days`` working days after ``day`` (before it when negative).

    ``shift_working_days(meeting, -5)`` is the last day papers may be issued for a meeting
    (at least five working days before it); ``shift_working_days(meeting, 10)`` the last day
    for its draft minutes. ``day`` itself need not be a working day.
    """
    if days == 0:
        return day
    span = dt.timedelta(days=abs(days) * 2 + 30)
    cal = _calendar(day - span, day + span)
    roll = "forward" if days > 0 else "backward"
    # Roll a non-working start towards the direction of travel without counting it.
    start = np.datetime64(day, "D")
    if not np.is_busday(start, busdaycal=cal):
        start = np.busday_offset(start, 0, roll=roll, busdaycal=cal)
        days -= 1 if days > 0 else -1
    return np.busday_offset(start, days, roll=roll, busdaycal=cal).astype(dt.date)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is
    earlier): the notice a meeting on ``end`` gets when called on ``start``."""
    if end < start:
        return -working_days_between(end, start)
    first, last = start + dt.timedelta(days=1), end + dt.timedelta(days=1)
    return int(np.busday_count(first, last, busdaycal=_calendar(start, end)))


def working_days_late(due: dt.date, today: dt.date) -> int:
    """Working days after ``due`` up to and including ``today`` (0 when not late)."""
    return max(0, working_days_between(due, today))


def working_days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    """Every working day from ``first`` to ``last``, inclusive."""
    day = first
    while day <= last:
        if is_working_day(day):
            yield day
        day += dt.timedelta(days=1)
