"""Meeting dates from a body's pattern ("monthly, on the last Tuesday"): plain date arithmetic
over England's working days, no database. A date of the pattern that is a bank holiday moves to
the next (or previous) working day, or is skipped, as the body says."""

from __future__ import annotations

import calendar
import datetime as dt

from oversight.engine.periods import is_working_day, shift_working_days

#: Months between meetings for each frequency.
STEP = {"monthly": 1, "bimonthly": 2, "quarterly": 3}


def nth_weekday(year: int, month: int, weekday: int, week: int) -> dt.date | None:
    """The ``week``-th ``weekday`` (0 = Monday) of a month; ``week`` -1 is the last. None when
    the month has no such day (a fifth Tuesday)."""
    days = [
        dt.date(year, month, d)
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if dt.date(year, month, d).weekday() == weekday
    ]
    if week == -1:
        return days[-1]
    return days[week - 1] if 1 <= week <= len(days) else None


def meeting_dates(
    first: dt.date,
    last: dt.date,
    *,
    frequency: str,
    weekday: int,
    week_of_month: int,
    first_month: int = 1,
    if_holiday: str = "next",
) -> list[dt.date]:
    """Every date of the pattern from ``first`` to ``last`` inclusive. Bi-monthly and quarterly
    patterns meet in ``first_month`` and every 2 or 3 months from it."""
    if frequency not in STEP:
        raise ValueError(f"unknown meeting frequency {frequency!r}")
    if last < first:
        raise ValueError(f"the schedule ends ({last}) before it starts ({first})")
    step = STEP[frequency]
    out = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        if (month - first_month) % step == 0:
            day = nth_weekday(year, month, weekday, week_of_month)
            if day is not None and not is_working_day(day):
                day = _move(day, if_holiday)
            if day is not None and first <= day <= last:
                out.append(day)
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


def _move(day: dt.date, if_holiday: str) -> dt.date | None:
    if if_holiday == "skip":
        return None
    if if_holiday not in ("next", "previous"):
        raise ValueError(f"unknown bank holiday rule {if_holiday!r}")
    return shift_working_days(day, 1 if if_holiday == "next" else -1)
